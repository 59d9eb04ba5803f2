"""CloudWatch as releases need it: metrics published from real signals, and alarms evaluated on them."""
