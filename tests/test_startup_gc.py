"""Start-up pauses garbage collection for speed; it must always come back on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from conftest import MakeApp

from calmfeet.cli import main
from calmfeet.core.paths import Paths


@pytest.fixture
def collecting_afterwards() -> Iterator[None]:
    yield
    gc.enable()  # whatever a failing test left, the rest of the run collects garbage


def test_a_printing_command_leaves_collection_on(
    paths: Paths, capsys: pytest.CaptureFixture[str], collecting_afterwards: None
) -> None:
    assert main(["list"], paths=paths) == 0
    assert gc.isenabled(), "calmfeet list left garbage collection off: memory would only grow"


def test_a_failing_command_leaves_collection_on(
    paths: Paths, capsys: pytest.CaptureFixture[str], collecting_afterwards: None
) -> None:
    assert main(["run", "no-such-routine"], paths=paths) != 0
    assert gc.isenabled()


async def test_the_app_collects_again_once_its_first_frame_is_painted(
    make_app: MakeApp, paths: Paths, collecting_afterwards: None
) -> None:
    gc.disable()  # as `calmfeet` does before start-up
    app = make_app(paths)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert gc.isenabled(), "a long session would never free memory"
