"""`calmfeet new ID`: a commented starter routine in the person's routines folder, never
written over anything."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from calmfeet.core.customise import id_problem, own_copy_path
from calmfeet.core.files import write_atomically
from calmfeet.core.paths import Paths
from calmfeet.core.routines import MAX_TEXT, load_routine
from calmfeet.core.schema import SCHEMA_DIRECTIVE, write_schema_beside

STARTER = """\
{directive}
# A calmfeet routine. Its id is the file's name: {routine_id}. (The line above lets an
# editor that reads TOML schemas complete and check the keys as you type.)
# Edit it, then check it: `calmfeet validate {file_name}` in your routines folder.
# Every key is explained in calmfeet's README ("Writing a routine"), and `calmfeet points`
# lists the points a step can name. Lines starting with # are notes: calmfeet skips them.

name = "{name}"
summary = "What this routine is for, in a sentence or two."
# focus: any of stress, circulation, pain, flexibility, wellbeing, sleep, energy
focus = ["wellbeing"]
breathing = "resonance"      # resonance, calm, box, 4-7-8, sigh, or seconds like "4-6"
# caution = "Anything to know before starting."   # shown once, with calmfeet's safety notes
# needs = ["towel"]          # things to have at hand, named while you get ready

[[steps]]
title = "Warm-up strokes"
seconds = 60                 # or duration = "1m30s", or breaths = 6
how = "Stroke each foot slowly from the toes to the ankle with both palms."
# foot = "both"              # left, right or both (the default)
# zone = "whole"             # the default; or toes, ball, arch, heel, inner-edge,
#                            # outer-edge, top, ankle

[[steps]]
title = "Press the sole's hollow"
seconds = 45
foot = "left"
mirror = true                # then the same again on the right foot
point = "KI1"                # a point from `calmfeet points`; the foot map marks it
how = "Press in with your thumb, slow and steady, and ease off now and then."

[[steps]]
title = "Ankle circles"
seconds = 60
zone = "ankle"
halfway = "Change direction" # said (and rung) at half the step's time
how = "Hold one foot at a time and turn it slowly in wide circles with your hand."
"""


class StarterRefused(Exception):
    """The id cannot take a new routine (taken, or not a file name); one line says why."""


def starter_name(routine_id: str) -> str:
    """`evening-unwind` becomes `Evening Unwind`: a name to start from, within the limit."""
    words = routine_id.replace("-", " ").replace("_", " ").split()
    name = " ".join(word[:1].upper() + word[1:] for word in words) or routine_id
    return name[: MAX_TEXT["name"]]


def starter_text(routine_id: str, file_name: str) -> str:
    name = starter_name(routine_id).replace("\\", "\\\\").replace('"', '\\"')
    return STARTER.format(
        directive=SCHEMA_DIRECTIVE, routine_id=routine_id, file_name=file_name, name=name
    )


def write_starter(paths: Paths, routine_id: str, loaded_ids: Collection[str]) -> Path:
    """Write `ID.toml` in the routines folder and return its path; StarterRefused when the id
    is taken (a file there, or any routine loaded) or cannot name a file; OSError when the
    folder cannot be written. What is written is checked to load before it is put in place,
    and it never replaces a file, even one that appears meanwhile."""
    problem = id_problem(paths, routine_id, loaded_ids)
    if problem is not None:
        raise StarterRefused(problem)
    target = own_copy_path(paths, routine_id)
    paths.routines_dir.mkdir(parents=True, exist_ok=True)
    text = starter_text(routine_id, target.name)

    def loads(temp: Path) -> None:
        load_routine(temp, str(target))

    try:
        write_atomically(target, text.encode("utf-8"), check=loads, overwrite=False)
    except FileExistsError:
        raise StarterRefused(
            f"{target.name} is already in your routines folder; choose another id."
        ) from None
    write_schema_beside(paths.routines_dir)  # what the #:schema line points at
    return target
