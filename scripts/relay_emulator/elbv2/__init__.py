"""The local traffic entry point: HAProxy playing the emulated ALB's listeners in front of the local fleet."""
