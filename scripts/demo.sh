#!/usr/bin/env bash
# Set up, then run the main job with the embedded defaults on a sample input:
# ingest it into out/sitrep.db, print the events, and export them to out/events.{csv,jsonl,geojson}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

input=samples/
[ -d ../shared/samples ] && input=../shared/samples/
mkdir -p out
.venv/bin/sitrep ingest "$input" --db out/sitrep.db
.venv/bin/sitrep events --db out/sitrep.db --limit 100
for fmt in csv jsonl geojson; do
  .venv/bin/sitrep export --db out/sitrep.db --format "$fmt" -o "out/events.$fmt"
done
echo "store: out/sitrep.db; exports: out/events.csv out/events.jsonl out/events.geojson" >&2
