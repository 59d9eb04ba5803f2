"""CloudWatch Logs as an instance's CloudWatch agent fills it: the local fleet's log files, shipped."""
