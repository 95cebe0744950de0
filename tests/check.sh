#!/usr/bin/env bash
# The whole check, as the README's Quick start runs it and as CI runs it:
# installs what the tests need, then lint, types, every test, and the benchmark in its short mode.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the tests drive from Debian: tmux (end-to-end), PulseAudio (the real-sound-server tests),
# espeak-ng (voice). One apt-get update and one install line for whatever is missing.
missing=""
if ! command -v tmux >/dev/null 2>&1; then
    echo "check: tmux is missing; installing it for the end-to-end tests"
    missing="$missing tmux"
fi
if ! command -v pulseaudio >/dev/null 2>&1; then
    echo "check: pulseaudio is missing; installing it for the real-sound-server tests"
    missing="$missing pulseaudio"
fi
if ! command -v parecord >/dev/null 2>&1 || ! command -v pactl >/dev/null 2>&1; then
    echo "check: pulseaudio-utils is missing; installing it to record the sound server"
    missing="$missing pulseaudio-utils"
fi
if ! command -v espeak-ng >/dev/null 2>&1; then
    echo "check: espeak-ng is missing; installing it for the voice tests"
    missing="$missing espeak-ng"
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        # shellcheck disable=SC2086 # one word per package
        (apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null) ||
            echo "check: could not install$missing; the tests that need them will say they skip"
    else
        echo "check: not root or no apt-get; install$missing yourself, or these tests skip:" \
            "end-to-end (tmux), real sound server (pulseaudio, pulseaudio-utils), voice (espeak-ng)"
    fi
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

echo "== ruff format --check"
python3 -m ruff format --check calmfeet tests
echo "== ruff check"
python3 -m ruff check calmfeet tests
echo "== mypy"
python3 -m mypy
echo "== benchmark (short mode: fails only if calmfeet cannot run)"
if [ -f tests/benchmark.py ]; then
    python3 tests/benchmark.py --short
fi
echo "== pytest"
python3 -m pytest -q -p no:cacheprovider "$@"
