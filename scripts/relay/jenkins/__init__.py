"""`relay jenkins`: Relay's own Jenkins as code (JCasC, plugins, the controller and agents stack)."""
