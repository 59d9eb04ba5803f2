"""codedeploy."""
