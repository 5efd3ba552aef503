#!/usr/bin/env bash
# A group that follows the registry, and signed state when ground control is out of reach
# (issue 13), end to end on loopback. docker-registry is both the upstream and the central
# registry that ground control publishes signed state artifacts into (--state-endpoint, a key
# from `ground-control keygen`). A group's rule `library/app` semver `>=1.2` puts 1.2.0 on
# the satellite, not 1.1.0. Then the satellite can no longer reach ground control (it runs on
# another address), a new tag 1.3.0 is pushed upstream: ground control's rule picks it up and
# publishes a new signed group state, and the satellite follows it from the registry alone.
# A state artifact pushed into the registry without ground control's signature (naming an
# image the group never had) is refused, the refusal logged with its reason, and nothing of
# it is pulled; the satellite keeps serving what it holds. A restart with ground control
# still unreachable keeps refusing it; once ground control is in reach again, the satellite's
# status there shows the refusal. A second satellite in registry-only mode (--state-registry,
# no ground control at all) follows its published state from the flags' keys alone.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/ground_control.sh"

export COSIGN_PASSWORD=e2e-state
tu_start_docker_registry upstream
UP=$REG_ADDR
push() {  # TAG SEED: library/app:TAG upstream; prints its digest
  local digest
  digest=$(tu_gen_image "$TU_DIR/app-$1" "$1" --layers 1 --layer-size 64K --seed "$2")
  skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/app-$1:$1" "docker://$UP/library/app:$1"
  echo "$digest"
}
old=$(push 1.1.0 61)
v12=$(push 1.2.0 62)

"$GROUND_CONTROL" keygen --output-key-prefix "$TU_DIR/state" >/dev/null
GC_FLAGS=(--state-endpoint central --state-signing-key "$TU_DIR/state.key" --state-interval 1s
  --rule-interval 1s)
tu_start_ground_control gc "$TU_DIR/gc" "${GC_FLAGS[@]}"
GC_MGMT_LISTEN=$GC_MGMT  # the restart keeps the management address, not the satellite one
tu_gc_login
tu_gc POST /api/v1/registryendpoints \
  "{\"metadata\":{\"name\":\"central\"},\"spec\":{\"url\":\"http://$UP\"}}" >/dev/null
tu_gc PATCH /api/v1/satelliteconfigs/default \
  "{\"spec\":{\"upstream\":{\"url\":\"http://$UP\"},\"gcGrace\":\"0s\"}}" \
  application/merge-patch+json >/dev/null
tu_gc POST /api/v1/groups '{"metadata":{"name":"follow"},"spec":{"selector":{"matchLabels":{"site":"edge"}},
  "rules":[{"endpoint":"central","repository":"library/app","semver":">=1.2"}]}}' >/dev/null
TOKEN=$(tu_gc POST /api/v1/satellites '{"metadata":{"name":"site-1","labels":{"site":"edge"}}}' |
  jq -r .enrollment.token)

TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" --ground-control "https://$GC_SAT" \
  --token "$TOKEN" --ca-file "$GC_CA" --resync-interval 1s --state-poll-interval 1s
SAT=$SAT_ADDR
has() { [[ $(tu_raw_digest "$SAT/library/app:$1") == "$2" ]]; }
tu_wait_for 60 has 1.2.0 "$v12" || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "the rule's 1.2.0 did not reach the satellite"
}
! has 1.1.0 "$old" || tu_fail "1.1.0 is below the rule's range but was pulled"
learned() { jq -e '.registry.url == "http://'"$UP"'"' "$TU_DIR/sat/registry-state.json"; }
tu_wait_for 20 learned >/dev/null || tu_fail "the satellite did not learn the state registry"
tu_log "rule >=1.2 selected 1.2.0 only; the satellite knows where signed state is published"

# --- Ground control out of the satellite's reach; a new tag upstream -------------------------
GC_SAT_OLD=$GC_SAT
kill "$GC_PID"
wait "$GC_PID" 2>/dev/null || true
tu_start_ground_control gc2 "$TU_DIR/gc" "${GC_FLAGS[@]}"  # a new satellite port
v13=$(push 1.3.0 63)
tu_wait_for 60 has 1.3.0 "$v13" || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "1.3.0 did not reach the satellite through the signed state"
}
grep -q "following state registry http://$UP" "$TU_DIR/sat.log" ||
  tu_fail "the satellite does not say it follows the registry"
tu_log "ground control unreachable: 1.3.0 arrived through the signed group state"

# --- Registry-only: a satellite that never talks to ground control ---------------------------
tu_gc POST /api/v1/satellites '{"metadata":{"name":"site-2","labels":{"site":"edge"}}}' >/dev/null
published() { curl -sf "http://$UP/v2/satellite/satellite-state/site-2/state/tags/list" >/dev/null; }
tu_wait_for 30 published || tu_fail "ground control did not publish site-2's state"
MAIN_SAT_PID=$SAT_PID
TU_SAT_COMMAND=run tu_start_satellite sat3 "$TU_DIR/sat3" --state-registry "http://$UP" \
  --satellite-name site-2 --state-key "$TU_DIR/state.pub" --resync-interval 1s \
  --state-poll-interval 1s
ONLY=$SAT_ADDR
SAT_PID=$MAIN_SAT_PID
only_has() { [[ $(tu_raw_digest "$ONLY/library/app:$1") == "$2" ]]; }
tu_wait_for 60 only_has 1.3.0 "$v13" || {
  tail -20 "$TU_DIR/sat3.log" >&2
  tu_fail "the registry-only satellite did not follow its signed state"
}
only_has 1.2.0 "$v12" || tu_fail "the registry-only satellite lacks 1.2.0"
[[ ! -e "$TU_DIR/sat3/identity" ]] || tu_fail "the registry-only satellite made an identity"
tu_log "registry-only: site-2 holds the group's images from the signed state alone"

# --- A state artifact without ground control's signature is refused --------------------------
intruder=$(tu_gen_image "$TU_DIR/intruder" evil --layers 1 --layer-size 16K --seed 66)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/intruder:evil" "docker://$UP/library/evil:1"
python3 - "$UP" "$intruder" <<'PUSH'
import hashlib, json, sys, urllib.request
registry, digest = sys.argv[1], sys.argv[2]
repo = "satellite/group-state/follow/state"
kind = "application/vnd.goharbor.satellite.group-state.v1+json"
def call(method, path, data=b"", content_type="application/octet-stream"):
    request = urllib.request.Request(f"http://{registry}{path}", data=data, method=method,
                                     headers={"Content-Type": content_type})
    return urllib.request.urlopen(request, timeout=30)
def blob(data):
    sha = "sha256:" + hashlib.sha256(data).hexdigest()
    location = call("POST", f"/v2/{repo}/blobs/uploads/").headers["Location"]
    location = location.removeprefix(f"http://{registry}")
    call("PUT", f"{location}{'&' if '?' in location else '?'}digest={sha}", data)
    return {"digest": sha, "size": len(data)}
document = json.dumps({"apiVersion": "satellite/v1", "kind": "GroupState", "group": "follow",
                       "version": 1000, "artifacts": [{"repository": "library/evil",
                       "digest": digest, "tags": ["1"], "type": "IMAGE"}]},
                      separators=(",", ":"), sort_keys=True).encode()
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": kind,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", **blob(b"{}")},
            "layers": [{"mediaType": kind, **blob(document),
                        "annotations": {"org.opencontainers.image.title": "state.json"}}],
            "annotations": {"io.goharbor.satellite.state.version": "1000"}}
call("PUT", f"/v2/{repo}/manifests/latest", json.dumps(manifest).encode(),
     "application/vnd.oci.image.manifest.v1+json")
PUSH
refused() { grep -q "satellite/group-state/follow/state: .*signature" "$TU_DIR/sat.log"; }
tu_wait_for 30 refused || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "the unsigned state artifact was not refused with its reason"
}
sleep 2
! skopeo inspect --raw --tls-verify=false "docker://$SAT/library/evil:1" >/dev/null 2>&1 ||
  tu_fail "the satellite pulled what an unsigned state named"
has 1.3.0 "$v13" || tu_fail "the satellite stopped serving 1.3.0 after a refused state"
tu_log "an unsigned state artifact was refused and reported; what is held is still served"

# --- Restart, ground control still unreachable: the registry is still followed ---------------
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
TU_SAT_COMMAND=run tu_start_satellite sat2 "$TU_DIR/sat" --ground-control "https://$GC_SAT_OLD" \
  --resync-interval 1s --state-poll-interval 1s --listen "$SAT"
tu_wait_for 30 grep -q "satellite/group-state/follow/state: .*signature" "$TU_DIR/sat2.log" ||
  tu_fail "after a restart the unsigned state was not refused again"
has 1.3.0 "$v13" || tu_fail "the restarted satellite does not serve 1.3.0"
tu_log "restarted without ground control: still refusing the unsigned state, still serving"

# --- Ground control in reach again: it shows the refusal ---------------------------------------
kill "$GC_PID"
wait "$GC_PID" 2>/dev/null || true
GC_SAT_LISTEN=$GC_SAT_OLD tu_start_ground_control gc3 "$TU_DIR/gc" "${GC_FLAGS[@]}"
tu_gc_login
shown() {
  tu_gc GET /api/v1/satellites/site-1 >"$TU_DIR/site-1.json" &&
    jq -e '.status.report.stateRefusal | test("satellite/group-state/follow/state.*not signed")' \
      "$TU_DIR/site-1.json" >/dev/null
}
tu_wait_for 60 shown || {
  cat "$TU_DIR/site-1.json" >&2
  tu_fail "ground control does not show the satellite's refusal"
}
tu_log "back in reach: ground control shows why the satellite refused the state"
