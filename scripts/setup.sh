#!/usr/bin/env bash
# Set up sitrep on a fresh machine: a virtualenv at .venv with everything installed,
# front-end and boundary assets from npm, and the offline gazetteer built once.
# Re-running is cheap: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.sitrep-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test]'
  touch "$stamp"
fi

if [ -f package.json ] && { [ ! -d node_modules ] || [ package.json -nt node_modules ]; }; then
  if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
  touch node_modules
fi

# The shipped decision model's boosters are compiled to native code once (cached beside the gazetteer).
.venv/bin/python -m sitrep.decide.compiled

# The gazetteer is built once, and again only when its build code or the npm data changed.
gaz=$(.venv/bin/python -c 'from sitrep.gazetteer.store import default_path; print(default_path())')
if [ ! -f "$gaz" ] || [ -n "$(find sitrep/gazetteer/build.py sitrep/gazetteer/sources.py package-lock.json -newer "$gaz" -type f 2>/dev/null | head -n1)" ]; then
  .venv/bin/sitrep gazetteer build
fi
