"""ACM with a local certificate authority: requested certificates are real and verifiable on this machine."""
