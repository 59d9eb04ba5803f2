"""`make demo`: the whole pipeline on the embedded AWS, stage by stage, through the `relay` CLI."""
