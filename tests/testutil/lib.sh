#!/usr/bin/env bash
# Shared helpers for the integration and end-to-end tests (bash). Every test sources this,
# gets a private temp dir, starts the real peers it needs on free loopback ports, and leaves
# nothing running: the EXIT trap kills every process started through these helpers.
# Environment (set by ctest): SATELLITE, OCI_IMAGE_GEN.
set -euo pipefail

: "${SATELLITE:?SATELLITE must point at the satellite binary}"
: "${OCI_IMAGE_GEN:?OCI_IMAGE_GEN must point at the oci-image-gen binary}"

TU_DIR=$(mktemp -d "${TMPDIR:-/tmp}/satellite-test.XXXXXX")
TU_PIDS=()

tu_cleanup() {
  local pid
  for pid in "${TU_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${TU_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "${TU_KEEP:-}" ]]; then echo "kept $TU_DIR" >&2; else rm -rf "$TU_DIR"; fi
}
trap tu_cleanup EXIT

tu_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

tu_log() { echo "--- $*" >&2; }

# tu_skip REASON: ends the test as skipped (exit 0, "SKIP: REASON"), for a missing peer only.
tu_skip() {
  echo "SKIP: $*"
  exit 0
}

# tu_assert_eq EXPECTED ACTUAL MESSAGE
tu_assert_eq() {
  [[ "$1" == "$2" ]] || tu_fail "$3: expected '$1', got '$2'"
}

# tu_spawn LOGFILE CMD...: starts CMD in the background, recorded for cleanup; sets TU_LAST_PID.
tu_spawn() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  TU_LAST_PID=$!
  TU_PIDS+=("$TU_LAST_PID")
}

# tu_wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds.
tu_wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# tu_wait_for_output SECONDS EXPECTED CMD...: reruns CMD every 0.2 s until it prints EXPECTED
# (CMD is run anew each time: a "$(...)" in the arguments would be evaluated only once).
tu_wait_for_output() {
  local deadline=$((SECONDS + $1)) expected=$2
  shift 2
  until [[ "$("$@" 2>/dev/null)" == "$expected" ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# tu_start_satellite NAME DATA_DIR [serve flags...]: sets SAT_ADDR and SAT_PID. With
# TU_SAT_COMMAND=run it starts `satellite run` (registry and agent) instead of `serve`.
# The satellite binds port 0 unless the flags hold a --listen (e.g. to restart on the same
# address), and prints "listening on HOST:PORT" as its first stdout line.
tu_start_satellite() {
  local name=$1 data=$2 arg listen=(--listen 127.0.0.1:0)
  shift 2
  for arg in "$@"; do [[ "$arg" != --listen* ]] || listen=(); done
  local out="$TU_DIR/$name.out"
  "$SATELLITE" "${TU_SAT_COMMAND:-serve}" --data-dir "$data" "${listen[@]}" "$@" >"$out" 2>"$TU_DIR/$name.log" &
  SAT_PID=$!
  TU_PIDS+=("$SAT_PID")
  tu_wait_for 10 grep -q '^listening on ' "$out" || {
    cat "$TU_DIR/$name.log" >&2
    tu_fail "satellite $name did not start"
  }
  SAT_ADDR=$(sed -n 's/^listening on //p' "$out" | head -1)
}

# tu_free_port: a port nothing listens on now (the caller retries if it is taken meanwhile).
tu_free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# tu_start_docker_registry NAME: Debian's docker-registry (distribution 2.8) on a free port;
# sets REG_ADDR and REG_PID.
tu_start_docker_registry() {
  local name=$1 attempt port
  for attempt in 1 2 3 4 5; do
    port=$(tu_free_port)
    mkdir -p "$TU_DIR/$name"
    cat >"$TU_DIR/$name/config.yml" <<CONFIG
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $TU_DIR/$name/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CONFIG
    tu_spawn "$TU_DIR/$name.log" docker-registry serve "$TU_DIR/$name/config.yml"
    REG_PID=$TU_LAST_PID
    REG_ADDR=127.0.0.1:$port
    if tu_wait_for 10 curl -sf "http://$REG_ADDR/v2/"; then return 0; fi
    kill -9 "$REG_PID" 2>/dev/null || true
  done
  tu_fail "docker-registry did not start"
}

# tu_gen_image DIR TAG [oci-image-gen flags...]: writes an OCI layout; prints the digest.
tu_gen_image() {
  local dir=$1 tag=$2
  shift 2
  "$OCI_IMAGE_GEN" --out "$dir" --tag "$tag" "$@"
}

# tu_status METHOD URL [curl args...]: prints the HTTP status code only.
tu_status() {
  local method=$1 url=$2
  shift 2
  # curl -X HEAD would wait for the body its Content-Length announces: --head does not.
  if [[ "$method" == HEAD ]]; then
    curl -s -o /dev/null -w '%{http_code}' --head "$@" "$url"
  else
    curl -s -o /dev/null -w '%{http_code}' -X "$method" "$@" "$url"
  fi
}

# tu_raw_digest REF: digest of the manifest bytes a registry serves for docker://REF.
tu_raw_digest() {
  skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | sed 's/^/sha256:/; s/ .*//'
}

# tu_layout_layers LAYOUT: the layer digests of an OCI layout's (first) image manifest.
tu_layout_layers() {
  local manifest
  manifest=$(jq -r '.manifests[0].digest' "$1/index.json" | sed 's/sha256://')
  jq -r '.layers[].digest' "$1/blobs/sha256/$manifest"
}

# tu_satellite_blob_gets ACCESS_LOG DIGEST: how many times the satellite (its user agent)
# fetched blob DIGEST, from any repository, according to a docker-registry access log.
tu_satellite_blob_gets() {
  grep -c "\"GET /v2/[^ ]*/blobs/$2 HTTP/1.1\" 20[06] .*harbor-satellite" "$1" || true
}

# tu_logged_since LOG LINE REGEX: a line after line LINE of LOG matches the ERE REGEX.
tu_logged_since() { tail -n +"$(($2 + 1))" "$1" | grep -E "$3" >/dev/null; }

# tu_expect_served LOG LINE REPO TAG QUERY BLOB...: after line LINE of the satellite's access
# log LOG, it answered 200 to a GET or HEAD of manifest REPO:TAG and to a GET of every BLOB,
# each path followed by QUERY (an ERE, e.g. '\?ns=…'; empty when there is none). A request
# is logged once its response is sent, so each line is given a moment to appear.
tu_expect_served() {
  local log=$1 line=$2 repo=$3 tag=$4 query=$5 blob
  shift 5
  tu_wait_for 5 tu_logged_since "$log" "$line" " (GET|HEAD) /v2/$repo/manifests/$tag$query .*status=200" ||
    tu_fail "no manifest request for $repo:$tag${query:+ ($query)} in the satellite access log"
  for blob in "$@"; do
    tu_wait_for 5 tu_logged_since "$log" "$line" " GET /v2/$repo/blobs/$blob$query .*status=200" ||
      tu_fail "no GET of blob $blob${query:+ ($query)} in the satellite access log"
  done
}

# tu_sha256 FILE: prints "sha256:<hex>".
tu_sha256() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
