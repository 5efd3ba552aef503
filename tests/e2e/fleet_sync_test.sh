#!/usr/bin/env bash
# A satellite under ground control, end to end, on loopback. Upstream docker-registry with
# three images; ground control (SQLite) with a group fed by Harbor's state file; a satellite
# created, started with its one-time token and ground control's CA file. It enrolls (key and
# certificate 0600 in its data dir), converges, and reports: ground control shows every
# artifact present and the state applied; `mirror-config --data-dir` configures the runtimes
# its config names. A tag moved in the group reaches it through the
# long-poll in seconds (its poll interval is 5 minutes). An unpullable image shows as failed,
# with its reason, in ground control. An image removed from the group is
# untagged and removed after the config's grace. Ground control stopped: everything still
# pulls; back: a change made meanwhile arrives by itself. A restart reuses the identity (no
# token). A second satellite trusts ground control by a pinned fingerprint; a wrong pin is
# refused. A third, without a token, asks to enroll and an admin approves. Revoked: the
# satellite says so and keeps serving.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/ground_control.sh"

entry() {  # REPO DIGEST TAGS_JSON [DELETED]
  printf '{"repository":"%s","tag":%s,"labels":null,"type":"IMAGE","digest":"%s","deleted":%s}' \
    "$1" "$3" "$2" "${4:-false}"
}
post_state() {  # ENTRY...: Harbor's state file for group "edge" (entries are upserted)
  local IFS=,
  tu_gc PUT /api/v1/groups/edge/state "{\"registry\":\"upstream\",\"artifacts\":[$*]}" >/dev/null
}

# --- Upstream and ground control -------------------------------------------------------------
tu_start_docker_registry upstream
UP=$REG_ADDR
one=$(tu_gen_image "$TU_DIR/one" v1 --layers 2 --layer-size 256K --seed 51)
two=$(tu_gen_image "$TU_DIR/two" v1 --layers 3 --layer-size 256K --seed 51)  # shares 2 layers
three=$(tu_gen_image "$TU_DIR/three" v1 --layers 1 --layer-size 128K --seed 53)
for image in one two; do
  skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/$image:v1" "docker://$UP/library/$image:v1"
done
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/three:v1" "docker://$UP/library/two:v3"

tu_start_ground_control gc "$TU_DIR/gc"
GC_MGMT_LISTEN=$GC_MGMT GC_SAT_LISTEN=$GC_SAT  # a restart keeps the addresses
tu_gc_login
tu_gc PATCH /api/v1/satelliteconfigs/default \
  "{\"spec\":{\"upstream\":{\"url\":\"http://$UP\"},\"gcGrace\":\"2s\",\"runtimes\":[\"containerd\",\"k3s\"]}}" \
  application/merge-patch+json >/dev/null
tu_gc POST /api/v1/groups '{"metadata":{"name":"edge"},"spec":{"selector":{"matchLabels":{"site":"edge"}}}}' >/dev/null
post_state "$(entry library/one "$one" '["1.0"]')" "$(entry library/two "$two" '["2.0","stable"]')"
TOKEN=$(tu_gc POST /api/v1/satellites '{"metadata":{"name":"site-1","labels":{"site":"edge"}}}' |
  jq -r .enrollment.token)
[[ -n "$TOKEN" && "$TOKEN" != null ]] || tu_fail "no enrollment token for site-1"

# --- Enroll and converge ----------------------------------------------------------------------
TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" --ground-control "https://$GC_SAT" \
  --token "$TOKEN" --ca-file "$GC_CA" --resync-interval 1s --gc-grace 0s
SAT=$SAT_ADDR
converged() {
  [[ $(tu_raw_digest "$SAT/library/one:1.0") == "$one" ]] &&
    [[ $(tu_raw_digest "$SAT/library/two:stable") == "$two" ]]
}
tu_wait_for 60 converged || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "site-1 did not converge"
}
for file in key.pem cert.pem ca.pem; do
  tu_assert_eq 600 "$(stat -c %a "$TU_DIR/sat/identity/$file")" "mode of identity/$file"
done
tu_log "enrolled (identity 0600) and converged on the group's images"
# The runtimes the config names, configured from what the satellite recorded (as the
# privileged one-shot unit does at boot): no --mirror, --upstream or --runtime flags.
"$SATELLITE" mirror-config --data-dir "$TU_DIR/sat" --root "$TU_DIR/root" >"$TU_DIR/mirror.out"
grep -q "containerd: created .*/certs.d/$UP/hosts.toml" "$TU_DIR/mirror.out" &&
  grep -q "k3s: created .*/registries.yaml" "$TU_DIR/mirror.out" &&
  grep -q "http://$SAT" "$TU_DIR/root/etc/rancher/k3s/registries.yaml" || {
  cat "$TU_DIR/mirror.out" >&2
  tu_fail "mirror-config --data-dir did not configure the config's runtimes for $SAT"
}
reported() {
  tu_gc GET /api/v1/satellites/site-1 >"$TU_DIR/site-1.json" &&
    [[ $(jq -r '[.status.report.artifacts[]? | select(.state == "present")] | length' "$TU_DIR/site-1.json") == 2 ]] &&
    [[ $(jq -r .status.sync "$TU_DIR/site-1.json") == in-sync ]]
}
tu_wait_for 20 reported || {
  cat "$TU_DIR/site-1.json" >&2
  tu_fail "ground control does not show site-1's two artifacts present"
}
tu_log "ground control shows both artifacts present"

# --- One image unpullable: ground control shows it failed, with the reason ----------------------
missing=sha256:$(printf 'never pushed' | sha256sum | cut -d' ' -f1)
post_state "$(entry library/gone "$missing" '["v1"]')"
failed() {
  tu_gc GET /api/v1/satellites/site-1 >"$TU_DIR/site-1.json" &&
    jq -e '.status.report.artifacts[] | select(.repository == "library/gone" and .state == "failed")
           | select(.reason | test("not found"))' "$TU_DIR/site-1.json" >/dev/null
}
tu_wait_for 30 failed || {
  cat "$TU_DIR/site-1.json" >&2
  tu_fail "ground control does not show library/gone failed with its reason"
}
tu_assert_eq "$one" "$(tu_raw_digest "$SAT/library/one:1.0")" "library/one beside a failing image"
post_state "$(entry library/gone "$missing" '[]' true)"
tu_log "an unpullable image shows as failed with its reason; the others are unaffected"

# --- A tag moves: the long-poll brings it in seconds ------------------------------------------
moved_at=$SECONDS
post_state "$(entry library/two "$two" '[]' true)" "$(entry library/two "$three" '["stable"]')"
moved() { [[ $(tu_raw_digest "$SAT/library/two:stable") == "$three" ]]; }
tu_wait_for 30 moved || tu_fail "the moved tag did not reach site-1"
tu_log "the moved tag arrived in $((SECONDS - moved_at)) s (poll interval 300 s)"
gone() { ! skopeo inspect --raw --tls-verify=false "docker://$SAT/library/two@$two" >/dev/null 2>&1; }
tu_wait_for 30 gone || tu_fail "library/two@$two left the group but is still held"
tu_log "what left the group was removed after the grace"

# --- Ground control down: still serving; back: a change made meanwhile arrives ----------------
kill "$GC_PID"
wait "$GC_PID" 2>/dev/null || true
tu_assert_eq "$one" "$(tu_raw_digest "$SAT/library/one:1.0")" "library/one with ground control down"
skopeo copy -q --src-tls-verify=false "docker://$SAT/library/two:stable" "oci:$TU_DIR/copy:x" ||
  tu_fail "copy from site-1 with ground control down"
tu_start_ground_control gc2 "$TU_DIR/gc"
tu_gc_login
post_state "$(entry library/one "$one" '["1.0","lts"]')"
resumed() { [[ $(tu_raw_digest "$SAT/library/one:lts") == "$one" ]]; }
tu_wait_for 60 resumed || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "site-1 did not resume after ground control came back"
}
tu_log "ground control down: still serving; back: sync resumed by itself"

# --- Restart: the identity is reused, no token needed -----------------------------------------
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
TU_SAT_COMMAND=run tu_start_satellite sat2 "$TU_DIR/sat" --ground-control "https://$GC_SAT" \
  --resync-interval 1s --listen "$SAT"
post_state "$(entry library/one "$one" '["1.0","lts","v1"]')"
restarted() { [[ $(tu_raw_digest "$SAT/library/one:v1") == "$one" ]]; }
tu_wait_for 30 restarted || {
  tail -20 "$TU_DIR/sat2.log" >&2
  tu_fail "the restarted satellite did not follow ground control"
}
tu_log "restarted without a token: the stored identity is reused"

# --- Trust by pinned fingerprint ---------------------------------------------------------------
fingerprint=sha256:$(openssl x509 -in "$GC_CA" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
TOKEN2=$(tu_gc POST /api/v1/satellites '{"metadata":{"name":"site-2","labels":{"site":"edge"}}}' |
  jq -r .enrollment.token)
wrong=sha256:$(printf '%064d' 0)
TU_SAT_COMMAND=run tu_start_satellite wrongpin "$TU_DIR/wrongpin" --ground-control "https://$GC_SAT" \
  --token "$TOKEN2" --ca-fingerprint "$wrong"
tu_wait_for 20 grep -q "presents no CA certificate with fingerprint" "$TU_DIR/wrongpin.log" ||
  tu_fail "a wrong pin was not refused"
[[ ! -e "$TU_DIR/wrongpin/identity/cert.pem" ]] || tu_fail "enrolled despite a wrong pin"
kill "$SAT_PID"
TU_SAT_COMMAND=run tu_start_satellite pinned "$TU_DIR/pinned" --ground-control "https://$GC_SAT" \
  --token "$TOKEN2" --ca-fingerprint "$fingerprint"
PINNED=$SAT_ADDR
pinned() { [[ $(tu_raw_digest "$PINNED/library/one:1.0") == "$one" ]]; }
tu_wait_for 60 pinned || {
  tail -20 "$TU_DIR/pinned.log" >&2
  tu_fail "site-2 (pinned fingerprint) did not converge"
}
tu_log "a pinned fingerprint is trusted, a wrong one refused"

# --- Without a token: an enrollment request an admin approves ---------------------------------
TU_SAT_COMMAND=run tu_start_satellite asking "$TU_DIR/asking" --ground-control "https://$GC_SAT" \
  --enrollment-name site-3 --enrollment-label site=edge --ca-file "$GC_CA"
ASKING=$SAT_ADDR
pending() { [[ $(tu_gc GET /api/v1/enrollmentrequests/site-3 | jq -r .status.phase) == Pending ]]; }
tu_wait_for 20 pending || tu_fail "site-3's enrollment request did not reach ground control"
tu_gc POST /api/v1/enrollmentrequests/site-3/approval '{"approved":true}' >/dev/null
approved() { [[ $(tu_raw_digest "$ASKING/library/one:1.0") == "$one" ]]; }
tu_wait_for 60 approved || {
  tail -20 "$TU_DIR/asking.log" >&2
  tu_fail "site-3 did not converge after its enrollment request was approved"
}
tu_log "without a token: the enrollment request was approved and the satellite converged"

# --- Revoked: says so, keeps serving ----------------------------------------------------------
tu_gc POST /api/v1/satellites/site-2/revoke >/dev/null
post_state "$(entry library/one "$one" '["1.0"]')"
tu_wait_for 60 grep -q "revoked or unknown" "$TU_DIR/pinned.log" ||
  tu_fail "the revoked satellite does not say so"
tu_assert_eq "$one" "$(tu_raw_digest "$PINNED/library/one:1.0")" "a revoked satellite keeps serving"
tu_log "revoked: it says so and keeps serving what it holds"
echo ok
