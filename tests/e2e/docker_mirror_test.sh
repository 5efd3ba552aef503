#!/usr/bin/env bash
# docker pulls a Docker Hub name from the satellite. A private dockerd (data, exec root,
# pidfile and socket under $TU_DIR, no bridge or iptables, its own mount namespace) reads a
# daemon.json that `satellite mirror-config --runtime docker --upstream docker.io` extends
# with registry-mirrors; the satellite holds library/app:v1. dockerd's HTTP(S) proxy is a
# closed loopback port, so its fallback to Docker Hub can never leave loopback: the image
# can only come from the satellite. `docker pull app:v1` succeeds, the image id is the
# config digest and the repo digest the manifest's, and the satellite's access log shows the
# manifest and every blob. Negative controls: the same pull before mirror-config (and again
# after --undo and a SIGHUP reload) fails and never reaches the satellite.
# Skips only when dockerd is not installed.
source "$(dirname "$0")/../testutil/lib.sh"

if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
  tu_skip "dockerd or docker is not installed (scripts/bootstrap installs docker.io)"
fi

D=$TU_DIR/docker
DK_SOCK=$D/docker.sock
DK_LOG=$TU_DIR/dockerd.log
DK_PID=""
# stop_dockerd: SIGTERM, which also stops the containerd dockerd started; SIGKILL to both
# only when it has not exited within 20 s.
stop_dockerd() {
  [[ -n "$DK_PID" ]] || return 0
  kill "$DK_PID" 2>/dev/null || true
  tu_wait_for 20 bash -c "! kill -0 $DK_PID" || {
    pkill -9 -P "$DK_PID" 2>/dev/null || true
    kill -9 "$DK_PID" 2>/dev/null || true
  }
  wait "$DK_PID" 2>/dev/null || true
  DK_PID=""
}
docker_cleanup() {
  stop_dockerd
  tu_cleanup
}
trap docker_cleanup EXIT
dk() { timeout 60 docker -H "unix://$DK_SOCK" "$@"; }

tu_start_satellite sat "$TU_DIR/data" --access-log
SAT=$SAT_ADDR
SAT_LOG=$TU_DIR/sat.log
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 2 --layer-size 256K --seed 81)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/image:v1" "docker://$SAT/library/app:v1"
manifest=$TU_DIR/image/blobs/sha256/${digest#sha256:}
config=$(jq -r '.config.digest' "$manifest")
mapfile -t blobs < <(jq -r '.config.digest, .layers[].digest' "$manifest")

# The daemon.json a host would have, before mirror-config.
ROOT=$TU_DIR/root
CONF=$ROOT/etc/docker/daemon.json
mkdir -p "$D" "${CONF%/*}"
jq -n --arg d "$D" '{"data-root": "\($d)/data", "exec-root": "\($d)/exec",
  pidfile: "\($d)/docker.pid", hosts: ["unix://\($d)/docker.sock"], bridge: "none",
  iptables: false, "ip-forward": false, "ip-masq": false}' >"$CONF"

# start_dockerd: dockerd on $CONF, proxied to a closed port (NO_PROXY lets the mirror through).
proxy=http://127.0.0.1:$(tu_free_port)
start_dockerd() {
  HTTPS_PROXY=$proxy HTTP_PROXY=$proxy NO_PROXY=127.0.0.1,localhost \
    unshare -m --propagation private dockerd --config-file "$CONF" >>"$DK_LOG" 2>&1 </dev/null &
  DK_PID=$!
  tu_wait_for 30 curl -sf --unix-socket "$DK_SOCK" http://localhost/_ping || {
    tail -30 "$DK_LOG" >&2
    tu_fail "dockerd did not start (its log: above)"
  }
}
start_dockerd
tu_log "dockerd $(dk version --format '{{.Server.Version}}') runs"

# reload: SIGHUP, then wait until dockerd logs that it re-read daemon.json.
reload() {
  local n
  n=$(grep -c 'Reloaded configuration' "$DK_LOG" || true)
  kill -HUP "$DK_PID"
  tu_wait_for 10 bash -c "(( \$(grep -c 'Reloaded configuration' '$DK_LOG') > $n ))" ||
    tu_fail "dockerd did not reload $CONF"
}

# expect_pull_fails LABEL: docker pull app:v1 fails and the satellite sees no request.
expect_pull_fails() {
  local before
  before=$(wc -l <"$SAT_LOG")
  if dk pull app:v1 >"$TU_DIR/pull-fail.log" 2>&1; then
    tu_fail "$1: docker pulled app:v1"
  fi
  tu_assert_eq "$before" "$(wc -l <"$SAT_LOG")" "$1: satellite requests"
  tu_log "$1: $(tail -1 "$TU_DIR/pull-fail.log")"
}

expect_pull_fails "without registry-mirrors"

"$SATELLITE" mirror-config --runtime docker --root "$ROOT" --mirror "$SAT" \
  --upstream docker.io >"$TU_DIR/mirror.out"
grep -q "docker: changed $CONF" "$TU_DIR/mirror.out" || {
  cat "$TU_DIR/mirror.out" >&2
  tu_fail "mirror-config did not change $CONF"
}
tu_assert_eq "http://$SAT" "$(jq -r '."registry-mirrors"[0]' "$CONF")" "registry-mirrors written"
reload

before=$(wc -l <"$SAT_LOG")
dk pull app:v1 >"$TU_DIR/pull.log" 2>&1 || {
  cat "$TU_DIR/pull.log" >&2
  tail -20 "$DK_LOG" >&2
  tu_fail "docker did not pull app:v1 through the satellite"
}
tu_assert_eq "$config" "$(dk image inspect --format '{{.Id}}' app:v1)" "image id"
tu_assert_eq "app@$digest" "$(dk image inspect --format '{{join .RepoDigests " "}}' app:v1)" \
  "repo digest"
tu_expect_served "$SAT_LOG" "$before" library/app v1 "" "${blobs[@]}"
tu_log "docker pulled app:v1 from the satellite (${#blobs[@]} blobs in its log)"

# --undo restores the daemon.json. A reload would keep the mirrors (dockerd leaves a setting
# absent from the file as it was), so dockerd restarts; the image removed, the pull fails.
"$SATELLITE" mirror-config --runtime docker --root "$ROOT" --mirror "$SAT" \
  --upstream docker.io --undo >/dev/null
dk rmi app:v1 >/dev/null
stop_dockerd
start_dockerd
expect_pull_fails "after --undo and a restart"

stop_dockerd
echo ok
