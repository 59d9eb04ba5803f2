"""`python -m relay` is the same as `relay`."""

import sys

from relay.cli import main

sys.exit(main())
