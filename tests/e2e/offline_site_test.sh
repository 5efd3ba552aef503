#!/usr/bin/env bash
# An edge site keeps running when its WAN link is down. An upstream docker-registry holds a
# multi-arch image (an OCI index for linux/amd64 and linux/arm64) and a single image; the
# site's satellite is filled from it with `skopeo sync --all` (standing in for replication
# until the agent exists); then the upstream dies. The site's containerd, whose hosts.toml
# names the satellite as pull+resolve mirror of the upstream host, pulls both images by their
# upstream names and unpacks them. The satellite restarts (SIGTERM, exit 0, same data dir and
# address) and containerd, its content store emptied, pulls again with the upstream still
# down. Finally `satellite gc`, sent to the running server (every blob aged past the grace
# period), deletes nothing because every blob is referenced, and the pull still works.
# Every digest is checked against the upstream's. Skips only when containerd cannot run here.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/containerd.sh"
source "$(dirname "$0")/../testutil/storage.sh"

tu_start_containerd "$TU_DIR/ctd" || {
  tail -20 "$TU_DIR/ctd.log" "$TU_DIR/ctd.scratch/probe.log" >&2 2>/dev/null || true
  tu_skip "$CTR_SKIP_REASON"
}
tu_log "containerd runs, snapshotter $CTR_SNAPSHOTTER"

# tu_raw_digest REF: digest of the manifest bytes a registry serves for docker://REF.

# --- The upstream, with two images ------------------------------------------------------------
tu_start_docker_registry upstream
UP=$REG_ADDR
UP_PID=$REG_PID
multi=$(tu_gen_image "$TU_DIR/multi" v1 --layers 2 --layer-size 256K --seed 31 \
  --platforms linux/amd64,linux/arm64)
single=$(tu_gen_image "$TU_DIR/single" v2 --layers 2 --layer-size 512K --seed 32)
skopeo copy -q --all --dest-tls-verify=false "oci:$TU_DIR/multi:v1" "docker://$UP/site/multi:v1"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/single:v2" "docker://$UP/site/app:v2"
tu_assert_eq "$multi" "$(tu_raw_digest "$UP/site/multi:v1")" "upstream digest of site/multi:v1"
tu_assert_eq "$single" "$(tu_raw_digest "$UP/site/app:v2")" "upstream digest of site/app:v2"

# The host platform's manifest in the index: what a plain pull unpacks.
case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) tu_skip "no image for platform $(uname -m) in this test" ;;
esac
index_file=$TU_DIR/multi/blobs/sha256/${multi#sha256:}
multi_host=$(jq -r --arg a "$arch" '.manifests[] | select(.platform.architecture == $a) | .digest' \
  "$index_file")
# Every blob (config, layer) the two images reference: what the satellite must store, no more.
blobs_of() { jq -r '.config.digest, .layers[].digest' "$1/blobs/sha256/${2#sha256:}"; }
expected_blobs=$(
  for m in $(jq -r '.manifests[].digest' "$index_file"); do blobs_of "$TU_DIR/multi" "$m"; done
  blobs_of "$TU_DIR/single" "$single"
)
expected_blobs=$(sort -u <<<"$expected_blobs")
blob_count=$(wc -l <<<"$expected_blobs")
tu_assert_eq 9 "$blob_count" "distinct blobs of the two images (2 x 3 + 3)"

# --- The site: a satellite filled from the upstream -------------------------------------------
DATA=$TU_DIR/site-data
tu_start_satellite site "$DATA" --gc-interval 0 --access-log
SAT=$SAT_ADDR
cat >"$TU_DIR/sync.yml" <<YAML
$UP:
  tls-verify: false
  images:
    site/multi: []
    site/app: []
YAML
tu_log "skopeo sync --all from $UP into the site satellite $SAT"
skopeo sync --all --src yaml --dest docker --dest-tls-verify=false \
  "$TU_DIR/sync.yml" "$SAT/site" >"$TU_DIR/sync.log" 2>&1 || {
  cat "$TU_DIR/sync.log" >&2
  tu_fail "skopeo sync into the satellite"
}
tu_assert_eq "$multi" "$(tu_raw_digest "$SAT/site/multi:v1")" "satellite digest of site/multi:v1"
tu_assert_eq "$single" "$(tu_raw_digest "$SAT/site/app:v2")" "satellite digest of site/app:v2"
for child in $(jq -r '.manifests[].digest' "$index_file"); do
  tu_assert_eq "$child" "$(tu_raw_digest "$SAT/site/multi@$child")" "satellite digest of child $child"
done
# Both tags, and every manifest and blob behind them, served intact.
tu_assert_eq "2 $blob_count" "$(st_check_all_tags "$SAT")" "tags and blobs served by the satellite"

# --- WAN down --------------------------------------------------------------------------------
tu_log "upstream $UP stopped"
kill -9 "$UP_PID"
wait "$UP_PID" 2>/dev/null || true
if curl -s --max-time 2 "http://$UP/v2/" >/dev/null; then tu_fail "upstream still answers"; fi

HOSTS=$TU_DIR/certs.d
tu_write_mirror_hosts "$HOSTS" "$UP" "$SAT"

# pull_both LABEL: containerd pulls both images by their upstream names through the mirror;
# the recorded digests are the upstream's and the unpacked files equal the layers.
pull_both() {
  local label=$1
  tu_ctr images pull --hosts-dir "$HOSTS" "$UP/site/multi:v1" >"$TU_DIR/pull-$label-multi.log" 2>&1 || {
    cat "$TU_DIR/pull-$label-multi.log" >&2
    tu_fail "$label: pull of $UP/site/multi:v1"
  }
  tu_ctr images pull --hosts-dir "$HOSTS" "$UP/site/app:v2" >"$TU_DIR/pull-$label-app.log" 2>&1 || {
    cat "$TU_DIR/pull-$label-app.log" >&2
    tu_fail "$label: pull of $UP/site/app:v2"
  }
  tu_assert_eq "$multi" "$(tu_ctr_image_digest "$UP/site/multi:v1")" "$label: site/multi:v1 digest"
  tu_assert_eq "$single" "$(tu_ctr_image_digest "$UP/site/app:v2")" "$label: site/app:v2 digest"
  tu_ctr_rootfs_matches "$TU_DIR/multi" "$multi_host" ||
    tu_fail "$label: unpacked linux/$arch files of site/multi:v1 differ from its layers"
  tu_ctr_rootfs_matches "$TU_DIR/single" ||
    tu_fail "$label: unpacked files of site/app:v2 differ from its layers"
}

# forget_both: removes both images and collects their content and snapshots, so the next pull
# has to fetch everything again.
forget_both() {
  tu_ctr images rm --sync "$UP/site/multi:v1" "$UP/site/app:v2" >/dev/null
  tu_assert_eq "" "$(tu_ctr content ls -q)" "content store empty after removing both images"
  tu_assert_eq "" "$(tu_ctr snapshots ls | awk 'NR > 1')" "snapshots left after removing both images"
}

tu_log "negative control: without hosts.toml the pull fails"
if tu_ctr images pull --plain-http "$UP/site/app:v2" >"$TU_DIR/pull-control.log" 2>&1; then
  tu_fail "pull of $UP/site/app:v2 without the mirror succeeded while the upstream is down"
fi

tu_log "pull 1: both images through the satellite, upstream down"
pull_both pull1
forget_both

# --- Satellite restart -----------------------------------------------------------------------
tu_log "satellite restart: SIGTERM, then the same data dir and address"
kill -TERM "$SAT_PID"
rc=0
wait "$SAT_PID" || rc=$?
tu_assert_eq 0 "$rc" "satellite exit status after SIGTERM"
tu_start_satellite site2 "$DATA" --listen "$SAT" --gc-interval 0 --access-log
tu_assert_eq "$SAT" "$SAT_ADDR" "address after the restart"

tu_log "pull 2: after the restart, upstream still down"
pull_both pull2
forget_both

# --- Garbage collection in the running server -------------------------------------------------
tu_log "satellite gc against the running server: everything is referenced"
stored=$(find "$DATA/blobs" -type f -printf 'sha256:%f\n' | sort)
tu_assert_eq "$expected_blobs" "$stored" "blobs stored by the satellite"
# Age every blob past the grace period (1h), so each one is kept only because it is referenced.
find "$DATA/blobs" -type f -exec touch -d '2 hours ago' {} +
out=$("$SATELLITE" gc --data-dir "$DATA" 2>"$TU_DIR/gc.log") || tu_fail "gc: $(cat "$TU_DIR/gc.log")"
grep -q "asked the running satellite (pid $SAT_PID)" "$TU_DIR/gc.log" ||
  tu_fail "gc did not go to the running server: $(cat "$TU_DIR/gc.log")"
read -r deleted freed kept purged < <(st_gc_counts "$out")
tu_assert_eq "0 0 $blob_count 0" "$deleted $freed $kept $purged" "gc report ($out)"
tu_assert_eq "$expected_blobs" "$(find "$DATA/blobs" -type f -printf 'sha256:%f\n' | sort)" \
  "blobs stored after gc"
tu_assert_eq "$blob_count" "$(st_check_blob_tree "$DATA")" "intact blobs after gc"

tu_log "pull 3: after gc"
pull_both pull3
kill -TERM "$SAT_PID"
rc=0
wait "$SAT_PID" || rc=$?
tu_assert_eq 0 "$rc" "satellite exit status after the final SIGTERM"
echo "ok"
