"""Sound for calmfeet: synthesis, the mixer, voice clips and audio tracks (numpy).

Never imported when calmfeet starts: the cue schedule (`calmfeet.core.cues`) is plain Python, and
this package is loaded only when a session with sound begins or `calmfeet audio` runs.
"""

from __future__ import annotations

SAMPLE_RATE = 44100
"""The mixer's rate unless told otherwise: what every sound card and phone plays."""
