"""Turning sessions into history records: each one once, whatever ends it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calmfeet.core.history import SessionRecord
    from calmfeet.core.session import Session


MIN_RECORDED_SECONDS = 10.0
"""A session with less practice than this was a false start: it is not kept in history."""


def practice_record(session: Session) -> SessionRecord | None:
    """The history row for a session as it stands now; None for a false start (less than
    MIN_RECORDED_SECONDS practised: lead-ins and switch pauses are not practice).

    The start comes from the session's own clock, so a test's FakeClock decides it too.
    `completed` means at least 80% of the routine's time practised, not just reaching its end.
    """
    seconds = session.practised_seconds
    if seconds < MIN_RECORDED_SECONDS - 1e-6:
        return None
    # Here, not at the top: SQLite (which history imports) is not needed to show the picker.
    from calmfeet.core.history import SessionRecord, local_utc_offset_minutes

    started = datetime.fromtimestamp(session.started_wall, tz=timezone.utc)
    routine = session.routine
    return SessionRecord(
        routine=routine.id,
        name=routine.name,
        started=started,
        seconds=seconds,
        steps_done=session.steps_done,
        completed=session.completed,
        utc_offset_minutes=local_utc_offset_minutes(started),
    )


class PracticeLog:
    """The sessions still open. Closing one takes it out and gives its record, so a session
    that is closed twice (left, then the app quits) is recorded once by construction."""

    def __init__(self) -> None:
        self._open: list[Session] = []

    def open(self, session: Session) -> None:
        self._open.append(session)

    def close(self, session: Session) -> SessionRecord | None:
        """The session's record the first time it is closed; None after that, or if empty."""
        if session not in self._open:
            return None
        self._open.remove(session)
        return practice_record(session)

    def close_all(self) -> list[SessionRecord]:
        """Every open session's record, for when calmfeet stops (quit, a signal)."""
        records = [practice_record(session) for session in self._open]
        self._open.clear()
        return [record for record in records if record is not None]

    @property
    def open_sessions(self) -> tuple[Session, ...]:
        return tuple(self._open)
