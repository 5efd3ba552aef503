#!/usr/bin/env bash
# The satellite's registry over HTTPS with a certificate from ground control's CA, on
# loopback. Ground control's config names 127.0.0.1 and localhost as the registry's server
# names; a satellite started with --tls-listen enrolls, gets its serving certificate (key
# made on the device, 0600) and opens the HTTPS listener. curl and skopeo pull over it
# trusting ground control's CA (skopeo through the certs.d directory `mirror-config
# --runtime docker --ca-file` writes); without the CA they refuse it. Another name in the
# config brings a new certificate to the running listener (same process, same port). A
# restart with ground control down serves the certificate it holds.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/ground_control.sh"

command -v openssl >/dev/null || tu_skip "openssl not installed"

served_sans() {  # ADDR: the subjectAltNames of the certificate served there
  openssl s_client -connect "$1" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' '
}

# --- Ground control with server names in its config ------------------------------------------
tu_start_ground_control gc "$TU_DIR/gc"
tu_gc_login
tu_gc PATCH /api/v1/satelliteconfigs/default \
  '{"spec":{"registry":{"serverNames":["127.0.0.1","localhost"]}}}' \
  application/merge-patch+json >/dev/null
TOKEN=$(tu_gc POST /api/v1/satellites '{"metadata":{"name":"site-1"}}' | jq -r .enrollment.token)
[[ -n "$TOKEN" && "$TOKEN" != null ]] || tu_fail "no enrollment token for site-1"

# --- Enroll: the HTTPS listener comes up with the serving certificate ------------------------
TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" --ground-control "https://$GC_SAT" \
  --token "$TOKEN" --ca-file "$GC_CA" --tls-listen 127.0.0.1:0
tu_wait_for 30 grep -q '^tls listening on ' "$TU_DIR/sat.out" || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "the HTTPS listener did not come up"
}
TLS=$(sed -n 's/^tls listening on //p' "$TU_DIR/sat.out" | head -1)
PORT=${TLS##*:}
for file in serving-key.pem serving-cert.pem serving-ca.pem; do
  tu_assert_eq 600 "$(stat -c %a "$TU_DIR/sat/identity/$file")" "mode of identity/$file"
done
tu_assert_eq "DNS:localhost,IPAddress:127.0.0.1" "$(served_sans "$TLS" | tr ',' '\n' | sort | paste -sd,)" \
  "the served certificate's names"
tu_log "enrolled; HTTPS on $TLS with a certificate for 127.0.0.1 and localhost"

# --- Clients trust it by ground control's CA, and only by it ---------------------------------
for host in 127.0.0.1 localhost; do
  curl -sSf --cacert "$GC_CA" "https://$host:$PORT/v2/" >/dev/null ||
    tu_fail "curl --cacert over https://$host:$PORT/v2/"
done
rc=0
curl -sS "https://127.0.0.1:$PORT/v2/" >/dev/null 2>"$TU_DIR/curl.err" || rc=$?
tu_assert_eq 60 "$rc" "curl without ground control's CA (certificate verification)"
tu_log "curl verifies it with ground control's CA and refuses it without"

image=$(tu_gen_image "$TU_DIR/app" v1 --layers 2 --layer-size 64K --seed 61)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/app:v1" "docker://$SAT_ADDR/library/app:v1"
"$SATELLITE" mirror-config --runtime docker --root "$TU_DIR/root" --mirror "127.0.0.1:$PORT" \
  --upstream docker.io --ca-file "$TU_DIR/sat/identity/serving-ca.pem" >/dev/null
CERTS="$TU_DIR/root/etc/docker/certs.d/127.0.0.1:$PORT"
[[ -s "$CERTS/ca.crt" ]] || tu_fail "mirror-config --ca-file wrote no $CERTS/ca.crt"
tu_assert_eq "$image" \
  "$(skopeo inspect --tls-verify=true --cert-dir "$CERTS" "docker://127.0.0.1:$PORT/library/app:v1" |
    jq -r .Digest)" "skopeo inspect over HTTPS with the certs.d mirror-config wrote"
mkdir -p "$TU_DIR/empty"  # a cert dir without the CA: only the system's roots
if skopeo inspect --tls-verify=true --cert-dir "$TU_DIR/empty" \
  "docker://127.0.0.1:$PORT/library/app:v1" >/dev/null 2>&1; then
  tu_fail "skopeo trusted the satellite without ground control's CA"
fi
tu_log "skopeo pulls over HTTPS with the CA mirror-config put in certs.d; without it, refused"

# --- Other names: a new certificate on the running listener ----------------------------------
rc=0
curl -sS --cacert "$GC_CA" --resolve "registry.site-1.test:$PORT:127.0.0.1" \
  "https://registry.site-1.test:$PORT/v2/" >/dev/null 2>&1 || rc=$?
tu_assert_eq 60 "$rc" "a name the certificate does not hold yet"
tu_gc PATCH /api/v1/satelliteconfigs/default \
  '{"spec":{"registry":{"serverNames":["registry.site-1.test","127.0.0.1","localhost"]}}}' \
  application/merge-patch+json >/dev/null
renamed() { served_sans "$TLS" | grep -q 'DNS:registry.site-1.test'; }
tu_wait_for 90 renamed || {
  tail -20 "$TU_DIR/sat.log" >&2
  tu_fail "the listener does not serve a certificate for the new name"
}
curl -sSf --cacert "$GC_CA" --resolve "registry.site-1.test:$PORT:127.0.0.1" \
  "https://registry.site-1.test:$PORT/v2/" >/dev/null || tu_fail "curl by the new name"
kill -0 "$SAT_PID" || tu_fail "the satellite is gone"
tu_assert_eq 1 "$(grep -c '^tls listening on ' "$TU_DIR/sat.out")" "HTTPS listeners started"
tu_log "a new name in the config: a new certificate on the same listener, no restart"

# --- Ground control down: a restart serves the certificate held ------------------------------
kill "$GC_PID"
wait "$GC_PID" 2>/dev/null || true
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
TU_SAT_COMMAND=run tu_start_satellite sat2 "$TU_DIR/sat" --ground-control "https://$GC_SAT" \
  --tls-listen "127.0.0.1:$PORT"
tu_wait_for 10 grep -q '^tls listening on ' "$TU_DIR/sat2.out" || {
  tail -20 "$TU_DIR/sat2.log" >&2
  tu_fail "no HTTPS listener after a restart with ground control down"
}
tu_assert_eq "$image" \
  "$(skopeo inspect --tls-verify=true --cert-dir "$CERTS" "docker://127.0.0.1:$PORT/library/app:v1" |
    jq -r .Digest)" "skopeo over HTTPS with ground control down"
tu_log "ground control down: a restart serves the certificate it holds"
