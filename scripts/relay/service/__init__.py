"""relay.yaml: one file per service repository naming its environments, regions, templates and app probes."""
