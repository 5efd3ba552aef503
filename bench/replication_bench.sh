#!/usr/bin/env bash
# Replication benchmark: the satellite (under ground control, `satellite run`) replicates an
# image set from Debian's docker-registry, and `skopeo sync` copies the same set into a
# second docker-registry, in one run on loopback. The set: FAMILIES families of two images
# (seed-derived layers; the second image of a family repeats the first one's three layers and
# adds two), so about 40% of the referenced layer bytes are shared. Prints a table: seconds
# for each, the ratio, bytes fetched from the upstream against the set's unique bytes, the
# satellite's peak RSS while syncing and its idle RSS (anonymous part too) after converging,
# with its long-poll on ground control held.
#
# Usage: bench/replication_bench.sh            Env: FAMILIES=10 LAYER_SIZE=12M BUILD=build/release
#        PMAP_OUT=FILE also writes `pmap -X` of the idle satellite there; SAT_ARGS adds flags
#        to `satellite run` (e.g. "--parallel-pulls 4 --parallel-blobs 8"); PERF_OUT=FILE
#        records a `perf record -g` profile of the satellite while it syncs
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD=${BUILD:-$ROOT/build/release}
export SATELLITE=${SATELLITE:-$BUILD/src/satellite/satellite}
export OCI_IMAGE_GEN=${OCI_IMAGE_GEN:-$BUILD/tests/testutil/oci_image_gen/oci-image-gen}
export GROUND_CONTROL=${GROUND_CONTROL:-$BUILD/src/groundcontrol/ground-control}
FAMILIES=${FAMILIES:-10}
LAYER_SIZE=${LAYER_SIZE:-12M}
source "$ROOT/tests/testutil/lib.sh"
source "$ROOT/tests/testutil/ground_control.sh"

log() { printf 'bench: %s\n' "$*" >&2; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
now() { date +%s.%N; }

tu_start_docker_registry upstream
UP=$REG_ADDR
tu_start_docker_registry copy
COPY=$REG_ADDR

log "generating $((FAMILIES * 2)) images ($LAYER_SIZE per layer, uncompressed)"
images=()
for ((f = 0; f < FAMILIES; f++)); do
  for layers in 3 5; do
    name=app$f-$layers
    digest=$(tu_gen_image "$TU_DIR/$name" v1 --layers "$layers" --layer-size "$LAYER_SIZE" --seed $((100 + f)))
    skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/$name:v1" "docker://$UP/bench/$name:v1"
    images+=("$name=$digest")
  done
done
# The set's bytes: every blob referenced (per image) and every distinct blob.
read -r referenced unique < <(
  for entry in "${images[@]}"; do
    name=${entry%%=*}
    manifest=$(jq -r '.manifests[0].digest' "$TU_DIR/$name/index.json" | sed 's/sha256://')
    jq -r '.config | "\(.digest) \(.size)"' "$TU_DIR/$name/blobs/sha256/$manifest"
    jq -r '.layers[] | "\(.digest) \(.size)"' "$TU_DIR/$name/blobs/sha256/$manifest"
  done | awk '{ total += $2; if (!seen[$1]++) distinct += $2 } END { print total, distinct }')
log "set: $(mib "$referenced") MiB referenced, $(mib "$unique") MiB unique"

# --- skopeo sync into the second registry ----------------------------------------------------
{
  echo "$UP:"
  echo "  tls-verify: false"
  echo "  images:"
  for entry in "${images[@]}"; do echo "    bench/${entry%%=*}: [v1]"; done
} >"$TU_DIR/sync.yml"
start=$(now)
TIMEFORMAT='%U %S'
{ time skopeo sync --src yaml --dest docker --dest-tls-verify=false "$TU_DIR/sync.yml" "$COPY" \
  >"$TU_DIR/sync.log" 2>&1 || { cat "$TU_DIR/sync.log" >&2; exit 1; }; } 2>"$TU_DIR/sync.time"
skopeo_seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
skopeo_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$TU_DIR/sync.time")
log "skopeo sync: $skopeo_seconds s"

# --- the satellite under ground control --------------------------------------------------------
tu_start_ground_control gc "$TU_DIR/gc"
tu_gc_login
tu_gc PATCH /api/v1/satelliteconfigs/default "{\"spec\":{\"upstream\":{\"url\":\"http://$UP\"}}}" \
  application/merge-patch+json >/dev/null
tu_gc POST /api/v1/groups '{"metadata":{"name":"bench"},"spec":{"selector":{"matchLabels":{"site":"bench"}}}}' >/dev/null
artifacts=$(for entry in "${images[@]}"; do
  printf '{"repository":"bench/%s","tag":["v1"],"digest":"%s"},' "${entry%%=*}" "${entry#*=}"
done)
TOKEN=$(tu_gc POST /api/v1/satellites '{"metadata":{"name":"bench","labels":{"site":"bench"}}}' |
  jq -r .enrollment.token)
metric() { curl -s "http://$SAT_ADDR/metrics" | awk -v n="$1" '$1 == n { print $2 }'; }
# The satellite starts, enrolls and applies the group's empty state first; the clock runs
# from the moment the image set is published, so it holds what a site waits for after a
# release (the long-poll's wake-up, the pulls, the tags), as skopeo's holds its whole copy.
tu_gc PUT /api/v1/groups/bench/state '{"artifacts":[]}' >/dev/null
# As deploy/satellite.service runs it: GnuTLS (loaded, never used) not initialised.
GNUTLS_NO_IMPLICIT_INIT=1 TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" \
  --ground-control "https://$GC_SAT" --token "$TOKEN" --ca-file "$GC_CA" --state-wait 30s ${SAT_ARGS:-}
applied() { [[ $(metric satellite_sync_state_applied) == 1 ]]; }
converged() { applied && [[ $(metric 'satellite_sync_artifacts{phase="present"}') == "${#images[@]}" ]]; }
tu_wait_for 60 applied || { tail -20 "$TU_DIR/sat.log" >&2; exit 1; }
# CPU seconds (user + system) the process has used: fields 14 and 15 of /proc/PID/stat.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
cpu_before=$(cpu_seconds "$SAT_PID")
if [[ -n ${PERF_OUT:-} ]]; then  # a CPU profile of the satellite while it syncs
  perf record -q -g -p "$SAT_PID" -o "$PERF_OUT" 2>/dev/null &
  perf_pid=$!
  sleep 0.5
fi
start=$(now)
tu_gc PUT /api/v1/groups/bench/state "{\"artifacts\":[${artifacts%,}]}" >/dev/null
tu_wait_for 600 converged || { tail -20 "$TU_DIR/sat.log" >&2; exit 1; }
satellite_seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
[[ -z ${PERF_OUT:-} ]] || { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
satellite_cpu=$(awk -v a="$cpu_before" -v b="$(cpu_seconds "$SAT_PID")" 'BEGIN { printf "%.2f", b - a }')
fetched=$(metric satellite_upstream_bytes_total | awk '{ printf "%d", $1 }')
peak_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$SAT_PID/status")
sleep 5  # idle, its long-poll held on ground control
idle_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$SAT_PID/status")
anon_kb=$(awk '/^RssAnon/ { print $2 }' "/proc/$SAT_PID/status")
[[ -z ${PMAP_OUT:-} ]] || pmap -X "$SAT_PID" >"$PMAP_OUT"
ratio=$(awk -v s="$skopeo_seconds" -v o="$satellite_seconds" 'BEGIN { printf "%.1f", s / o }')

printf '\n| measure | value |\n|---|---|\n'
printf '| image set | %d images, %s MiB referenced, %s MiB unique (%.0f%% shared) |\n' \
  "${#images[@]}" "$(mib "$referenced")" "$(mib "$unique")" \
  "$(awk -v r="$referenced" -v u="$unique" 'BEGIN { print 100 * (r - u) / r }')"
printf '| skopeo sync into docker-registry | %s s |\n' "$skopeo_seconds"
printf '| satellite: image set published → converged (long-poll, pulls, tags) | %s s |\n' "$satellite_seconds"
printf '| ratio skopeo / satellite | %sx |\n' "$ratio"
printf '| CPU seconds (user + system): skopeo / satellite | %s / %s |\n' "$skopeo_cpu" "$satellite_cpu"
printf '| bytes fetched from upstream | %s MiB (unique: %s MiB) |\n' "$(mib "$fetched")" "$(mib "$unique")"
printf '| satellite peak RSS while syncing | %s MB |\n' "$(awk -v k="$peak_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '| satellite idle RSS (anonymous) | %s MB (%s MB) |\n' \
  "$(awk -v k="$idle_kb" 'BEGIN { printf "%.1f", k / 1024 }')" \
  "$(awk -v k="$anon_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
# Shared layers once: beyond the unique blob bytes only the manifests may have been fetched.
if ((fetched < unique || fetched - unique > 8192 * ${#images[@]})); then
  log "the satellite fetched $fetched bytes from the upstream; the set's unique bytes are $unique"
  exit 1
fi
