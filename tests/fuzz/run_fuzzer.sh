#!/usr/bin/env bash
# Fuzzes one libFuzzer target for $FUZZ_SECONDS (default 20) seconds, starting from its seed
# corpus, which it only reads: what libFuzzer adds goes to a temp dir. Exits non-zero when the
# target crashes, leaks, times out or runs out of memory, and prints the path of the input
# that did it (kept, with the log, in the temp dir); otherwise removes the temp dir.
# usage: run_fuzzer.sh BINARY SEED_CORPUS_DIR MAX_LEN
set -euo pipefail
binary=$1 seeds=$2 max_len=$3
seconds=${FUZZ_SECONDS:-20}
if ! ((seconds > 0)); then
  echo "run_fuzzer: FUZZ_SECONDS must be a positive number (libFuzzer reads 0 as forever)" >&2
  exit 2
fi
name=$(basename "$binary")

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")
mkdir -p "$work/corpus" "$work/artifacts"
dict=()
if [[ -f "$(dirname "$0")/$name.dict" ]]; then dict=(-dict="$(dirname "$0")/$name.dict"); fi

# Without a symbolizer named here the sanitizers print bare addresses.
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
  ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-15 || command -v llvm-symbolizer || true)
  export ASAN_SYMBOLIZER_PATH
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
# The first corpus dir receives new inputs; the seeds dir after it is only read.
"$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
  "$work/corpus" "$seeds" >"$work/log" 2>&1 || status=$?

if ((status == 0)); then
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done )' "$work/log" || true
  rm -rf "$work"
  exit 0
fi
cat "$work/log"
echo "run_fuzzer: $name failed (exit $status); log: $work/log" >&2
shopt -s nullglob
for input in "$work"/artifacts/*; do
  echo "run_fuzzer: crashing input: $input" >&2
  echo "run_fuzzer: reproduce with: $binary $input" >&2
  echo "run_fuzzer: then keep it: cp $input $seeds/" >&2
done
exit "$status"
