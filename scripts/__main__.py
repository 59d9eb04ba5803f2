"""`python -m scripts` is the same as `relay`."""

import sys

from scripts.cli import main

sys.exit(main())
