"""Blue/green releases on two stack-owned ASG slots with CodeDeploy (docs/adr/0008-*.md)."""
