"""Preferences stay whole when calmfeet is killed mid-save, and two calmfeet lose nothing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import calmfeet
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import Preferences, PreferencesStore, to_toml

REPO_ROOT = Path(calmfeet.__file__).resolve().parent.parent
ORDER_A = ("sleep", "tour", "quick-reset", "stress")
ORDER_B = ("stress", "quick-reset", "tour", "sleep")
# Twenty kilobytes of unknown keys make each save take a few milliseconds, so random kills
# within 20 ms land before, inside and after the first and second saves.
BIG_EXTRA: dict[str, object] = {f"future_{n:03d}": "x" * 200 for n in range(100)}

# One long-lived helper imports calmfeet once, then for each "run <seconds>" forks a child
# that saves A, B, A, B... as fast as it can; the helper SIGKILLs the child after the given
# delay, reaps it and answers "killed". Forking costs a millisecond where starting Python
# costs fifty, so 200 kills take a few seconds.
KILLER = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    import filelock  # loaded at the first save; here before forking, so each child saves at once
    from calmfeet.core.paths import Paths
    from calmfeet.core.preferences import PreferencesStore

    paths = Paths(Path(sys.argv[1]), Path(sys.argv[2]))
    orders = (sys.argv[3].split(","), sys.argv[4].split(","))
    print("ready", flush=True)
    for line in sys.stdin:
        delay = float(line.split()[1])
        pid = os.fork()
        if pid == 0:
            try:
                store = PreferencesStore(paths)
                while True:
                    for order in orders:
                        store.set_order(order)
            finally:
                os._exit(1)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        outcome = "killed" if os.WIFSIGNALED(status) else f"exited {status}"
        print(outcome, flush=True)
    """
)

FAVOURITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from calmfeet.core.paths import Paths
    from calmfeet.core.preferences import PreferencesStore

    paths = Paths(Path(sys.argv[1]), Path(sys.argv[2]))
    store = PreferencesStore(paths)
    store.load()
    print("ready", flush=True)
    sys.stdin.readline()  # both start together
    for n in range(50):
        store.set_favourite(f"{sys.argv[3]}-{n}", True)
        if store.save_error:
            print(store.save_error, flush=True)
            sys.exit(1)
    print("done", flush=True)
    """
)

# Each process turns its own 20 routines upside down, one move at a time, from a view it
# never refreshes: "move p-n above p-(n-1)". Operations on the file as it is now keep both.
MOVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from calmfeet.core.paths import Paths
    from calmfeet.core.preferences import PreferencesStore

    paths = Paths(Path(sys.argv[1]), Path(sys.argv[2]))
    me = sys.argv[3]
    listed = [f"{p}-{n}" for n in range(20) for p in "ab"]
    store = PreferencesStore(paths)
    store.load()
    print("ready", flush=True)
    sys.stdin.readline()  # both start together
    for n in range(1, 20):
        store.move_routine(f"{me}-{n}", before=f"{me}-{n - 1}", listed=listed)
        store.set_favourite(f"{me}-{n}", True)
        if store.save_error:
            print(store.save_error, flush=True)
            sys.exit(1)
    print("done", flush=True)
    """
)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(config_dir=tmp_path / "config", data_dir=tmp_path / "data")


def spawn(script: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture
def killer(tmp_path: Path, paths: Paths) -> Iterator[subprocess.Popen[str]]:
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    args = (str(paths.config_dir), str(paths.data_dir), ",".join(ORDER_A), ",".join(ORDER_B))
    proc = spawn(script, *args)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    yield proc
    if proc.stdin:
        proc.stdin.close()
    proc.wait(timeout=30)


@pytest.mark.slow
def test_killed_mid_save_leaves_the_old_or_the_new_file(
    paths: Paths, killer: subprocess.Popen[str]
) -> None:
    store = PreferencesStore(paths)
    store.load()
    store.update(lambda _: Preferences(order=ORDER_A, extra=BIG_EXTRA))
    assert store.save_error is None
    expected = {
        ORDER_A: to_toml(Preferences(order=ORDER_A, extra=BIG_EXTRA)).encode(),
        ORDER_B: to_toml(Preferences(order=ORDER_B, extra=BIG_EXTRA)).encode(),
    }
    assert killer.stdin is not None
    assert killer.stdout is not None
    rng = random.Random(20260101)
    seen: set[tuple[str, ...]] = set()
    for kill in range(200):
        killer.stdin.write(f"run {rng.uniform(0, 0.02):.4f}\n")
        killer.stdin.flush()
        assert killer.stdout.readline().strip() == "killed"
        after_kill = PreferencesStore(paths)
        prefs = after_kill.load()
        assert after_kill.notices == [], f"after kill {kill}"
        assert prefs.order in expected, f"after kill {kill}"
        assert paths.preferences_file.read_bytes() == expected[prefs.order], f"after kill {kill}"
        seen.add(prefs.order)
    assert seen == {ORDER_A, ORDER_B}  # the children really were saving when killed

    # The next save clears any half-written temp file a killed child left behind.
    store.set_bell(False)
    assert {p.name for p in paths.config_dir.iterdir()} <= {
        "preferences.toml",
        "preferences.toml.lock",
    }


def test_two_processes_changing_at_once_lose_no_change(tmp_path: Path, paths: Paths) -> None:
    store = PreferencesStore(paths)
    store.load()
    store.set_theme("dusk")
    script = tmp_path / "toggler.py"
    script.write_text(FAVOURITER)
    procs = [spawn(script, str(paths.config_dir), str(paths.data_dir), name) for name in "ab"]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        assert out.strip() == "done"
    final = PreferencesStore(paths)
    prefs = final.load()
    assert final.notices == []
    assert set(prefs.favourites) == {f"{name}-{n}" for name in "ab" for n in range(50)}
    assert len(prefs.favourites) == 100
    assert prefs.theme == "dusk"


def test_two_instances_editing_the_order_and_favourites_at_once(paths: Paths) -> None:
    """Each change is saved as an operation on the file as it is now: a stale view never
    undoes the other calmfeet's moves, and a favourite asked for stays a favourite."""
    listed = ("a", "b", "c", "d", "e")
    first, second = PreferencesStore(paths), PreferencesStore(paths)
    first.load()
    second.load()
    first.move_routine("e", before="d", listed=listed)  # a b c e d
    second.move_routine("a", after="b", listed=listed)  # second still sees a b c d e
    first.set_favourite("c", True)
    second.set_favourite("c", True)  # second saw no star on c: the person wants it on
    second.set_hidden("b", True)
    # first last saw b a c e d (before b was hidden) and moves c up, above a.
    first.move_routine("c", before="a", listed=("b", "a", "c", "e", "d"))
    saved = PreferencesStore(paths).load()
    assert saved.order == ("b", "c", "a", "e", "d")
    assert saved.favourites == ("c",)
    assert saved.hidden == ("b",)
    assert first.current == saved, "what first shows is what was saved"


def test_two_processes_reordering_at_once_keep_each_others_moves(
    tmp_path: Path, paths: Paths
) -> None:
    script = tmp_path / "mover.py"
    script.write_text(MOVER)
    procs = [spawn(script, str(paths.config_dir), str(paths.data_dir), name) for name in "ab"]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        assert out.strip() == "done"
    saved = PreferencesStore(paths).load()
    assert sorted(saved.order) == sorted(f"{p}-{n}" for n in range(20) for p in "ab")
    for name in "ab":
        mine = [i for i in saved.order if i.startswith(f"{name}-")]
        assert mine == [f"{name}-{n}" for n in reversed(range(20))], name
    assert len(saved.favourites) == 38
