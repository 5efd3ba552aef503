#!/usr/bin/env bash
# containerd pulls from the satellite, (a) directly (`ctr images pull --plain-http SAT/app:v1`)
# and (b) as the mirror of an upstream that lacks the image or is down, configured through
# hosts.toml (--hosts-dir); the satellite's access log shows the manifest and every blob
# fetched, and the same pull without hosts.toml fails. Each pulled image must unpack into a
# snapshot whose files equal the layer tarballs. Runs a private containerd
# (tests/testutil/containerd.sh: root, state and sockets under $TU_DIR, CRI off, its own mount
# namespace, so no mount outlives it).
# Skips (exit 0, "SKIP: ...") only when containerd cannot run or unpack here at all.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/containerd.sh"

tu_start_containerd "$TU_DIR/ctd" || {
  tail -20 "$TU_DIR/ctd.log" "$TU_DIR/ctd.scratch/probe.log" >&2 2>/dev/null || true
  tu_skip "$CTR_SKIP_REASON"
}
tu_log "containerd runs, snapshotter $CTR_SNAPSHOTTER"
tu_assert_eq "" "$(tu_ctr content ls -q)" "content store empty after the probe"

# forget REF: removes the image and garbage-collects its content and snapshots, so the next
# pull has to fetch everything again.
forget() {
  tu_ctr images rm --sync "$1" >/dev/null
  tu_assert_eq "" "$(tu_ctr content ls -q)" "content store empty after removing $1"
}

tu_start_satellite sat "$TU_DIR/data" --access-log
SAT=$SAT_ADDR
SAT_LOG=$TU_DIR/sat.log
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 2 --layer-size 512K --seed 21)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/image:v1" "docker://$SAT/app:v1"
manifest=$(tu_ctr_layout_manifest "$TU_DIR/image")
mapfile -t blobs < <(jq -r '.config.digest, .layers[].digest' "$manifest")

# (a) Direct pull over plain HTTP.
tu_log "(a) ctr images pull --plain-http $SAT/app:v1"
tu_ctr images pull --plain-http "$SAT/app:v1" >"$TU_DIR/pull-a.log" 2>&1 || {
  cat "$TU_DIR/pull-a.log" >&2
  tu_fail "direct pull from the satellite"
}
tu_assert_eq "$digest" "$(tu_ctr_image_digest "$SAT/app:v1")" "digest of the directly pulled image"
tu_ctr_rootfs_matches "$TU_DIR/image" || tu_fail "direct pull: unpacked files differ from the layers"
forget "$SAT/app:v1"

# (a) A multi-arch index, every platform: the image is the index, and all its content arrived.
index=$(tu_gen_image "$TU_DIR/multi" v1 --layers 1 --layer-size 256K --seed 22 \
  --platforms linux/amd64,linux/arm64)
skopeo copy -q --all --dest-tls-verify=false "oci:$TU_DIR/multi:v1" "docker://$SAT/multi/app:v1"
tu_log "(a) ctr images pull --plain-http --all-platforms $SAT/multi/app:v1"
tu_ctr images pull --plain-http --all-platforms "$SAT/multi/app:v1" >"$TU_DIR/pull-multi.log" 2>&1 || {
  cat "$TU_DIR/pull-multi.log" >&2
  tu_fail "multi-arch pull from the satellite"
}
tu_assert_eq "$index" "$(tu_ctr_image_digest "$SAT/multi/app:v1")" "digest of the pulled index"
tu_assert_eq "$(find "$TU_DIR/multi/blobs/sha256" -type f -printf 'sha256:%f\n' | sort)" \
  "$(tu_ctr content ls -q | sort)" "content containerd holds after the multi-arch pull"
forget "$SAT/multi/app:v1"

# (b) Mirror mode. The upstream is a real registry that does not hold the image.
tu_start_docker_registry upstream
UP=$REG_ADDR
UP_PID=$REG_PID
HOSTS=$TU_DIR/certs.d
tu_write_mirror_hosts "$HOSTS" "$UP" "$SAT"
ns_re="ns=${UP%:*}(%3A|:)${UP##*:}"

# mirror_pull LABEL: pulls UPSTREAM/app:v1 through hosts.toml and checks the digest, the
# unpacked files, and that the satellite logged the manifest and every blob for this upstream.
mirror_pull() {
  local label=$1 before
  before=$(wc -l <"$SAT_LOG")
  tu_ctr images pull --hosts-dir "$HOSTS" "$UP/app:v1" >"$TU_DIR/pull-$label.log" 2>&1 || {
    cat "$TU_DIR/pull-$label.log" >&2
    tu_fail "$label: pull of $UP/app:v1 through the satellite mirror"
  }
  tu_assert_eq "$digest" "$(tu_ctr_image_digest "$UP/app:v1")" "$label: digest of the mirrored image"
  tu_expect_served "$SAT_LOG" "$before" app v1 "\\?$ns_re" "${blobs[@]}"
  tu_ctr_rootfs_matches "$TU_DIR/image" || tu_fail "$label: unpacked files differ from the layers"
  forget "$UP/app:v1"
}

# expect_direct_pull_fails LABEL: without hosts.toml the pull goes to the upstream only,
# fails, and never reaches the satellite.
expect_direct_pull_fails() {
  local label=$1 before
  before=$(wc -l <"$SAT_LOG")
  if tu_ctr images pull --plain-http "$UP/app:v1" >"$TU_DIR/pull-$label.log" 2>&1; then
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
