#!/usr/bin/env bash
# Authentication under attack, as a client sees it: /metrics needs credentials, a burst of
# wrong passwords from one address ends in 429 (Retry-After) without further hash checks,
# credentials already verified keep passing from that address, other addresses are not
# affected, and pushes and pulls keep working while other clients hammer wrong passwords.
# Source addresses 127.0.0.x stand for a site's hosts (loopback answers the whole /8).
source "$(dirname "$0")/../testutil/lib.sh"

htpasswd -nbB alice s3cret >"$TU_DIR/htpasswd"
htpasswd -nbB bob hunter2 >>"$TU_DIR/htpasswd"
htpasswd -nbB -C 8 carol letmein >>"$TU_DIR/htpasswd" # the costlier one the attackers try

# A refill slower than the test, so no token comes back meanwhile; a short queue of checks.
tu_start_satellite auth "$TU_DIR/data" --htpasswd "$TU_DIR/htpasswd" --login-burst 5 \
  --login-refill 60s --auth-max-pending 4 --access-log
base="http://$SAT_ADDR"

# from ADDRESS METHOD URL [curl args...]: the status of a request sent from ADDRESS.
from() {
  local address=$1
  shift
  tu_status "$@" --interface "$address"
}

tu_log "/metrics needs credentials, /healthz does not"
tu_assert_eq 401 "$(tu_status GET "$base/metrics")" "anonymous /metrics"
tu_assert_eq 200 "$(tu_status GET "$base/metrics" -u alice:s3cret)" "/metrics with credentials"
tu_assert_eq 200 "$(tu_status GET "$base/healthz")" "anonymous /healthz"

tu_log "a burst of wrong passwords from one address ends in 429"
tu_assert_eq 200 "$(from 127.0.0.3 GET "$base/v2/" -u alice:s3cret)" "alice, verified once"
for i in 1 2 3 4 5; do
  tu_assert_eq 401 "$(from 127.0.0.3 GET "$base/v2/" -u alice:wrong$i)" "wrong password $i"
done
headers=$(curl -s -D - -o "$TU_DIR/limited.json" --interface 127.0.0.3 -u alice:wrong6 "$base/v2/" |
  tr -d '\r')
[[ "$headers" == "HTTP/1.1 429"* ]] || tu_fail "6th wrong password: $(head -1 <<<"$headers")"
retry=$(sed -n 's/^retry-after: //Ip' <<<"$headers")
((retry >= 1 && retry <= 60)) || tu_fail "Retry-After '$retry'"
tu_assert_eq TOOMANYREQUESTS "$(jq -r '.errors[0].code' "$TU_DIR/limited.json")" "error code"
tu_assert_eq 429 "$(from 127.0.0.3 GET "$base/v2/" -u mallory:x)" "unknown user while limited"

tu_log "while limited: verified credentials pass (no hash needed), others wait"
tu_assert_eq 200 "$(from 127.0.0.3 GET "$base/v2/" -u alice:s3cret)" "alice, already verified"
tu_assert_eq 429 "$(from 127.0.0.3 GET "$base/v2/" -u bob:hunter2)" "bob, not verified yet"
tu_assert_eq 401 "$(from 127.0.0.3 GET "$base/v2/")" "anonymous probe still gets the challenge"
tu_assert_eq 200 "$(from 127.0.0.4 GET "$base/v2/" -u bob:hunter2)" "bob from another address"
tu_assert_eq 401 "$(from 127.0.0.4 GET "$base/v2/" -u alice:wrong)" "another address has its own bucket"

tu_log "pushes and pulls keep working while ten hosts hammer wrong passwords"
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 3 --layer-size 512K --seed 5)
tu_assert_eq 200 "$(tu_status GET "$base/v2/" -u bob:hunter2)" "bob verified from the pusher's address"
hammer() { # hammer ADDRESS SECONDS: wrong passwords for carol, one at a time, for SECONDS
  local deadline=$((SECONDS + $2)) n=0
  while ((SECONDS < deadline)); do
    curl -s --interface "$1" -u "carol:guess$((n++))" -w ' %{http_code}\n' "$base/v2/" || true
  done
}
hammers=()
for host in $(seq 10 19); do
  tu_spawn "$TU_DIR/hammer.$host" hammer "127.0.0.$host" 6
  hammers+=("$TU_LAST_PID")
done
started=$SECONDS
skopeo copy -q --dest-tls-verify=false --dest-creds bob:hunter2 "oci:$TU_DIR/image:v1" \
  "docker://$SAT_ADDR/limits/app:v1"
skopeo copy -q --src-tls-verify=false --src-creds bob:hunter2 "docker://$SAT_ADDR/limits/app:v1" \
  "oci:$TU_DIR/back:v1"
pushed_in=$((SECONDS - started))
back=$(skopeo inspect --format '{{.Digest}}' "oci:$TU_DIR/back:v1")
tu_assert_eq "$digest" "$back" "digest pulled back during the hammering"
for pid in "${hammers[@]}"; do wait "$pid" || true; done
cat "$TU_DIR"/hammer.* >"$TU_DIR/hammer.all"
tu_log "push and pull took ${pushed_in}s; hammer answers: $(sed 's/.*"message":"\([^"]*\)".* \([0-9]*\)$/\2 \1,/' \
  "$TU_DIR/hammer.all" | sort | uniq -c | tr -s ' \n' ' ')"
grep -q ' 401$' "$TU_DIR/hammer.all" || tu_fail "no wrong password was checked"
# Which limit answers first (the host's burst or the full queue of checks) depends on how
# fast this machine hashes; one of them must have.
grep -qE '(too many failed logins from this address|too many password checks in progress).* 429$' \
  "$TU_DIR/hammer.all" || tu_fail "no hammering request was refused with 429"
if grep -vqE ' (401|429)$' "$TU_DIR/hammer.all"; then
  tu_fail "a wrong password got another answer: $(grep -vE ' (401|429)$' "$TU_DIR/hammer.all" | head -1)"
fi
tu_assert_eq 200 "$(tu_status GET "$base/healthz")" "healthz after the hammering"

tu_log "secrets never reach the log"
if grep -qiE 's3cret|hunter2|letmein|guess|authorization' "$TU_DIR/auth.log"; then
  tu_fail "a credential appears in the log"
fi
echo ok
