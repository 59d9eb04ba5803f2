"""CloudFormation's engine where moto 5.2 differs from AWS: stacks, change sets, intrinsics, events."""
