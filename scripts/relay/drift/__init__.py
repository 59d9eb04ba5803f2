"""Drift detection across nested stacks and regions: what `relay drift` and the deploy gate run."""
