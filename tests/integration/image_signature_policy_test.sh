#!/usr/bin/env bash
# Image signature policy (issue 13, docs/signatures.md): a headless satellite follows a state
# document whose group `edge` has a signaturePolicies entry. The upstream docker-registry holds
# four images: one signed by cosign 2.5 with a key `ground-control keygen` made, one unsigned,
# one signed by another key, and one whose signature tag holds the first image's signature (a
# signature moved onto another image). Under enforce only the first is served; the others are
# not, and the log and /metrics say why; in proxy mode an image no state names follows the
# same policy (a signed one is served, an unsigned one refused). Under warn (restart, same data dir) the others are
# served and the log says what is wrong with them. Then, with the upstream gone, cosign
# verifies the signed image against the satellite (the signature was replicated with it) and
# refuses the unsigned one. Back to enforce with the upstream still gone, the held images
# without a trusted signature are withdrawn (checked against the replicated signatures).
source "$(dirname "$0")/../testutil/lib.sh"
: "${GROUND_CONTROL:?GROUND_CONTROL must point at the ground-control binary}"
[[ -n "${COSIGN:-}" && -x "$COSIGN" ]] ||
  tu_fail "cosign is missing (COSIGN='${COSIGN:-}'): run scripts/bootstrap, which unpacks Debian 13's cosign 2.5 into .tools/cosign"

export COSIGN_PASSWORD=test-passphrase
export HOME=$TU_DIR/home # cosign's own state stays in the test's dir
mkdir -p "$HOME"
cosign() { "$COSIGN" "$@" >>"$TU_DIR/cosign.log" 2>&1; }
cosign_sign() { # KEY REF
  cosign sign --key "$1" --tlog-upload=false --allow-http-registry -y "$2" ||
    tu_fail "cosign sign $2: $(tail -5 "$TU_DIR/cosign.log")"
}
cosign_verify() { # PUB REF
  cosign verify --key "$1" --insecure-ignore-tlog=true --allow-http-registry "$2"
}

# --- Keys, images, signatures upstream --------------------------------------------------------
"$GROUND_CONTROL" keygen --output-key-prefix "$TU_DIR/ours" >"$TU_DIR/keygen.log" 2>&1 ||
  tu_fail "ground-control keygen: $(cat "$TU_DIR/keygen.log")"
"$GROUND_CONTROL" keygen --output-key-prefix "$TU_DIR/other" >>"$TU_DIR/keygen.log" 2>&1 ||
  tu_fail "ground-control keygen: $(cat "$TU_DIR/keygen.log")"

tu_start_docker_registry upstream
UP=$REG_ADDR
UP_PID=$REG_PID
declare -A digest=()
seed=40
for name in signed unsigned foreign moved extra stray; do
  seed=$((seed + 1))
  digest[$name]=$(tu_gen_image "$TU_DIR/$name" v1 --layers 1 --layer-size 64K --seed "$seed")
  skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/$name:v1" "docker://$UP/library/$name:v1"
done
# signed and moved share the repository library/signed so that a signature can be moved.
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/moved:v1" "docker://$UP/library/signed:moved"
cosign_sign "$TU_DIR/ours.key" "$UP/library/signed@${digest[signed]}"
cosign_sign "$TU_DIR/other.key" "$UP/library/foreign@${digest[foreign]}"
cosign_sign "$TU_DIR/ours.key" "$UP/library/extra@${digest[extra]}" # for the proxy: in no state
sig_tag() { echo "sha256-${1#sha256:}.sig"; }
accept='application/vnd.oci.image.manifest.v1+json'
curl -sf -H "Accept: $accept" "http://$UP/v2/library/signed/manifests/$(sig_tag "${digest[signed]}")" \
  >"$TU_DIR/signature.json" || tu_fail "cosign's signature of library/signed is not upstream"
curl -sf -X PUT -H "Content-Type: $accept" --data-binary "@$TU_DIR/signature.json" \
  "http://$UP/v2/library/signed/manifests/$(sig_tag "${digest[moved]}")" >/dev/null ||
  tu_fail "moving the signature onto library/signed@${digest[moved]}"
cosign_verify "$TU_DIR/ours.pub" "$UP/library/signed@${digest[signed]}" ||
  tu_fail "cosign does not verify its own signature upstream"
tu_log "upstream: library/signed signed by our key, library/foreign by another, library/unsigned not, and a moved signature"

# --- The state document -----------------------------------------------------------------------
write_state() { # MODE
  local pem entries=()
  pem=$(jq -Rs . <"$TU_DIR/ours.pub")
  entries+=("$(printf '{"repository":"library/signed","digest":"%s","tags":["v1"],"type":"IMAGE","groups":["edge"]}' "${digest[signed]}")")
  entries+=("$(printf '{"repository":"library/signed","digest":"%s","tags":["moved"],"type":"IMAGE","groups":["edge"]}' "${digest[moved]}")")
  entries+=("$(printf '{"repository":"library/unsigned","digest":"%s","tags":["v1"],"type":"IMAGE","groups":["edge","lab"]}' "${digest[unsigned]}")")
  entries+=("$(printf '{"repository":"library/foreign","digest":"%s","tags":["v1"],"type":"IMAGE","groups":["edge"]}' "${digest[foreign]}")")
  local IFS=,
  cat >"$TU_DIR/state.json.tmp" <<STATE
{"apiVersion":"satellite/v1","kind":"SatelliteState","satellite":"site-1","groups":["edge","lab"],
 "artifacts":[${entries[*]}],"upstream":{"url":"http://$UP"},
 "signaturePolicies":{"edge":{"mode":"$1","publicKeys":[$pem]},"lab":{"mode":"off","publicKeys":[]}}}
STATE
  mv "$TU_DIR/state.json.tmp" "$TU_DIR/state.json"
}
start_satellite() { # NAME [flags...]
  local name=$1
  shift
  TU_SAT_COMMAND=run tu_start_satellite "$name" "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
    --state-poll-interval 1s --resync-interval 1s "$@"
}
served() { skopeo inspect --raw --tls-verify=false "docker://$SAT/$1" >/dev/null 2>&1; }
failed_count() {
  curl -sf "http://$SAT/metrics" | sed -n 's/^satellite_sync_artifacts{phase="failed"} //p'
}

# --- enforce ----------------------------------------------------------------------------------
write_state enforce
start_satellite sat --proxy
SAT=$SAT_ADDR
signed_served() { [[ $(tu_raw_digest "$SAT/library/signed:v1") == "${digest[signed]}" ]]; }
tu_wait_for 30 signed_served || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "under enforce the image signed by a trusted key is not served"
}
refused() { # REPO DIGEST REASON
  grep -F "pull of $1@$2 failed" "$TU_DIR/sat.log" | grep -qF "signature policy enforce: $3"
}
tu_wait_for 20 refused library/unsigned "${digest[unsigned]}" "no cosign signature (no tag $(sig_tag "${digest[unsigned]}") upstream)" ||
  tu_fail "no log line says why library/unsigned is refused: $(grep -F library/unsigned "$TU_DIR/sat.log" | tail -3)"
tu_wait_for 20 refused library/foreign "${digest[foreign]}" "signed by no trusted key" ||
  tu_fail "no log line says why library/foreign is refused: $(grep -F library/foreign "$TU_DIR/sat.log" | tail -3)"
tu_wait_for 20 refused library/signed "${digest[moved]}" "signed by a trusted key for another digest ${digest[signed]}" ||
  tu_fail "no log line says why the moved signature is refused: $(grep -F "${digest[moved]}" "$TU_DIR/sat.log" | tail -3)"
for ref in "library/unsigned@${digest[unsigned]}" "library/unsigned:v1" "library/foreign@${digest[foreign]}" \
  "library/signed@${digest[moved]}" "library/signed:moved"; do
  if served "$ref"; then tu_fail "under enforce the satellite serves $ref"; fi
done
tu_assert_eq 3 "$(failed_count)" "satellite_sync_artifacts{phase=\"failed\"} under enforce"
tu_log "enforce: the signed image is served; the unsigned, foreign-signed and moved-signature ones are not, and the log and /metrics say why"
# Proxy mode: images no state names follow the strictest policy of the state's groups.
served "library/extra:v1" || tu_fail "under enforce the proxy does not serve a signed image: $(tail -3 "$TU_DIR/sat.log")"
if served "library/stray:v1"; then tu_fail "under enforce the proxy serves an unsigned image"; fi
grep -F "proxy: library/stray:v1:" "$TU_DIR/sat.log" | grep -qF "signature policy enforce: no cosign signature" ||
  tu_fail "the proxy's refusal of library/stray does not say why: $(grep -F stray "$TU_DIR/sat.log" | tail -2)"
tu_log "enforce through the proxy: a signed image no state names is served, an unsigned one refused"

# --- warn -------------------------------------------------------------------------------------
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
write_state warn
start_satellite sat2 --listen "$SAT"
all_served() {
  served "library/unsigned:v1" && served "library/foreign:v1" && served "library/signed:moved"
}
tu_wait_for 30 all_served || {
  tail -20 "$TU_DIR/sat2.log" >&2
  tu_fail "under warn the images without a valid signature are not served"
}
tu_assert_eq "${digest[unsigned]}" "$(tu_raw_digest "$SAT/library/unsigned:v1")" "library/unsigned:v1 under warn"
grep -F "library/unsigned@${digest[unsigned]} stored although signature policy warn: no cosign signature" \
  "$TU_DIR/sat2.log" >/dev/null || tu_fail "under warn the log does not say library/unsigned is unsigned"
grep -F "library/foreign@${digest[foreign]} stored although signature policy warn: signed by no trusted key" \
  "$TU_DIR/sat2.log" >/dev/null || tu_fail "under warn the log does not say library/foreign has no trusted signature"
tu_assert_eq 0 "$(failed_count)" "satellite_sync_artifacts{phase=\"failed\"} under warn"
tu_log "warn: every image is served, and the log says which signatures did not verify"

# --- cosign verify against the satellite, offline ---------------------------------------------
kill "$UP_PID"
wait "$UP_PID" 2>/dev/null || true
cosign_verify "$TU_DIR/ours.pub" "$SAT/library/signed@${digest[signed]}" ||
  tu_fail "cosign verify against the satellite (upstream down): $(tail -5 "$TU_DIR/cosign.log")"
cosign_verify "$TU_DIR/other.pub" "$SAT/library/foreign@${digest[foreign]}" ||
  tu_fail "cosign verify of library/foreign with its signer's key against the satellite: $(tail -5 "$TU_DIR/cosign.log")"
if cosign_verify "$TU_DIR/ours.pub" "$SAT/library/unsigned@${digest[unsigned]}"; then
  tu_fail "cosign verifies the unsigned image against the satellite"
fi
if cosign_verify "$TU_DIR/ours.pub" "$SAT/library/foreign@${digest[foreign]}"; then
  tu_fail "cosign verifies library/foreign with a key that did not sign it"
fi
tu_log "offline: cosign verifies the signed images against the satellite and refuses the unsigned one"

# --- enforce again, upstream still down: what is held without a valid signature is withdrawn --
write_state enforce
withdrawn() {
  ! served "library/unsigned:v1" && ! served "library/foreign@${digest[foreign]}" &&
    ! served "library/signed:moved"
}
tu_wait_for 30 withdrawn || {
  tail -20 "$TU_DIR/sat2.log" >&2
  tu_fail "held images without a trusted signature are still served after the policy became enforce"
}
[[ $(tu_raw_digest "$SAT/library/signed:v1") == "${digest[signed]}" ]] ||
  tu_fail "the image signed by a trusted key stopped being served"
grep -F "library/foreign@${digest[foreign]} is no longer served under signature policy enforce (signed by no trusted key" \
  "$TU_DIR/sat2.log" >/dev/null || tu_fail "the log does not say why library/foreign was withdrawn"
tu_log "enforce again: held images without a trusted signature are withdrawn, checked against the replicated signatures"
echo ok
