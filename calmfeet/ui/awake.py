"""Keep the display awake while a session runs: eyes are on the feet, not on the keyboard,
and a screen that blanks mid-breath is a screen a person must reach for with oily hands.

Each platform has its own way, all of them a child process or one system call, and where
none is available this does nothing and says nothing: a dim screen is no error.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import weakref
from collections.abc import Callable, Sequence
from typing import Protocol

WHY = "A calmfeet session is running"
PLATFORM = sys.platform
"""Read when an Awake is made; tests set it (and `find_tool`, `start_quietly`)."""
find_tool: Callable[[str], str | None] = shutil.which


class Child(Protocol):
    """What Awake needs of a started process (subprocess.Popen has it)."""

    def terminate(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


Starter = Callable[[Sequence[str]], Child]
"""Starts a command; tests pass a fake that records what it was asked to start."""


def start_quietly(command: Sequence[str]) -> Child:
    """The command in the background, its output thrown away, reading nothing."""
    return subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a ctrl+c in the terminal is calmfeet's, not its
    )


def inhibit_command(
    platform: str, pid: int, which: Callable[[str], str | None] = shutil.which
) -> list[str] | None:
    """The command that holds the display awake for as long as it runs, or None."""
    if platform == "darwin":
        if which("caffeinate"):
            return ["caffeinate", "-d", "-w", str(pid)]  # also ends when calmfeet does
        return None
    if platform.startswith("linux") and which("systemd-inhibit"):
        return [
            "systemd-inhibit",
            "--what=idle",
            "--who=calmfeet",
            f"--why={WHY}",
            "--mode=block",
            # Ends by itself when calmfeet does, however calmfeet ends.
            "tail",
            f"--pid={pid}",
            "-f",
            "/dev/null",
        ]
    return None


_LIVE: weakref.WeakSet[Awake] = weakref.WeakSet()


@atexit.register
def _release_all() -> None:
    """The last word on the way out, whatever path the app took: no inhibitor outlives it."""
    for awake in list(_LIVE):
        awake.release()


class Awake:
    """Holds the display awake between `hold(True)` and `hold(False)` (or `release()`).

    Cheap to call on every tick: only a change of mind starts or stops anything. Never
    raises: a tool that is missing or fails to start leaves the screen to its own devices.
    """

    def __init__(
        self,
        *,
        platform: str | None = None,
        pid: int | None = None,
        starter: Starter | None = None,
        which: Callable[[str], str | None] | None = None,
        set_state: Callable[[bool], None] | None = None,
    ) -> None:
        self._platform = PLATFORM if platform is None else platform
        self._pid = os.getpid() if pid is None else pid
        self._starter = starter
        self._which = which
        self._set_state = set_state
        self._child: Child | None = None
        self._held = False
        _LIVE.add(self)

    @property
    def held(self) -> bool:
        return self._held

    def hold(self, on: bool) -> None:
        if on == self._held:
            return
        if on:
            self._start()
        else:
            self.release()

    def _start(self) -> None:
        self._held = True
        if self._platform == "win32":
            self._windows(True)
            return
        command = inhibit_command(self._platform, self._pid, self._which or find_tool)
        if command is None:
            return
        starter = self._starter or start_quietly  # looked up now: tests replace it
        with contextlib.suppress(OSError, ValueError, subprocess.SubprocessError):
            self._child = starter(command)

    def release(self) -> None:
        """Let the display sleep again; safe to call at any time, as often as wanted."""
        if not self._held:
            return
        self._held = False
        if self._platform == "win32":
            self._windows(False)
        child, self._child = self._child, None
        if child is None:
            return
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            child.terminate()
            try:
                child.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=1.0)

    def _windows(self, on: bool) -> None:
        set_state = self._set_state or _windows_set_state
        with contextlib.suppress(OSError, AttributeError, ValueError):
            set_state(on)


ES_CONTINUOUS = 0x80000000
ES_DISPLAY_REQUIRED = 0x00000002


def _windows_set_state(on: bool) -> None:
    """SetThreadExecutionState: display required until told otherwise (this thread)."""
    import ctypes

    flags = ES_CONTINUOUS | (ES_DISPLAY_REQUIRED if on else 0)
    windll = getattr(ctypes, "windll", None)  # absent off Windows
    if windll is not None:
        windll.kernel32.SetThreadExecutionState(flags)
