#!/usr/bin/env bash
# containerd pulls from the satellite, (a) directly (`ctr images pull --plain-http SAT/app:v1`)
# and (b) as the mirror of an upstream that lacks the image or is down, configured through
# hosts.toml (--hosts-dir); the satellite's access log shows the manifest and every blob
# fetched, and the same pull without hosts.toml fails. Each pulled image must unpack into a
# snapshot whose files equal the layer tarballs. Runs a private containerd (root, state and
# sockets under $TU_DIR, CRI off) inside its own mount namespace, so no mount outlives it.
# Skips (exit 0, "SKIP: ...") only when containerd cannot run or unpack here at all.
source "$(dirname "$0")/../testutil/lib.sh"

tu_skip() {
  echo "SKIP: $*"
  exit 0
}

{ command -v containerd && command -v ctr; } >/dev/null ||
  tu_skip "containerd or ctr is not installed (scripts/bootstrap installs them)"
unshare -m --propagation private true 2>/dev/null ||
  tu_skip "cannot create a mount namespace (containerd needs mounts; run as root)"

CTD=$TU_DIR/ctd
ctd() { timeout 60 ctr --address "$CTD/sock" --connect-timeout 5s "$@"; }

# ctd_start: a private containerd; returns 1 if it does not answer within 10 s.
ctd_start() {
  mkdir -p "$CTD"
  cat >"$CTD/config.toml" <<CONFIG
version = 2
root = "$CTD/root"
state = "$CTD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CTD/sock"
[ttrpc]
  address = "$CTD/sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTD/opt"
CONFIG
  # unshare execs containerd, so the recorded pid is containerd's own.
  tu_spawn "$TU_DIR/containerd.log" unshare -m --propagation private \
    containerd --config "$CTD/config.toml"
  tu_wait_for 10 ctd version
}

# layout_manifest LAYOUT: path of the manifest blob the layout's index.json points at.
layout_manifest() {
  local d
  d=$(jq -r '.manifests[0].digest' "$1/index.json")
  echo "$1/blobs/sha256/${d#sha256:}"
}

# chain_id LAYOUT: the snapshot key containerd gives the image's top layer (OCI chain ID).
chain_id() {
  local manifest config chain="" diff
  manifest=$(layout_manifest "$1")
  config=$(jq -r '.config.digest' "$manifest")
  for diff in $(jq -r '.rootfs.diff_ids[]' "$1/blobs/sha256/${config#sha256:}"); do
    if [[ -z "$chain" ]]; then
      chain=$diff
    else
      chain="sha256:$(printf '%s %s' "$chain" "$diff" | sha256sum | cut -d' ' -f1)"
    fi
  done
  echo "$chain"
}

# rootfs_matches LAYOUT SNAPSHOTTER: mounts a view of the unpacked image (in a private
# mount namespace) and compares it with the layout's layer tarballs extracted in order.
rootfs_matches() {
  local layout=$1 snap=$2 key="view-$RANDOM" chain mount_cmd layer rc=0
  local want="$TU_DIR/want-$key" root="$TU_DIR/rootfs-$key"
  chain=$(chain_id "$layout")
  mkdir -p "$want" "$root"
  for layer in $(jq -r '.layers[].digest' "$(layout_manifest "$layout")"); do
    tar -xf "$layout/blobs/sha256/${layer#sha256:}" -C "$want" || return 1
  done
  ctd snapshots --snapshotter "$snap" view "$key" "$chain" >/dev/null || return 1
  mount_cmd=$(ctd snapshots --snapshotter "$snap" mounts "$root" "$key") || return 1
  unshare -m --propagation private bash -c "$mount_cmd && diff -r '$want' '$root'" || rc=1
  ctd snapshots --snapshotter "$snap" rm "$key" || rc=1
  return $rc
}

# image_digest REF: the target digest containerd recorded for REF.
image_digest() { ctd images ls | awk -v r="$1" '$1 == r { print $3 }'; }

# forget REF: removes the image and garbage-collects its content and snapshots, so the next
# pull has to fetch everything again.
forget() {
  ctd images rm --sync "$1" >/dev/null
  tu_assert_eq "" "$(ctd content ls -q)" "content store empty after removing $1"
}

ctd_start || {
  tail -20 "$TU_DIR/containerd.log" >&2
  tu_skip "containerd does not start in this environment"
}

# Pick a snapshotter that really unpacks here (overlayfs, else native), with a local import
# that involves no registry, so a satellite bug can never turn into a skip.
tu_gen_image "$TU_DIR/probe" probe --layers 1 --layer-size 4K --seed 1 >/dev/null
tar -C "$TU_DIR/probe" -cf "$TU_DIR/probe.tar" .
SNAP=""
for s in overlayfs native; do
  if ctd images import --snapshotter "$s" --base-name probe.invalid/probe "$TU_DIR/probe.tar" \
    >>"$TU_DIR/probe.log" 2>&1 && rootfs_matches "$TU_DIR/probe" "$s" >>"$TU_DIR/probe.log" 2>&1; then
    SNAP=$s
  fi
  ctd images rm --sync probe.invalid/probe:probe >/dev/null 2>&1 || true
  [[ -z "$SNAP" ]] || break
done
[[ -n "$SNAP" ]] || {
  cat "$TU_DIR/probe.log" >&2
  tu_skip "containerd cannot unpack images here with the overlayfs or native snapshotter"
}
export CONTAINERD_SNAPSHOTTER=$SNAP
tu_log "containerd runs, snapshotter $SNAP"
tu_assert_eq "" "$(ctd content ls -q)" "content store empty after the probe"

tu_start_satellite sat "$TU_DIR/data" --access-log
SAT=$SAT_ADDR
SAT_LOG=$TU_DIR/sat.log
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 2 --layer-size 512K --seed 21)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/image:v1" "docker://$SAT/app:v1"
manifest=$(layout_manifest "$TU_DIR/image")
mapfile -t blobs < <(jq -r '.config.digest, .layers[].digest' "$manifest")

# (a) Direct pull over plain HTTP.
tu_log "(a) ctr images pull --plain-http $SAT/app:v1"
ctd images pull --plain-http "$SAT/app:v1" >"$TU_DIR/pull-a.log" 2>&1 || {
  cat "$TU_DIR/pull-a.log" >&2
  tu_fail "direct pull from the satellite"
}
tu_assert_eq "$digest" "$(image_digest "$SAT/app:v1")" "digest of the directly pulled image"
rootfs_matches "$TU_DIR/image" "$SNAP" || tu_fail "direct pull: unpacked files differ from the layers"
forget "$SAT/app:v1"

# (a) A multi-arch index, every platform: the image is the index, and all its content arrived.
index=$(tu_gen_image "$TU_DIR/multi" v1 --layers 1 --layer-size 256K --seed 22 \
  --platforms linux/amd64,linux/arm64)
skopeo copy -q --all --dest-tls-verify=false "oci:$TU_DIR/multi:v1" "docker://$SAT/multi/app:v1"
tu_log "(a) ctr images pull --plain-http --all-platforms $SAT/multi/app:v1"
ctd images pull --plain-http --all-platforms "$SAT/multi/app:v1" >"$TU_DIR/pull-multi.log" 2>&1 || {
  cat "$TU_DIR/pull-multi.log" >&2
  tu_fail "multi-arch pull from the satellite"
}
tu_assert_eq "$index" "$(image_digest "$SAT/multi/app:v1")" "digest of the pulled index"
tu_assert_eq "$(find "$TU_DIR/multi/blobs/sha256" -type f -printf 'sha256:%f\n' | sort)" \
  "$(ctd content ls -q | sort)" "content containerd holds after the multi-arch pull"
forget "$SAT/multi/app:v1"

# (b) Mirror mode. The upstream is a real registry that does not hold the image.
tu_start_docker_registry upstream
UP=$REG_ADDR
UP_PID=$REG_PID
HOSTS=$TU_DIR/certs.d
mkdir -p "$HOSTS/$UP"
cat >"$HOSTS/$UP/hosts.toml" <<TOML
server = "http://$UP"

[host."http://$SAT"]
  capabilities = ["pull", "resolve"]
TOML
ns_re="ns=${UP%:*}(%3A|:)${UP##*:}"

# logged_since LINE REGEX: the satellite's access log has a line matching REGEX after LINE.
logged_since() { tail -n +"$(($1 + 1))" "$SAT_LOG" | grep -E "$2" >/dev/null; }

# mirror_pull LABEL: pulls UPSTREAM/app:v1 through hosts.toml and checks the digest, the
# unpacked files, and that the satellite logged the manifest and every blob for this upstream.
mirror_pull() {
  local label=$1 before blob
  before=$(wc -l <"$SAT_LOG")
  ctd images pull --hosts-dir "$HOSTS" "$UP/app:v1" >"$TU_DIR/pull-$label.log" 2>&1 || {
    cat "$TU_DIR/pull-$label.log" >&2
    tu_fail "$label: pull of $UP/app:v1 through the satellite mirror"
  }
  tu_assert_eq "$digest" "$(image_digest "$UP/app:v1")" "$label: digest of the mirrored image"
  # A request is logged once its response is sent, so allow the last line a moment.
  tu_wait_for 5 logged_since "$before" " (GET|HEAD) /v2/app/manifests/v1\?$ns_re .*status=200" ||
    tu_fail "$label: no manifest request for $UP in the satellite access log"
  for blob in "${blobs[@]}"; do
    tu_wait_for 5 logged_since "$before" " GET /v2/app/blobs/$blob\?$ns_re .*status=200" ||
      tu_fail "$label: no GET of blob $blob in the satellite access log"
  done
  rootfs_matches "$TU_DIR/image" "$SNAP" || tu_fail "$label: unpacked files differ from the layers"
  forget "$UP/app:v1"
}

# expect_direct_pull_fails LABEL: without hosts.toml the pull goes to the upstream only,
# fails, and never reaches the satellite.
expect_direct_pull_fails() {
  local label=$1 before
  before=$(wc -l <"$SAT_LOG")
  if ctd images pull --plain-http "$UP/app:v1" >"$TU_DIR/pull-$label.log" 2>&1; then
    tu_fail "$label: pull of $UP/app:v1 without hosts.toml succeeded"
  fi
  tu_assert_eq "$before" "$(wc -l <"$SAT_LOG")" "$label: satellite requests without hosts.toml"
}

tu_log "(b) mirror: upstream $UP running without the image"
expect_direct_pull_fails control-up
mirror_pull mirror-up

tu_log "(b) mirror: upstream $UP stopped"
kill -9 "$UP_PID"
wait "$UP_PID" 2>/dev/null || true
expect_direct_pull_fails control-down
mirror_pull mirror-down
echo "ok"
