#!/usr/bin/env bash
# Fuzz one target for SECONDS: fuzz/run.sh TARGET SECONDS [more libFuzzer flags]
# Corpus grows in fuzz/corpus/TARGET (git-ignored); crashing inputs land in fuzz/crashes/TARGET/.
# Keep a crash as a regression fixture: copy it to tests/fixtures/fuzz/TARGET/ (replayed in CI).
# Several targets in a row, restarting after each crash: python fuzz/campaign.py SECONDS [TARGET...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
target="${1:?usage: fuzz/run.sh TARGET SECONDS}"
seconds="${2:?usage: fuzz/run.sh TARGET SECONDS}"
shift 2
python="${PYTHON:-$root/.venv/bin/python}"
corpus="$here/corpus/$target"
crashes="$here/crashes/$target"
mkdir -p "$corpus" "$crashes"
seeds=()
[ -d "$here/seeds/$target" ] && seeds+=("$here/seeds/$target")
# kept crash fixtures are not seeds: an open one would stop the run at once (pytest replays them)
exec "$python" "$here/fuzz.py" "$target" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$crashes/" -print_final_stats=1 "$@" "$corpus" "${seeds[@]}"
