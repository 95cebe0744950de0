"""Commands that start the Textual app (imported lazily so `calmfeet list` starts fast)."""

from __future__ import annotations

import argparse
from typing import TextIO

from calmfeet.core.paths import Paths


def dispatch(args: argparse.Namespace, paths: Paths, out: TextIO, err: TextIO) -> int:
    print("calmfeet: the app is not built yet", file=err)
    return 1
