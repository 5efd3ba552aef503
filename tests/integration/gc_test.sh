#!/usr/bin/env bash
# Garbage collection: offline `satellite gc` deletes exactly the blobs no manifest references
# (a layer shared with a live image stays), never a blob younger than the grace period, and
# purges upload sessions idle past --upload-max-idle; the in-server schedule does the same
# while the registry serves.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/storage.sh"

data=$TU_DIR/data
images=$TU_DIR/images
# Same seed: layer 0 is identical, so "drop" shares its first layer with "keep".
keep=$(tu_gen_image "$images" keep --layers 1 --layer-size 64K --seed 11)
drop=$(tu_gen_image "$images" drop --layers 2 --layer-size 64K --seed 11)
blobs_of() { jq -r '.config.digest, .layers[].digest' "$images/blobs/sha256/${1#sha256:}"; }
size_of() { stat -c %s "$images/blobs/sha256/${1#sha256:}"; }
mapfile -t keep_blobs < <(blobs_of "$keep")
mapfile -t drop_blobs < <(blobs_of "$drop")
shared=${keep_blobs[1]}
tu_assert_eq "$shared" "${drop_blobs[1]}" "layer shared by both images"
drop_only=("${drop_blobs[0]}" "${drop_blobs[2]}")

tu_start_satellite sat "$data" --gc-interval 0
for tag in keep drop; do
  skopeo copy -q --dest-tls-verify=false "oci:$images:$tag" "docker://$SAT_ADDR/gc/app:$tag"
done
head -c 70000 /dev/urandom >"$TU_DIR/orphan-old"
head -c 50000 /dev/urandom >"$TU_DIR/orphan-new"
orphan_old=$(st_push_blob "$SAT_ADDR" gc/scratch "$TU_DIR/orphan-old")
orphan_new=$(st_push_blob "$SAT_ADDR" gc/scratch "$TU_DIR/orphan-new")

tu_log "delete the manifest of 'drop' by digest"
tu_assert_eq 202 "$(tu_status DELETE "http://$SAT_ADDR/v2/gc/app/manifests/$drop")" "DELETE manifest"
tu_assert_eq 404 "$(tu_status GET "http://$SAT_ADDR/v2/gc/app/manifests/drop")" "deleted tag"

# Two upload sessions with some bytes: one will look abandoned, one is in progress.
start_upload() {
  local location
  location=$(curl -s -D - -o /dev/null -X POST "http://$SAT_ADDR/v2/gc/app/blobs/uploads/" |
    tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  curl -sf -o /dev/null -X PATCH --data-binary 'some bytes' -H 'Content-Range: 0-9' \
    "http://$SAT_ADDR$location" || tu_fail "PATCH upload"
  echo "$location"
}
stale_upload=$(start_upload)
fresh_upload=$(start_upload)
kill -TERM "$SAT_PID" && wait "$SAT_PID" || true

touch -d '2 days ago' "$data/uploads/${stale_upload##*/}/data"
touch -d '2 hours ago' "$(st_blob_path "$data" "$orphan_old")"

tu_log "gc with the default grace (1h) and upload idle limit (24h)"
out=$("$SATELLITE" gc --data-dir "$data" 2>"$TU_DIR/gc1.log") || tu_fail "gc: $(cat "$TU_DIR/gc1.log")"
read -r deleted freed kept purged < <(st_gc_counts "$out")
tu_assert_eq "1 70000 5 1" "$deleted $freed $kept $purged" "default gc report ($out)"
[[ ! -e "$(st_blob_path "$data" "$orphan_old")" ]] || tu_fail "old unreferenced blob survived"
for d in "${drop_only[@]}" "$orphan_new"; do
  # Unreferenced, but younger than the grace period: a push could be about to use it.
  [[ -f "$(st_blob_path "$data" "$d")" ]] || tu_fail "young blob $d collected"
done
[[ ! -e "$data/uploads/${stale_upload##*/}" ]] || tu_fail "stale upload session survived"
[[ -f "$data/uploads/${fresh_upload##*/}/data" ]] || tu_fail "fresh upload session purged"

tu_log "gc --gc-grace 0"
sleep 1.1 # blob ages have one-second resolution: let every blob be strictly older than now
out=$("$SATELLITE" gc --data-dir "$data" --gc-grace 0 2>"$TU_DIR/gc2.log") ||
  tu_fail "gc: $(cat "$TU_DIR/gc2.log")"
read -r deleted freed kept purged < <(st_gc_counts "$out")
expected_freed=$(($(size_of "${drop_only[0]}") + $(size_of "${drop_only[1]}") + 50000))
tu_assert_eq "3 $expected_freed 2 0" "$deleted $freed $kept $purged" "gc --gc-grace 0 report ($out)"
for d in "${drop_only[@]}" "$orphan_new"; do
  [[ ! -e "$(st_blob_path "$data" "$d")" ]] || tu_fail "unreferenced blob $d survived"
done
for d in "${keep_blobs[@]}"; do
  [[ -f "$(st_blob_path "$data" "$d")" ]] || tu_fail "blob $d of the live image deleted"
done
tu_assert_eq 2 "$(st_check_blob_tree "$data")" "blobs left on disk"
[[ -f "$data/uploads/${fresh_upload##*/}/data" ]] || tu_fail "fresh upload session purged"

tu_log "the remaining image still pulls; the fresh upload still resumes"
tu_start_satellite sat2 "$data" --gc-interval 0
skopeo copy -q --src-tls-verify=false "docker://$SAT_ADDR/gc/app:keep" "oci:$TU_DIR/back:keep"
tu_assert_eq "$keep" "$(skopeo inspect --format '{{.Digest}}' "oci:$TU_DIR/back:keep")" "pulled digest"
tu_assert_eq 404 "$(tu_status HEAD "http://$SAT_ADDR/v2/gc/scratch/blobs/$orphan_new" -I)" \
  "collected blob"
tu_assert_eq 204 "$(tu_status GET "http://$SAT_ADDR$fresh_upload")" "fresh upload status"
tu_assert_eq 404 "$(tu_status GET "http://$SAT_ADDR$stale_upload")" "purged upload status"
kill -TERM "$SAT_PID" && wait "$SAT_PID" || true

tu_log "in-server schedule: --gc-interval 2s --gc-grace 0"
tu_start_satellite sat3 "$data" --gc-interval 2s --gc-grace 0
head -c 30000 /dev/urandom >"$TU_DIR/orphan-live"
orphan_live=$(st_push_blob "$SAT_ADDR" gc/scratch "$TU_DIR/orphan-live")
tu_assert_eq 200 "$(tu_status HEAD "http://$SAT_ADDR/v2/gc/scratch/blobs/$orphan_live" -I)" \
  "fresh blob"
tu_wait_for 10 test ! -e "$(st_blob_path "$data" "$orphan_live")" ||
  tu_fail "the running server did not collect the unreferenced blob"
tu_assert_eq 404 "$(tu_status HEAD "http://$SAT_ADDR/v2/gc/scratch/blobs/$orphan_live" -I)" \
  "collected blob"
read -r tags blobs < <(st_check_all_tags "$SAT_ADDR")
tu_assert_eq "1 2" "$tags $blobs" "tags and blobs served after the in-server gc"
grep -q 'gc: deleted 1 blobs' "$TU_DIR/sat3.log" || tu_fail "no gc log line: $(cat "$TU_DIR/sat3.log")"
echo "ok"
