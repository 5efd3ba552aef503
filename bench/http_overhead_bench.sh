#!/usr/bin/env bash
# What our HTTP server costs on the steady path: keep-alive manifest GETs against our satellite
# vs a bare Boost.Beast server (bench/bare_beast_server.cpp) answering the same bytes on the same
# path with the same number of threads, in the same run, alternating rounds; prints each
# round's rates and ours/bare (target >= 0.9). With STRACE=1 it also counts the servers'
# syscalls per request (strace -c -f on one keep-alive connection).
# Method and reference figures: /work/shared/reference/performance.md.
#
# Usage: bench/http_overhead_bench.sh
# Env:   SATELLITE=path  our binary (default build/release/src/satellite/satellite)
#        BARE=path       the bare server (default build/release/bench/bare_beast_server)
#        DURATION=10     seconds per wrk run      ROUNDS=2   rounds of (ours, bare)
#        THREADS=2       server threads, both     CONNS=50   wrk connections (wrk -t2)
#        STRACE=0        1: also count syscalls per request (3 s of wrk -t1 -c1 each)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SATELLITE="${SATELLITE:-$ROOT/build/release/src/satellite/satellite}"
BARE="${BARE:-$ROOT/build/release/bench/bare_beast_server}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-2}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-50}"
STRACE="${STRACE:-0}"
MANIFEST_MT="application/vnd.oci.image.manifest.v1+json"
REPO="bench/app"
MANIFEST_PATH="/v2/$REPO/manifests/v1"

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
  printf 'bench: ERROR: %s\n' "$*" >&2
  exit 1
}
[[ -x "$SATELLITE" ]] || die "no satellite at $SATELLITE (build build/release)"
[[ -x "$BARE" ]] || die "no bare server at $BARE (ninja -C build/release bare_beast_server)"
for tool in curl wrk sha256sum awk; do command -v "$tool" >/dev/null || die "'$tool' not found"; done
if [[ "$STRACE" == 1 ]]; then command -v strace >/dev/null || die "'strace' not found"; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/http-overhead.XXXXXX")"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf -- "$WORK"
}
trap cleanup EXIT

hc() { curl -sS --noproxy '*' --connect-timeout 5 --max-time 30 "$@"; }
sha() { sha256sum "$1" | awk '{print $1}'; }

# Starts "$@" in the background and waits (10 s at most) for "listening on 127.0.0.1:PORT".
declare -A PORT=() PID=()
start() {
  local name="$1" i line
  shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID[$name]=$!
  PIDS+=("${PID[$name]}")
  for ((i = 0; i < 100; i++)); do
    line="$(grep -m1 -oE 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/$name.out" || true)"
    if [[ -n "$line" ]]; then
      PORT[$name]="${line##*:}"
      return 0
    fi
    kill -0 "${PID[$name]}" 2>/dev/null || die "$name exited: $(tail -n 3 "$WORK/$name.err")"
    sleep 0.1
  done
  die "$name did not start within 10 s"
}

# ---- ours, with a config blob, a small layer and the manifest pushed through the OCI API.
start ours "$SATELLITE" serve --data-dir "$WORK/data" --listen 127.0.0.1:0 --threads "$THREADS"
base="http://127.0.0.1:${PORT[ours]}"
push_blob() {
  local file="$1" loc code
  loc="$(hc -o /dev/null -D - -X POST "$base/v2/$REPO/blobs/uploads/" | tr -d '\r' |
    awk 'tolower($1) == "location:" { print $2 }')"
  [[ "$loc" == /* ]] && loc="$base$loc"
  [[ "$loc" == *\?* ]] && loc="$loc&" || loc="$loc?"
  code="$(hc -o /dev/null -w '%{http_code}' -X PUT -H 'Expect:' -T "$file" "${loc}digest=sha256:$(sha "$file")")"
  [[ "$code" == 201 ]] || die "blob PUT returned $code"
}
head -c 4096 /dev/urandom >"$WORK/layer"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$(sha "$WORK/layer")" >"$WORK/config"
push_blob "$WORK/config"
push_blob "$WORK/layer"
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":4096}]}' \
  "$MANIFEST_MT" "$(sha "$WORK/config")" "$(stat -c %s "$WORK/config")" "$(sha "$WORK/layer")" >"$WORK/manifest"
code="$(hc -o /dev/null -w '%{http_code}' -X PUT -H "Content-Type: $MANIFEST_MT" \
  --data-binary "@$WORK/manifest" "$base$MANIFEST_PATH")"
[[ "$code" == 201 ]] || die "manifest PUT returned $code"

# ---- the bare server, with the same bytes on the same path.
start bare "$BARE" "$MANIFEST_PATH" "$WORK/manifest" "$MANIFEST_MT" "$THREADS"

want="$(sha "$WORK/manifest")"
for s in ours bare; do
  code="$(hc -o "$WORK/got" -w '%{http_code}' -H "Accept: $MANIFEST_MT" "http://127.0.0.1:${PORT[$s]}$MANIFEST_PATH")"
  [[ "$code" == 200 && "$(sha "$WORK/got")" == "$want" ]] || die "$s: GET $MANIFEST_PATH gave $code / wrong bytes"
  log "$s: pid ${PID[$s]} on 127.0.0.1:${PORT[$s]}, verified $(stat -c %s "$WORK/got") B"
done

# wrk_rate SERVER ARGS...: prints Requests/sec; dies on non-2xx responses or socket errors.
wrk_rate() {
  local s="$1" out="$WORK/wrk-$1.txt"
  shift
  wrk "$@" --timeout 10s -H "Accept: $MANIFEST_MT" "http://127.0.0.1:${PORT[$s]}$MANIFEST_PATH" >"$out" 2>&1 ||
    die "wrk on $s failed: $(tail -n 2 "$out")"
  ! grep -q 'Non-2xx' "$out" || die "$s: $(grep 'Non-2xx' "$out")"
  awk '/^Requests\/sec:/ { print $2 }' "$out"
}

echo "## HTTP overhead: keep-alive manifest GETs, ours vs bare Beast ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "threads $THREADS each, wrk -t2 -c$CONNS -d${DURATION}s, $(stat -c %s "$WORK/manifest") B body, $(nproc) cores"
echo
echo "| round | ours req/s | bare req/s | ours/bare |"
echo "|---|---:|---:|---:|"
sum=0
for ((r = 1; r <= ROUNDS; r++)); do
  ours="$(wrk_rate ours -t2 -c"$CONNS" -d"${DURATION}s")"
  bare="$(wrk_rate bare -t2 -c"$CONNS" -d"${DURATION}s")"
  ratio="$(awk -v a="$ours" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')"
  sum="$(awk -v s="$sum" -v x="$ratio" 'BEGIN { print s + x }')"
  echo "| $r | $ours | $bare | ${ratio}× |"
done
mean="$(awk -v s="$sum" -v n="$ROUNDS" 'BEGIN { printf "%.2f", s / n }')"
echo
echo "- mean ours/bare: ${mean}× — target ≥ 0.9×: $(awk -v m="$mean" 'BEGIN { print (m >= 0.9) ? "PASS" : "FAIL" }')"

# ---- syscalls per request: one keep-alive connection, strace attached to every thread.
if [[ "$STRACE" == 1 ]]; then
  echo
  echo "| server | requests | syscalls/request | by call (per request) |"
  echo "|---|---:|---:|---|"
  for s in ours bare; do
    strace -c -f -q -p "${PID[$s]}" -o "$WORK/strace-$s.txt" &
    spid=$!
    sleep 0.5
    wrk -t1 -c1 -d3s -H "Accept: $MANIFEST_MT" "http://127.0.0.1:${PORT[$s]}$MANIFEST_PATH" >"$WORK/swrk-$s.txt" 2>&1
    kill -INT "$spid"
    wait "$spid" 2>/dev/null || true
    n="$(awk '/requests in/ { print $1 }' "$WORK/swrk-$s.txt")"
    awk -v n="$n" -v s="$s" '
      $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
        total += $4; by = by sprintf("%s %.2f, ", $NF, $4 / n) }
      END { printf "| %s | %d | %.2f | %s |\n", s, n, total / n, by }' "$WORK/strace-$s.txt"
  done
fi
