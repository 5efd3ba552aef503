#!/usr/bin/env bash
# Helpers for tests that run the real ground control (GROUND_CONTROL, set by ctest): start it
# on free loopback ports with an embedded database, log in as admin, call its management
# API. Source after lib.sh.
: "${GROUND_CONTROL:?GROUND_CONTROL must point at the ground-control binary}"

# tu_start_ground_control NAME DATA_DIR [serve flags...]: sets GC_MGMT, GC_SAT (host:port of
# the management and satellite APIs), GC_CA (its CA bundle), GC_PID and GC_ADMIN_PASSWORD
# (only on the first start of DATA_DIR).
tu_start_ground_control() {
  local name=$1 data=$2
  shift 2
  local out="$TU_DIR/$name.out"
  "$GROUND_CONTROL" serve --data-dir "$data" --management-listen "${GC_MGMT_LISTEN:-127.0.0.1:0}" \
    --satellite-listen "${GC_SAT_LISTEN:-127.0.0.1:0}" "$@" >"$out" 2>"$TU_DIR/$name.log" &
  GC_PID=$!
  TU_PIDS+=("$GC_PID")
  tu_wait_for 20 grep -q '^satellite listening on ' "$out" || {
    cat "$TU_DIR/$name.log" >&2
    tu_fail "ground control $name did not start"
  }
  GC_MGMT=$(sed -n 's/^management listening on //p' "$out" | head -1)
  GC_SAT=$(sed -n 's/^satellite listening on //p' "$out" | head -1)
  GC_CA=$data/tls/ca.crt
  local password
  password=$(sed -n 's/^admin password (shown once): //p' "$out")
  [[ -z "$password" ]] || GC_ADMIN_PASSWORD=$password
}

# tu_gc_login: sets GC_TOKEN, an admin bearer token.
tu_gc_login() {
  GC_TOKEN=$(curl -sS --fail-with-body --cacert "$GC_CA" "https://$GC_MGMT/api/v1/login" \
    -d "{\"username\":\"admin\",\"password\":\"$GC_ADMIN_PASSWORD\"}" | jq -r .token)
  [[ -n "$GC_TOKEN" && "$GC_TOKEN" != null ]] || tu_fail "could not log in to ground control"
}

# tu_gc METHOD PATH [BODY [CONTENT_TYPE]]: the management API as admin; prints the body,
# fails on a non-2xx status.
tu_gc() {
  curl -sS --fail-with-body --cacert "$GC_CA" -H "Authorization: Bearer $GC_TOKEN" \
    -H "Content-Type: ${4:-application/json}" -X "$1" "https://$GC_MGMT$2" ${3:+-d "$3"}
}
