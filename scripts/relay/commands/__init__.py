"""One module per `relay` subcommand; each exposes a click object named `command`."""
