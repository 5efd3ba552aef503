#!/usr/bin/env bash
# A private containerd for the tests and scripts/demo: its config, root, state and sockets
# live under one directory, the CRI plugin is off unless asked for, and it runs in its own
# mount namespace, so no mount it makes outlives it. Tests source this after lib.sh; scripts/demo sources it on
# its own, so nothing here uses lib.sh or the ctest environment (SATELLITE, OCI_IMAGE_GEN):
# only containerd, ctr, unshare, tar, jq and sha256sum.
#
# Optional input: CTR_AS_ROOT, an array put in front of every command that needs root (the
# demo sets it to (sudo) when not run as root; the tests run as root and leave it empty).
# CTR_CRI_HOSTS_DIR, a certs.d directory: when set, the CRI plugin (what the kubelet talks
# to) runs, with that directory as its registry config_path and the snapshotter the probe
# picked (containerd restarts once if that is not overlayfs); its CNI dirs are under CTR_DIR.
# Set by tu_start_containerd:
#   CTR_DIR          the directory holding everything (config.toml, root, state, sockets)
#   CTR_SOCK         the gRPC socket, what `ctr --address` takes
#   CTR_PID          the process to signal (containerd itself; sudo's when CTR_AS_ROOT is set)
#   CTR_LOG          containerd's log
#   CTR_SNAPSHOTTER  overlayfs or native, whichever really unpacks here (also exported as
#                    CONTAINERD_SNAPSHOTTER, the default of every ctr subcommand, and passed
#                    through sudo by tu_ctr)
#   CTR_SKIP_REASON  why containerd cannot be used here, when tu_start_containerd fails
# Functions fail by returning non-zero, never by exiting, so a test can skip and the demo
# can fail on the same outcome.

if ! declare -p CTR_AS_ROOT >/dev/null 2>&1; then CTR_AS_ROOT=(); fi
CTR_DIR="" CTR_SOCK="" CTR_PID="" CTR_LOG="" CTR_SNAPSHOTTER="" CTR_SKIP_REASON=""

# tu_ctr ARGS...: ctr against the private containerd (60 s limit per call).
tu_ctr() {
  "${CTR_AS_ROOT[@]}" env ${CTR_SNAPSHOTTER:+"CONTAINERD_SNAPSHOTTER=$CTR_SNAPSHOTTER"} \
    timeout 60 ctr --address "$CTR_SOCK" --connect-timeout 5s "$@"
}

# tu_start_containerd DIR [LOG]: starts containerd under DIR (LOG defaults to DIR.log) and
# picks a snapshotter that unpacks a local image correctly (overlayfs, else native). The
# probe imports a hand-made OCI layout, so no registry is involved and a registry bug can
# never pass for "containerd does not work here". Returns 1 with CTR_SKIP_REASON set (and
# nothing left running) when containerd is missing, cannot start, or cannot unpack.
tu_start_containerd() {
  CTR_DIR=$1
  CTR_LOG=${2:-$1.log}
  CTR_SOCK=$CTR_DIR/sock
  CTR_SNAPSHOTTER=""
  if ! { command -v containerd && command -v ctr; } >/dev/null; then
    CTR_SKIP_REASON="containerd or ctr is not installed (scripts/bootstrap installs them)"
    return 1
  fi
  if ! "${CTR_AS_ROOT[@]}" unshare -m --propagation private true 2>/dev/null; then
    CTR_SKIP_REASON="cannot create a mount namespace (containerd needs mounts; run as root)"
    return 1
  fi
  _tu_ctr_spawn || {
    CTR_SKIP_REASON="containerd does not start in this environment (see $CTR_LOG)"
    tu_stop_containerd
    return 1
  }
  local scratch=$CTR_DIR.scratch snap
  mkdir -p "$scratch"
  _tu_ctr_probe_layout "$scratch/probe" || {
    CTR_SKIP_REASON="cannot build the probe image in $scratch"
    tu_stop_containerd
    return 1
  }
  tar -C "$scratch/probe" -cf "$scratch/probe.tar" .
  for snap in overlayfs native; do
    CTR_SNAPSHOTTER=$snap
    if tu_ctr images import --snapshotter "$snap" --base-name probe.invalid/probe "$scratch/probe.tar" \
      >>"$scratch/probe.log" 2>&1 &&
      tu_ctr_rootfs_matches "$scratch/probe" >>"$scratch/probe.log" 2>&1; then
      tu_ctr images rm --sync probe.invalid/probe:probe >/dev/null 2>&1 || true
      export CONTAINERD_SNAPSHOTTER=$snap
      # The CRI plugin reads its snapshotter from the config only.
      if [[ -n "${CTR_CRI_HOSTS_DIR:-}" && $snap != overlayfs ]]; then
        tu_stop_containerd
        _tu_ctr_spawn || {
          CTR_SKIP_REASON="containerd does not restart with the $snap snapshotter (see $CTR_LOG)"
          tu_stop_containerd
          return 1
        }
      fi
      return 0
    fi
    tu_ctr images rm --sync probe.invalid/probe:probe >/dev/null 2>&1 || true
  done
  CTR_SNAPSHOTTER=""
  CTR_SKIP_REASON="containerd cannot unpack images here with the overlayfs or native snapshotter"
  CTR_SKIP_REASON+=" (see $scratch/probe.log)"
  tu_stop_containerd
  return 1
}

# tu_stop_containerd: stops the private containerd (SIGTERM) and waits for it. Its files stay.
tu_stop_containerd() {
  [[ -n "$CTR_PID" ]] || return 0
  "${CTR_AS_ROOT[@]}" kill "$CTR_PID" 2>/dev/null || true
  wait "$CTR_PID" 2>/dev/null || true
  CTR_PID=""
}

# _tu_ctr_spawn: writes the config, starts containerd, waits up to 10 s for it to answer.
_tu_ctr_spawn() {
  local cri='"io.containerd.grpc.v1.cri", ' cri_config=""
  if [[ -n "${CTR_CRI_HOSTS_DIR:-}" ]]; then
    cri=""
    cri_config=$(
      cat <<CRI
[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "${CTR_SNAPSHOTTER:-overlayfs}"
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "$CTR_DIR/cni/bin"
  conf_dir = "$CTR_DIR/cni/net.d"
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "$CTR_CRI_HOSTS_DIR"
CRI
    )
  fi
  "${CTR_AS_ROOT[@]}" mkdir -p "$CTR_DIR" || return 1
  "${CTR_AS_ROOT[@]}" tee "$CTR_DIR/config.toml" >/dev/null <<CONFIG || return 1
version = 2
root = "$CTR_DIR/root"
state = "$CTR_DIR/state"
disabled_plugins = [${cri}"io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CTR_SOCK"
[ttrpc]
  address = "$CTR_SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTR_DIR/opt"
$cri_config
CONFIG
  # unshare execs containerd, so without sudo the pid is containerd's own. fds 3 and 4 are
  # closed: the demo keeps its terminal there, and containerd must not hold it open.
  "${CTR_AS_ROOT[@]}" unshare -m --propagation private containerd --config "$CTR_DIR/config.toml" \
    >"$CTR_LOG" 2>&1 </dev/null 3>&- 4>&- &
  CTR_PID=$!
  if declare -p TU_PIDS >/dev/null 2>&1; then TU_PIDS+=("$CTR_PID"); fi
  for _ in $(seq 100); do
    tu_ctr version >/dev/null 2>&1 && return 0
    kill -0 "$CTR_PID" 2>/dev/null || [[ -n "${CTR_AS_ROOT[*]}" ]] || return 1
    sleep 0.1
  done
  return 1
}

# _tu_ctr_probe_layout DIR: a one-layer OCI layout for this machine's platform, tagged "probe",
# built with tar and jq.
_tu_ctr_probe_layout() {
  local dir=$1 arch layer layer_size config config_size manifest manifest_size
  case $(uname -m) in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  mkdir -p "$dir/blobs/sha256" "$dir/rootfs/probe" || return 1
  echo "containerd probe" >"$dir/rootfs/probe/id"
  tar -C "$dir/rootfs" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
    -cf "$dir/layer.tar" probe || return 1
  rm -rf "$dir/rootfs"
  read -r layer layer_size < <(_tu_ctr_add_blob "$dir" "$dir/layer.tar")
  jq -cn --arg a "$arch" --arg d "$layer" \
    '{architecture: $a, os: "linux", rootfs: {type: "layers", diff_ids: [$d]}}' >"$dir/config"
  read -r config config_size < <(_tu_ctr_add_blob "$dir" "$dir/config")
  jq -cn --arg c "$config" --argjson cs "$config_size" --arg l "$layer" --argjson ls "$layer_size" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
    >"$dir/manifest"
  read -r manifest manifest_size < <(_tu_ctr_add_blob "$dir" "$dir/manifest")
  jq -cn --arg m "$manifest" --argjson ms "$manifest_size" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: $m, size: $ms, annotations: {"org.opencontainers.image.ref.name": "probe"}}]}' \
    >"$dir/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
}

# _tu_ctr_add_blob LAYOUT FILE: moves FILE into the layout's blob store; prints "<digest> <size>".
_tu_ctr_add_blob() {
  local sha
  sha=$(sha256sum "$2" | cut -d' ' -f1)
  echo "sha256:$sha $(stat -c %s "$2")"
  mv "$2" "$1/blobs/sha256/$sha"
}

# tu_ctr_layout_manifest LAYOUT [DIGEST]: path of the image manifest blob DIGEST (default:
# the one index.json points at) in an OCI layout.
tu_ctr_layout_manifest() {
  local d=${2:-}
  [[ -n "$d" ]] || d=$(jq -r '.manifests[0].digest' "$1/index.json")
  echo "$1/blobs/sha256/${d#sha256:}"
}

# tu_ctr_chain_id LAYOUT [DIGEST]: the snapshot key containerd gives the top layer of image
# manifest DIGEST (the OCI chain ID of its config's diff_ids).
tu_ctr_chain_id() {
  local manifest config chain="" diff
  manifest=$(tu_ctr_layout_manifest "$@")
  config=$(jq -r '.config.digest' "$manifest") || return 1
  for diff in $(jq -r '.rootfs.diff_ids[]' "$1/blobs/sha256/${config#sha256:}"); do
    if [[ -z "$chain" ]]; then
      chain=$diff
    else
      chain="sha256:$(printf '%s %s' "$chain" "$diff" | sha256sum | cut -d' ' -f1)"
    fi
  done
  [[ -n "$chain" ]] && echo "$chain"
}

# tu_ctr_in_view CHAIN SCRIPT: mounts a read-only view of snapshot CHAIN in a private mount
# namespace and runs the bash SCRIPT with that view as its working directory; its output
# passes through. Fails when the view cannot be made or SCRIPT fails.
tu_ctr_in_view() {
  local chain=$1 script=$2 key root mount_cmd rc=0
  root=$(mktemp -d "$CTR_DIR.scratch/view.XXXXXX") || return 1
  key=$(_tu_ctr_make_view "$chain") || {
    rmdir "$root"
    return 1
  }
  if mount_cmd=$(tu_ctr snapshots --snapshotter "$CTR_SNAPSHOTTER" mounts "$root" "$key"); then
    "${CTR_AS_ROOT[@]}" unshare -m --propagation private \
      bash -c "$mount_cmd && cd '$root' && { $script; }" || rc=1
  else
    rc=1
  fi
  tu_ctr snapshots --snapshotter "$CTR_SNAPSHOTTER" rm "$key" >/dev/null || rc=1
  rmdir "$root" 2>/dev/null || true
  return $rc
}

# _tu_ctr_make_view CHAIN: creates a view of CHAIN that containerd's garbage collector keeps
# (a gc.root label); prints its key. ctr holds no lease for a view, so the collector, which
# runs on its own schedule after any deletion, may remove a fresh view before it is labelled:
# then it is made again.
_tu_ctr_make_view() {
  local attempt key
  for attempt in 1 2 3 4 5; do
    key="view-$attempt-$RANDOM$RANDOM"
    tu_ctr snapshots --snapshotter "$CTR_SNAPSHOTTER" view "$key" "$1" >/dev/null || return 1
    if tu_ctr snapshots --snapshotter "$CTR_SNAPSHOTTER" label "$key" \
      "containerd.io/gc.root=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null 2>&1; then
      echo "$key"
      return 0
    fi
  done
  return 1
}

# tu_ctr_rootfs_matches LAYOUT [DIGEST]: the unpacked image manifest DIGEST (default: the one
# index.json points at) holds exactly the files of its layer tarballs extracted in order.
tu_ctr_rootfs_matches() {
  local layout=$1 chain want layer rc=0
  chain=$(tu_ctr_chain_id "$@") || return 1
  want=$(mktemp -d "$CTR_DIR.scratch/want.XXXXXX") || return 1
  for layer in $(jq -r '.layers[].digest' "$(tu_ctr_layout_manifest "$@")"); do
    tar -xf "$layout/blobs/sha256/${layer#sha256:}" -C "$want" || rc=1
  done
  ((rc == 0)) && tu_ctr_in_view "$chain" "diff -r '$want' ." || rc=1
  rm -rf "$want"
  return $rc
}

# tu_ctr_image_digest REF: the target digest containerd recorded for image REF (empty if none).
tu_ctr_image_digest() { tu_ctr images ls | awk -v r="$1" '$1 == r { print $3 }'; }

# tu_write_mirror_hosts CERTS_DIR UPSTREAM MIRROR: containerd's hosts.toml that sends pulls
# (and tag resolution) for UPSTREAM to the plain-HTTP MIRROR, as runtimes.md describes.
tu_write_mirror_hosts() {
  local dir=$1 upstream=$2 mirror=$3
  mkdir -p "$dir/$upstream"
  cat >"$dir/$upstream/hosts.toml" <<TOML
server = "http://$upstream"

[host."http://$mirror"]
  capabilities = ["pull", "resolve"]
TOML
}

# tu_cri_pull REF: the call the kubelet makes to pull REF, the CRI's runtime.v1
# ImageService/PullImage, sent by curl as gRPC over HTTP/2 on containerd's socket with a
# hand-built PullImageRequest{image: ImageSpec{image: REF}}. Sets CRI_STATUS (grpc-status,
# "none" when the answer had none), CRI_MESSAGE (grpc-message) and CRI_IMAGE_REF
# (PullImageResponse.image_ref, empty unless the answer holds one). Fails only when curl does.
tu_cri_pull() {
  local ref=$1 n=${#1} out=$CTR_DIR.scratch/cri-pull hex
  ((n < 124)) || return 1 # every length below fits a one-byte varint
  mkdir -p "$CTR_DIR.scratch"
  # gRPC frame: flag 0, 4-byte big-endian length; then field 1 (ImageSpec) holding field 1.
  {
    printf '\0\0\0\0'
    _tu_byte $((n + 4))
    printf '\x0a'
    _tu_byte $((n + 2))
    printf '\x0a'
    _tu_byte "$n"
    printf %s "$ref"
  } >"$out.frame"
  # shellcheck disable=SC2034 # outputs for the caller
  CRI_STATUS=none CRI_MESSAGE="" CRI_IMAGE_REF=""
  "${CTR_AS_ROOT[@]}" curl -sS --max-time 60 --http2-prior-knowledge --unix-socket "$CTR_SOCK" \
    -H 'content-type: application/grpc' -H 'te: trailers' --data-binary "@$out.frame" \
    -D "$out.headers" -o "$out.body" http://localhost/runtime.v1.ImageService/PullImage || return 1
  # -D records the trailers too (after the body), where gRPC sends the status.
  CRI_STATUS=$(sed -n 's/^grpc-status: *\([0-9]*\).*/\1/p' "$out.headers" | tail -1)
  CRI_STATUS=${CRI_STATUS:-none}
  # shellcheck disable=SC2034
  CRI_MESSAGE=$(sed -n 's/^grpc-message: *//p' "$out.headers" | tr -d '\r' | tail -1)
  # The answer: a frame header, then field 1 (tag 0x0a) with a one-byte length, the string.
  hex=$(od -An -tx1 -j5 -N2 "$out.body" 2>/dev/null | tr -d ' \n')
  # shellcheck disable=SC2034
  if [[ ${hex:0:2} == 0a ]]; then CRI_IMAGE_REF=$(tail -c +8 "$out.body" | head -c $((16#${hex:2:2}))); fi
}

# _tu_byte N: writes the byte N (0-255).
_tu_byte() { printf '%b' "\\x$(printf %02x "$1")"; }
