#!/usr/bin/env bash
# `satellite serve --config FILE`: settings from a YAML file take effect (listen address,
# read-only, data dir), flags on the command line override the file, and an unknown key or
# a wrong type fails at start with one line naming the key.
source "$(dirname "$0")/../testutil/lib.sh"

port=$(tu_free_port)
cat >"$TU_DIR/satellite.yaml" <<CONFIG
# keys are serve's flag names without the leading --
data-dir: $TU_DIR/data
listen: 127.0.0.1:$port
read-only: true
gc-grace: 2h
log-level: warn
CONFIG

tu_log "start from the config file alone"
out=$TU_DIR/sat.out
"$SATELLITE" serve --config "$TU_DIR/satellite.yaml" >"$out" 2>"$TU_DIR/sat.log" &
TU_PIDS+=($!)
tu_wait_for 10 grep -q '^listening on ' "$out" || {
  cat "$TU_DIR/sat.log" >&2
  tu_fail "satellite did not start from its config file"
}
tu_assert_eq "listening on 127.0.0.1:$port" "$(head -1 "$out")" "listen address from the file"
[[ -d "$TU_DIR/data" ]] || tu_fail "data-dir from the file not used"
tu_assert_eq 200 "$(tu_status GET "http://127.0.0.1:$port/v2/")" "GET /v2/"
push=$(tu_status POST "http://127.0.0.1:$port/v2/cfg/app/blobs/uploads/")
[[ "$push" == 405 || "$push" == 403 || "$push" == 401 ]] ||
  tu_fail "read-only from the file: a push got $push"

tu_log "a flag on the command line wins over the file"
tu_start_satellite over "$TU_DIR/data2" --config "$TU_DIR/satellite.yaml"
[[ "$SAT_ADDR" != "127.0.0.1:$port" ]] || tu_fail "--listen did not override the file"

tu_log "an unknown key and a wrong type are one clear line each"
printf 'data-dir: %s\nlisten-adress: 127.0.0.1:0\n' "$TU_DIR/data3" >"$TU_DIR/typo.yaml"
if "$SATELLITE" serve --config "$TU_DIR/typo.yaml" >"$TU_DIR/typo.out" 2>&1; then
  tu_fail "an unknown key was accepted"
fi
grep -q "unknown key 'listen-adress'" "$TU_DIR/typo.out" || tu_fail "$(cat "$TU_DIR/typo.out")"
printf 'data-dir: %s\nthreads: many\n' "$TU_DIR/data3" >"$TU_DIR/type.yaml"
if "$SATELLITE" serve --config "$TU_DIR/type.yaml" >"$TU_DIR/type.out" 2>&1; then
  tu_fail "a wrong type was accepted"
fi
grep -q -- "--threads" "$TU_DIR/type.out" || tu_fail "$(cat "$TU_DIR/type.out")"
echo PASS
