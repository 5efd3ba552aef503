#!/usr/bin/env bash
# A headless satellite (no ground control, `satellite run --state-file`) follows Harbor's
# state file. The upstream docker-registry holds two images that share two layers (in two
# repositories), a multi-arch index and one image nobody asks for. The satellite converges:
# skopeo reads the upstream's digests from it, and the upstream's access log shows each
# shared layer fetched once. The upstream dies: every image still copies from the satellite.
# The upstream returns and the file changes (a tag moves, an image leaves): the satellite
# follows, the image that left is gone after the grace, and one that people pushed into the
# satellite themselves stays.
source "$(dirname "$0")/../testutil/lib.sh"

harbor_entry() {  # REPO DIGEST TAGS_JSON
  printf '{"repository":"%s","tag":%s,"labels":null,"type":"IMAGE","digest":"%s","deleted":false}' \
    "$1" "$3" "$2"
}
write_state() {  # ENTRY...
  local IFS=,
  echo "{\"registry\":\"upstream\",\"artifacts\":[$*]}" >"$TU_DIR/state.json.tmp"
  mv "$TU_DIR/state.json.tmp" "$TU_DIR/state.json"
}

# --- The upstream ---------------------------------------------------------------------------
tu_start_docker_registry upstream
UP=$REG_ADDR
UP_PID=$REG_PID
base=$(tu_gen_image "$TU_DIR/base" v1 --layers 2 --layer-size 512K --seed 7)
app=$(tu_gen_image "$TU_DIR/app" v1 --layers 3 --layer-size 512K --seed 7)  # shares base's 2
app2=$(tu_gen_image "$TU_DIR/app2" v1 --layers 4 --layer-size 512K --seed 7)
multi=$(tu_gen_image "$TU_DIR/multi" v1 --layers 2 --layer-size 256K --seed 9 \
  --platforms linux/amd64,linux/arm64)
extra=$(tu_gen_image "$TU_DIR/extra" v1 --layers 1 --layer-size 64K --seed 11)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/base:v1" "docker://$UP/library/base:1.0"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/app:v1" "docker://$UP/library/app:2.0"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/app2:v1" "docker://$UP/library/app:2.1"
skopeo copy -q --all --dest-tls-verify=false "oci:$TU_DIR/multi:v1" "docker://$UP/library/multi:v1"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/extra:v1" "docker://$UP/library/extra:v1"
tu_assert_eq "$app" "$(tu_raw_digest "$UP/library/app:2.0")" "upstream digest of library/app:2.0"

# --- The satellite follows the state file ---------------------------------------------------
write_state "$(harbor_entry library/base "$base" '["1.0"]')" \
  "$(harbor_entry library/app "$app" '["2.0","stable"]')" \
  "$(harbor_entry library/multi "$multi" '["v1"]')"
TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --state-poll-interval 1s --resync-interval 1s --removal-grace 2s \
  --gc-grace 0s
SAT=$SAT_ADDR
converged() {
  [[ $(tu_raw_digest "$SAT/library/base:1.0") == "$base" ]] &&
    [[ $(tu_raw_digest "$SAT/library/app:stable") == "$app" ]] &&
    [[ $(tu_raw_digest "$SAT/library/multi:v1") == "$multi" ]]
}
tu_wait_for 60 converged || {
  tail -30 "$TU_DIR/sat.log" >&2
  tu_fail "the satellite did not converge on the state file"
}
tu_log "converged: base, app (2.0, stable) and the multi-arch index by their upstream digests"
for layer in $(tu_layout_layers "$TU_DIR/base"); do
  tu_assert_eq 1 "$(tu_satellite_blob_gets "$TU_DIR/upstream.log" "$layer")" "upstream GETs of shared layer $layer"
done
tu_log "each shared layer was fetched from the upstream once"
if skopeo inspect --raw --tls-verify=false "docker://$SAT/library/extra:v1" >/dev/null 2>&1; then
  tu_fail "library/extra is in no state but the satellite serves it"
fi

# --- Upstream gone: everything held still copies --------------------------------------------
kill "$UP_PID"
wait "$UP_PID" 2>/dev/null || true
for ref in library/base:1.0 library/app:2.0 library/multi:v1; do
  rm -rf "$TU_DIR/copy"
  skopeo copy -q --all --src-tls-verify=false "docker://$SAT/$ref" "oci:$TU_DIR/copy:x" ||
    tu_fail "copy of $ref from the satellite with the upstream down"
done
tu_log "with the upstream down every image copies from the satellite"

# Someone at the site pushes an image of their own.
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/extra:v1" "docker://$SAT/site/own:v1"

# --- The state changes: a tag moves, an image leaves ----------------------------------------
tu_start_docker_registry upstream2  # a new upstream on a new port, same content
UP=$REG_ADDR
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/app2:v1" "docker://$UP/library/app:2.1"
skopeo copy -q --all --dest-tls-verify=false "oci:$TU_DIR/multi:v1" "docker://$UP/library/multi:v1"
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
write_state "$(harbor_entry library/app "$app2" '["2.1","stable"]')" \
  "$(harbor_entry library/multi "$multi" '["v1"]')"
TU_SAT_COMMAND=run tu_start_satellite sat2 "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --state-poll-interval 1s --resync-interval 1s --removal-grace 2s \
  --gc-grace 0s --listen "$SAT"
moved() { [[ $(tu_raw_digest "$SAT/library/app:stable") == "$app2" ]]; }
tu_wait_for 60 moved || {
  tail -30 "$TU_DIR/sat2.log" >&2
  tu_fail "the tag stable did not move to $app2"
}
gone() {
  ! skopeo inspect --raw --tls-verify=false "docker://$SAT/library/base@$base" >/dev/null 2>&1
}
tu_wait_for 30 gone || tu_fail "library/base left the state but is still held"
if skopeo inspect --raw --tls-verify=false "docker://$SAT/library/app:2.0" >/dev/null 2>&1; then
  tu_fail "the tag 2.0 left the state but is still set"
fi
tu_assert_eq "$extra" "$(tu_raw_digest "$SAT/site/own:v1")" "the site's own image"
tu_log "the tag moved, what left is gone, the site's own image stays"
echo ok
