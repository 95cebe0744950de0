#!/usr/bin/env bash
# The whole check, as the README's Quick start runs it and as CI runs it:
# installs what the tests need, then lint, types, every test, and the benchmark in its short mode.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
    echo "check: tmux is missing; installing it for the end-to-end tests"
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && apt-get install -y -qq tmux >/dev/null) ||
            echo "check: could not install tmux; the end-to-end tests will say they skip"
    else
        echo "check: not root or no apt-get; install tmux yourself to run the end-to-end tests"
    fi
fi

if ! command -v espeak-ng >/dev/null 2>&1; then
    echo "check: espeak-ng is missing; installing it for the voice tests"
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null) ||
            echo "check: could not install espeak-ng; the voice tests will say they skip"
    else
        echo "check: not root or no apt-get; install espeak-ng yourself to run the voice tests"
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
