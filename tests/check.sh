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
if ! command -v fish >/dev/null 2>&1 || ! command -v zsh >/dev/null 2>&1; then
    echo "check: fish or zsh is missing; installing them for the shell completion tests"
    missing="$missing fish zsh"
fi
if ! command -v chromium >/dev/null 2>&1; then
    echo "check: chromium is missing; installing it for the browser tests of calmfeet serve"
    missing="$missing chromium"
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        # shellcheck disable=SC2086 # one word per package
        (apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null) ||
            echo "check: could not install$missing; the tests that need them will say they skip"
    else
        echo "check: not root or no apt-get; install$missing yourself, or these tests skip:" \
            "end-to-end (tmux), real sound server (pulseaudio, pulseaudio-utils), voice (espeak-ng)," \
            "completion (fish, zsh), browser (chromium)"
    fi
fi

# calmfeet and what the tests need, in the project's own .venv (Debian's python3 refuses
# `pip install` outside one, PEP 668); its bin/ comes first, so python3, calmfeet, ruff and
# pytest below are the environment's.
python3 tools/bootstrap.py --extras test,web
export PATH="$PWD/.venv/bin:$PATH"
hash -r

echo "== ruff format --check"
python3 -m ruff format --check calmfeet tests tools
echo "== ruff check"
python3 -m ruff check calmfeet tests tools
echo "== mypy"
python3 -m mypy
echo "== benchmark (short mode: fails only if calmfeet cannot run)"
if [ -f tests/benchmark.py ]; then
    python3 tests/benchmark.py --short
fi
echo "== pytest"
python3 -m pytest -q -p no:cacheprovider "$@"
