"""The exit codes calmfeet's command returns, in one place."""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1
"""A routine file did not validate: the only meaning of 1."""
EXIT_USAGE = 2
"""The command was called wrongly: one line on stderr says how."""
EXIT_UNREADABLE = 3
"""A file or folder calmfeet must read is there and cannot be read, or a file it was asked to
write cannot be written (`calmfeet audio`): one line says why."""
EXIT_INTERNAL = 70
"""Something unexpected stopped calmfeet (a bug: sysexits' EX_SOFTWARE); one line says what."""
EXIT_INTERRUPTED = 130
"""Ctrl+C at the command line, as shells report it (128 + SIGINT)."""


def signal_exit_code(signum: int) -> int:
    """128 + the signal number, the shell's convention for a process ended by a signal."""
    return 128 + signum
