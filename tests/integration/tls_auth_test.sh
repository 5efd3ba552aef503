#!/usr/bin/env bash
# TLS, basic auth (bcrypt and argon2id htpasswd entries) on /v2/ and /metrics, read-only
# mode, limits, health, metrics and graceful shutdown, as a client sees them.
source "$(dirname "$0")/../testutil/lib.sh"

# --- TLS with a self-signed certificate for 127.0.0.1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$TU_DIR/tls.key" -out "$TU_DIR/tls.crt" 2>/dev/null

# --- htpasswd with one bcrypt and one argon2id user
htpasswd -nbB alice s3cret >"$TU_DIR/htpasswd"
echo "bob:$(echo -n hunter2 | argon2 "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" -id -e -t 2 -m 12 -p 1)" \
  >>"$TU_DIR/htpasswd"

tu_start_satellite secure "$TU_DIR/data" --tls-cert "$TU_DIR/tls.crt" --tls-key "$TU_DIR/tls.key" \
  --htpasswd "$TU_DIR/htpasswd" --access-log
base="https://$SAT_ADDR"
tls=(--cacert "$TU_DIR/tls.crt")

tu_log "TLS handshake and the auth challenge"
tu_assert_eq 401 "$(tu_status GET "$base/v2/" "${tls[@]}")" "anonymous /v2/"
challenge=$(curl -s -D - -o /dev/null "${tls[@]}" "$base/v2/" | tr -d '\r' | grep -i '^www-authenticate:')
[[ "$challenge" == *'Basic realm="satellite"'* ]] || tu_fail "no Basic challenge: $challenge"
code=$(curl -s "${tls[@]}" "$base/v2/" | jq -r '.errors[0].code')
tu_assert_eq UNAUTHORIZED "$code" "error code without credentials"
tu_assert_eq 401 "$(tu_status GET "$base/v2/" "${tls[@]}" -u alice:wrong)" "wrong password"
tu_assert_eq 401 "$(tu_status GET "$base/v2/" "${tls[@]}" -u mallory:s3cret)" "unknown user"
tu_assert_eq 200 "$(tu_status GET "$base/v2/" "${tls[@]}" -u alice:s3cret)" "bcrypt user"
tu_assert_eq 200 "$(tu_status GET "$base/v2/" "${tls[@]}" -u bob:hunter2)" "argon2id user"
tu_assert_eq 000 "$(tu_status GET "http://$SAT_ADDR/v2/" -u alice:s3cret --max-time 5 || true)" "plain HTTP on a TLS port"

tu_log "skopeo pushes and pulls over TLS with credentials"
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 2 --layer-size 256K --seed 3)
mkdir -p "$TU_DIR/certs"
cp "$TU_DIR/tls.crt" "$TU_DIR/certs/ca.crt"
skopeo copy -q --dest-cert-dir "$TU_DIR/certs" --dest-creds alice:s3cret "oci:$TU_DIR/image:v1" \
  "docker://$SAT_ADDR/secure/app:v1"
remote=$(skopeo inspect --cert-dir "$TU_DIR/certs" --creds bob:hunter2 --format '{{.Digest}}' \
  "docker://$SAT_ADDR/secure/app:v1")
tu_assert_eq "$digest" "$remote" "digest over TLS"
if skopeo inspect --cert-dir "$TU_DIR/certs" "docker://$SAT_ADDR/secure/app:v1" >/dev/null 2>&1; then
  tu_fail "anonymous pull succeeded"
fi

tu_log "secrets never reach the log"
if grep -qiE 's3cret|hunter2|authorization|Basic [A-Za-z0-9+/=]{8,}' "$TU_DIR/secure.log"; then
  tu_fail "a credential appears in the log"
fi
grep -q 'route=manifest' "$TU_DIR/secure.log" || tu_fail "access log has no manifest line"

tu_log "health is open; metrics need the same credentials as /v2/"
tu_assert_eq 200 "$(tu_status GET "$base/healthz" "${tls[@]}")" "healthz"
tu_assert_eq 401 "$(tu_status GET "$base/metrics" "${tls[@]}")" "anonymous /metrics"
tu_assert_eq 401 "$(tu_status GET "$base/metrics" "${tls[@]}" -u alice:wrong)" "/metrics, wrong password"
tu_assert_eq 200 "$(tu_status GET "$base/metrics" "${tls[@]}" -u bob:hunter2)" "/metrics with credentials"
metrics=$(curl -s "${tls[@]}" -u alice:s3cret "$base/metrics")
grep -q '^registry_http_requests_total{route="manifest",status="200"} [1-9]' <<<"$metrics" ||
  tu_fail "no manifest request counter"
grep -q '^registry_http_request_duration_seconds_bucket{route="blob",le="+Inf"} [1-9]' <<<"$metrics" ||
  tu_fail "no blob latency histogram"
grep -q '^registry_storage_blobs [1-9]' <<<"$metrics" || tu_fail "no stored blob gauge"
grep -q '^registry_http_response_bytes_total [1-9]' <<<"$metrics" || tu_fail "no bytes counter"

tu_log "limits: oversized header"
big=$(head -c 20000 /dev/zero | tr '\0' a)
tu_assert_eq 431 "$(tu_status GET "$base/v2/" "${tls[@]}" -H "X-Big: $big")" "20 KB header"

tu_log "graceful stop: SIGTERM lets the satellite exit 0 and keeps the data"
kill -TERM "$SAT_PID"
wait "$SAT_PID" || tu_fail "satellite exited non-zero after SIGTERM"

tu_log "read-only mode refuses writes and serves reads"
tu_start_satellite ro "$TU_DIR/data" --read-only
tu_assert_eq 200 "$(tu_status GET "http://$SAT_ADDR/v2/secure/app/manifests/v1" \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json')" "read in read-only mode"
tu_assert_eq 405 "$(tu_status POST "http://$SAT_ADDR/v2/secure/app/blobs/uploads/")" "push in read-only mode"
code=$(curl -s -X DELETE "http://$SAT_ADDR/v2/secure/app/manifests/v1" | jq -r '.errors[0].code')
tu_assert_eq UNSUPPORTED "$code" "delete in read-only mode"

tu_log "a second process cannot use the same data dir"
if "$SATELLITE" serve --data-dir "$TU_DIR/data" --listen 127.0.0.1:0 >"$TU_DIR/second.out" 2>&1; then
  tu_fail "second satellite started on a locked data dir"
fi
grep -q 'in use' "$TU_DIR/second.out" || tu_fail "no clear message for a locked data dir"
echo ok
