#!/usr/bin/env bash
# A kubelet's pull goes to the satellite. A private containerd runs its CRI plugin with the
# registry config_path set to the certs.d that `satellite mirror-config --runtime containerd`
# writes; the upstream the image is named after does not run, so every byte must come from
# the satellite. The CRI call the kubelet makes (runtime.v1 ImageService/PullImage, gRPC on
# containerd's socket, sent with curl) pulls UPSTREAM/site/app:v1: grpc-status 0, the image
# id it answers is the image's config digest, the manifest and every blob appear in the
# satellite's access log for that upstream, and the unpacked files equal the layers.
# Negative controls: the same call before mirror-config wrote the hosts.toml, and again after
# --undo removed it, fails with a non-zero grpc-status and never reaches the satellite.
# Skips only when containerd cannot run here.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/containerd.sh"

ROOT=$TU_DIR/root
CTR_CRI_HOSTS_DIR=$ROOT/etc/containerd/certs.d
tu_start_containerd "$TU_DIR/ctd" || {
  tail -20 "$TU_DIR/ctd.log" "$TU_DIR/ctd.scratch/probe.log" >&2 2>/dev/null || true
  tu_skip "$CTR_SKIP_REASON"
}
# The CRI plugin keeps its images in the k8s.io namespace; tu_ctr looks there from now on.
export CONTAINERD_NAMESPACE=k8s.io
tu_assert_eq "" "$(tu_ctr content ls -q)" "CRI content store before the pull"
tu_log "containerd runs with the CRI plugin, snapshotter $CTR_SNAPSHOTTER"

tu_start_satellite sat "$TU_DIR/data" --access-log
SAT=$SAT_ADDR
SAT_LOG=$TU_DIR/sat.log
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 2 --layer-size 256K --seed 71)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/image:v1" "docker://$SAT/site/app:v1"
manifest=$(tu_ctr_layout_manifest "$TU_DIR/image")
config=$(jq -r '.config.digest' "$manifest")
mapfile -t blobs < <(jq -r '.config.digest, .layers[].digest' "$manifest")

# The upstream: a loopback port nothing listens on.
UP=127.0.0.1:$(tu_free_port)
REF=$UP/site/app:v1
ns_re="ns=${UP%:*}(%3A|:)${UP##*:}"

# expect_pull_fails LABEL: the CRI pull of REF fails and the satellite sees no request.
expect_pull_fails() {
  local before
  before=$(wc -l <"$SAT_LOG")
  tu_cri_pull "$REF" || tu_fail "$1: curl could not send the CRI call"
  [[ "$CRI_STATUS" != 0 && "$CRI_STATUS" != none ]] ||
    tu_fail "$1: the CRI pull of $REF answered grpc-status $CRI_STATUS"
  tu_assert_eq "$before" "$(wc -l <"$SAT_LOG")" "$1: satellite requests"
  tu_log "$1: grpc-status $CRI_STATUS ($CRI_MESSAGE)"
}

expect_pull_fails "without hosts.toml"

"$SATELLITE" mirror-config --runtime containerd --root "$ROOT" --mirror "$SAT" \
  --upstream "http://$UP" >"$TU_DIR/mirror.out"
grep -q "containerd: created $CTR_CRI_HOSTS_DIR/$UP/hosts.toml" "$TU_DIR/mirror.out" || {
  cat "$TU_DIR/mirror.out" >&2
  tu_fail "mirror-config did not write $CTR_CRI_HOSTS_DIR/$UP/hosts.toml"
}

# The CRI plugin reads hosts.toml at each pull: no restart.
before=$(wc -l <"$SAT_LOG")
tu_cri_pull "$REF" || tu_fail "curl could not send the CRI call"
[[ "$CRI_STATUS" == 0 ]] || tu_fail "the CRI pull of $REF: grpc-status $CRI_STATUS ($CRI_MESSAGE)"
tu_assert_eq "$config" "$CRI_IMAGE_REF" "image id in the PullImage answer"
tu_assert_eq "$digest" "$(tu_ctr_image_digest "$REF")" "digest containerd recorded for $REF"
tu_expect_served "$SAT_LOG" "$before" site/app v1 "\\?$ns_re" "${blobs[@]}"
tu_ctr_rootfs_matches "$TU_DIR/image" || tu_fail "the unpacked files differ from the layers"
tu_log "the CRI plugin pulled $REF from the satellite (${#blobs[@]} blobs in its log)"

# --undo removes hosts.toml; with the image forgotten, the kubelet's pull fails again.
"$SATELLITE" mirror-config --runtime containerd --root "$ROOT" --mirror "$SAT" \
  --upstream "http://$UP" --undo >/dev/null
mapfile -t refs < <(tu_ctr images ls -q)
tu_ctr images rm --sync "${refs[@]}" >/dev/null
tu_assert_eq "" "$(tu_ctr content ls -q)" "CRI content store after removing the image"
expect_pull_fails "after --undo"
echo ok
