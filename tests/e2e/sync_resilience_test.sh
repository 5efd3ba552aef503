#!/usr/bin/env bash
# Replication under failure. (1) One image of the state is unpullable upstream: the others
# still arrive, and /metrics counts the failed one. (2) The satellite is SIGKILLed in the
# middle of a large layer (~17 MiB compressed, throttled by --bandwidth-limit so the kill
# lands mid-transfer); restarted, it resumes that blob with a Range request (the upstream
# answers 206) instead of starting over, and every stored blob hashes to its name.
source "$(dirname "$0")/../testutil/lib.sh"

metric() {  # NAME{LABELS}: its value on the satellite's /metrics
  curl -s "http://$SAT/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

tu_start_docker_registry upstream
UP=$REG_ADDR
small=$(tu_gen_image "$TU_DIR/small" v1 --layers 2 --layer-size 256K --seed 41)
big=$(tu_gen_image "$TU_DIR/big" v1 --layers 1 --layer-size 50M --seed 42)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/small:v1" "docker://$UP/library/small:v1"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/big:v1" "docker://$UP/library/big:v1"
missing=sha256:$(printf 'never pushed' | sha256sum | cut -d' ' -f1)
big_manifest=$(jq -r '.manifests[0].digest' "$TU_DIR/big/index.json" | sed 's/sha256://')
big_layer=$(jq -r '.layers[0].digest' "$TU_DIR/big/blobs/sha256/$big_manifest")
big_size=$(jq -r '.layers[0].size' "$TU_DIR/big/blobs/sha256/$big_manifest")

# --- (1) one unpullable image never blocks the others ---------------------------------------
cat >"$TU_DIR/state.json" <<STATE
{"artifacts":[
 {"repository":"library/gone","tag":["v1"],"digest":"$missing"},
 {"repository":"library/small","tag":["v1"],"digest":"$small"}]}
STATE
TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --state-poll-interval 1s --resync-interval 1s
SAT=$SAT_ADDR
tu_wait_for_output 30 "$small" tu_raw_digest "$SAT/library/small:v1" ||
  tu_fail "library/small did not arrive beside an unpullable image"
tu_wait_for_output 10 1 metric 'satellite_sync_artifacts{phase="failed"}' ||
  tu_fail "/metrics does not count the unpullable image as failed"
grep -q "library/gone@$missing failed.*not found" "$TU_DIR/sat.log" ||
  tu_fail "the log does not say why library/gone failed"
tu_log "the unpullable image failed on its own (reason logged), the other arrived"

# --- (2) SIGKILL in the middle of a large layer, then resume --------------------------------
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
cat >"$TU_DIR/state.json" <<STATE
{"artifacts":[{"repository":"library/big","tag":["v1"],"digest":"$big"}]}
STATE
TU_SAT_COMMAND=run tu_start_satellite sat2 "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --bandwidth-limit 4MiB --listen "$SAT"
partial() {  # bytes of the big layer's upload so far
  local size=0 f
  for f in "$TU_DIR"/sat/uploads/*/data; do
    [[ -f "$f" ]] && size=$(stat -c %s "$f")
  done
  echo "$size"
}
big_started() { (($(partial) > big_size / 3)); }
tu_wait_for 30 big_started || tu_fail "the large layer never started"
kill -9 "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
got=$(partial)
((got < big_size)) || tu_fail "the layer finished before the kill ($got of $big_size bytes)"
tu_log "killed with $got of $big_size bytes of the large layer"
TU_SAT_COMMAND=run tu_start_satellite sat3 "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --listen "$SAT"
tu_wait_for_output 60 "$big" tu_raw_digest "$SAT/library/big:v1" || {
  tail -20 "$TU_DIR/sat3.log" >&2
  tu_fail "the large image did not arrive after the restart"
}
grep -q "\"GET /v2/library/big/blobs/$big_layer HTTP/1.1\" 206 .*harbor-satellite" \
  "$TU_DIR/upstream.log" || tu_fail "the restart did not resume the layer with a Range request"
for blob in "$TU_DIR"/sat/blobs/sha256/*/*; do
  [[ "sha256:$(basename "$blob")" == "$(tu_sha256 "$blob")" ]] || tu_fail "$blob does not hash to its name"
done
tu_log "resumed with Range after SIGKILL; every stored blob hashes to its digest"
echo ok
