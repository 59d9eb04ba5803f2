"""CloudFormation as AWS runs it, where moto differs: stack lifecycle, change sets, events, nested stacks."""
