"""An unexpected error inside the app: one line for the person, the traceback kept in a file."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from calmfeet.core.paths import Paths
from calmfeet.ui.app import CalmFeetApp

MakeApp = Callable[..., CalmFeetApp]


async def test_a_crash_is_one_line_and_a_log_file(
    make_app: MakeApp, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(paths)

    def broken() -> None:
        raise RuntimeError("boom inside an action")

    with pytest.raises(RuntimeError):  # run_test hands the error on to the test as well
        async with app.run_test(size=(100, 30)) as pilot:
            app.call_later(broken)
            await pilot.pause()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "boom inside an action" not in err
    assert "calmfeet: something went wrong" in err
    log = paths.data_dir / "crash.log"
    assert "boom inside an action" in log.read_text(encoding="utf-8")
    assert app.return_code == 1
