"""`relay stack`'s machinery: params, packaging, change sets, events and outputs, one module per job."""
