"""Keeping the display awake: which command starts and stops when; nothing real is run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from calmfeet.ui.awake import Awake, inhibit_command


class FakeChild:
    def __init__(self, command: Sequence[str], log: list[str]) -> None:
        self.command = list(command)
        self.log = log

    def terminate(self) -> None:
        self.log.append(f"stop {self.command[0]}")

    def wait(self, timeout: float | None = None) -> int:
        return 0

    def kill(self) -> None:
        self.log.append(f"kill {self.command[0]}")


def recorder(log: list[str]) -> Callable[[Sequence[str]], FakeChild]:
    def start(command: Sequence[str]) -> FakeChild:
        log.append(f"start {' '.join(command)}")
        return FakeChild(command, log)

    return start


def everything(name: str) -> str | None:
    return f"/usr/bin/{name}"


def nothing(name: str) -> str | None:
    return None


def test_linux_holds_idle_with_systemd_inhibit_tied_to_calmfeets_pid() -> None:
    log: list[str] = []
    awake = Awake(platform="linux", pid=4242, starter=recorder(log), which=everything)
    awake.hold(True)
    awake.hold(True)  # every tick says so: started once
    assert len(log) == 1
    assert log[0].startswith("start systemd-inhibit --what=idle --who=calmfeet")
    assert "tail --pid=4242 -f /dev/null" in log[0]
    awake.hold(False)  # a pause lets the screen sleep
    assert log[1:] == ["stop systemd-inhibit"]
    awake.hold(True)  # going on holds it again
    awake.release()
    awake.release()
    assert [entry.split()[0] for entry in log] == ["start", "stop", "start", "stop"]


def test_macos_uses_caffeinate_watching_calmfeet() -> None:
    log: list[str] = []
    awake = Awake(platform="darwin", pid=7, starter=recorder(log), which=everything)
    awake.hold(True)
    awake.release()
    assert log == ["start caffeinate -d -w 7", "stop caffeinate"]


def test_windows_sets_and_clears_the_execution_state() -> None:
    states: list[bool] = []
    log: list[str] = []
    awake = Awake(platform="win32", starter=recorder(log), set_state=states.append)
    awake.hold(True)
    awake.hold(False)
    assert states == [True, False]
    assert log == []


def test_without_a_tool_nothing_happens_and_nothing_is_said() -> None:
    log: list[str] = []
    awake = Awake(platform="linux", starter=recorder(log), which=nothing)
    awake.hold(True)
    awake.release()
    assert log == []
    assert inhibit_command("sunos5", 1, everything) is None


def test_a_tool_that_fails_to_start_is_no_error() -> None:
    def broken(command: Sequence[str]) -> FakeChild:
        raise OSError("no such file")

    awake = Awake(platform="linux", starter=broken, which=everything)
    awake.hold(True)
    awake.release()
    assert not awake.held
