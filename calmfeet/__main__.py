"""Lets `python -m calmfeet` behave like the `calmfeet` command."""

import sys

from calmfeet.cli import main

if __name__ == "__main__":
    sys.exit(main())
