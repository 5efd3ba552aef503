#!/usr/bin/env bash
# A full disk: on an 8 MiB tmpfs, a blob larger than the free space is refused with 507
# INSUFFICIENT_STORAGE in the OCI error envelope, and the space it took is given back; a
# manifest PUT on a full disk fails the same way without harming the SQLite metadata; what
# was stored before keeps serving byte-identical, and pushes work again once space is free.
# Needs mount(2) (root); prints SKIP otherwise.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/storage.sh"

small=$TU_DIR/small
mkdir -p "$small"
if ! mount -t tmpfs -o size=8m tmpfs "$small" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs here"
  exit 0
fi
disk_full_cleanup() {
  local pid
  for pid in "${TU_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${TU_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  umount "$small" 2>/dev/null || umount -l "$small" 2>/dev/null || true
  tu_cleanup
}
trap disk_full_cleanup EXIT

data=$small/data
avail() { df --output=avail -B1 "$small" | tail -1 | tr -d ' '; }
# expect_insufficient_storage WHAT: the last response ($TU_DIR/resp.*) is 507 with the
# OCI error envelope naming INSUFFICIENT_STORAGE.
expect_insufficient_storage() {
  tu_assert_eq 507 "$status" "$1: status ($(cat "$TU_DIR/resp.body"))"
  grep -qi '^content-type: application/json' "$TU_DIR/resp.headers" ||
    tu_fail "$1: error body is not JSON"
  tu_assert_eq INSUFFICIENT_STORAGE "$(jq -r '.errors[0].code' "$TU_DIR/resp.body")" "$1: code"
}
request() {
  status=$(curl -s -D "$TU_DIR/resp.headers" -o "$TU_DIR/resp.body" -w '%{http_code}' "$@")
}

tu_start_satellite sat "$data" --gc-interval 0
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 2 --layer-size 256K --seed 21)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/image:v1" "docker://$SAT_ADDR/small/app:v1"
free_before=$(avail)

tu_log "a blob larger than the free space, in one POST"
head -c $((free_before + 2 * 1024 * 1024)) /dev/urandom >"$TU_DIR/big"
big=$(tu_sha256 "$TU_DIR/big")
request -X POST --data-binary "@$TU_DIR/big" -H 'Content-Type: application/octet-stream' \
  "http://$SAT_ADDR/v2/small/big/blobs/uploads/?digest=$big"
expect_insufficient_storage "monolithic upload"
# The failed request gave its bytes back (a client of a monolithic POST has no session URL
# to delete), so the disk is as free as before.
(($(avail) > free_before - 64 * 1024)) || tu_fail "space not given back: $(avail) < $free_before"

tu_log "the same blob as a chunked upload"
request -X POST "http://$SAT_ADDR/v2/small/big/blobs/uploads/"
tu_assert_eq 202 "$status" "start upload"
location=$(tr -d '\r' <"$TU_DIR/resp.headers" | sed -n 's/^[Ll]ocation: //p')
head -c 100000 "$TU_DIR/big" >"$TU_DIR/chunk0"
request -X PATCH --data-binary "@$TU_DIR/chunk0" -H 'Content-Range: 0-99999' \
  "http://$SAT_ADDR$location"
tu_assert_eq 202 "$status" "first chunk"
tail -c +100001 "$TU_DIR/big" >"$TU_DIR/chunk1"
request -X PATCH --data-binary "@$TU_DIR/chunk1" \
  -H "Content-Range: 100000-$(($(stat -c %s "$TU_DIR/big") - 1))" "http://$SAT_ADDR$location"
expect_insufficient_storage "chunk larger than the free space"
# The 507 itself says where the upload stands, like a 416 does.
tu_assert_eq "0-99999" "$(tr -d '\r' <"$TU_DIR/resp.headers" | sed -n 's/^[Rr]ange: //p')" \
  "Range on the 507"
# The session is where the failed request found it: it can go on once there is space.
request "http://$SAT_ADDR$location"
tu_assert_eq 204 "$status" "upload status after the failed chunk"
tu_assert_eq "0-99999" "$(tr -d '\r' <"$TU_DIR/resp.headers" | sed -n 's/^[Rr]ange: //p')" \
  "upload range after the failed chunk"
request -X DELETE "http://$SAT_ADDR$location"
tu_assert_eq 204 "$status" "cancel the failed upload"
(($(avail) > free_before - 64 * 1024)) || tu_fail "space not back after cancel: $(avail)"

tu_log "reads still work and the image is intact"
tu_assert_eq 200 "$(tu_status GET "http://$SAT_ADDR/v2/")" "base endpoint"
read -r tags blobs < <(st_check_all_tags "$SAT_ADDR")
tu_assert_eq "1 3" "$tags $blobs" "tags and blobs served"
skopeo copy -q --src-tls-verify=false "docker://$SAT_ADDR/small/app:v1" "oci:$TU_DIR/back:v1"
tu_assert_eq "$digest" "$(skopeo inspect --format '{{.Digest}}' "oci:$TU_DIR/back:v1")" "pulled digest"
for blob in "$TU_DIR"/image/blobs/sha256/*; do
  cmp -s "$blob" "$TU_DIR/back/blobs/sha256/$(basename "$blob")" || tu_fail "pulled $blob differs"
done

tu_log "space is usable again"
head -c $((free_before / 2)) /dev/urandom >"$TU_DIR/half"
st_push_blob "$SAT_ADDR" small/big "$TU_DIR/half" >/dev/null

tu_log "a manifest PUT on a full disk"
# Larger than the WAL, so SQLite must grow a file to commit it.
manifest="$TU_DIR/image/blobs/sha256/${digest#sha256:}"
wal=$(stat -c %s "$data/metadata.db-wal" 2>/dev/null || echo 0)
pad=$((wal + 512 * 1024))
head -c "$pad" /dev/zero | tr '\0' x >"$TU_DIR/pad"
jq -c --rawfile pad "$TU_DIR/pad" '.annotations = {"pad": $pad}' "$manifest" >"$TU_DIR/padded.json"
head -c "$(avail)" /dev/zero >"$small/filler" 2>/dev/null || true
while head -c 4096 /dev/zero >>"$small/filler" 2>/dev/null; do :; done
request -X PUT --data-binary "@$TU_DIR/padded.json" \
  -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  "http://$SAT_ADDR/v2/small/app/manifests/padded"
expect_insufficient_storage "manifest PUT on a full disk"
tu_assert_eq 404 "$(tu_status GET "http://$SAT_ADDR/v2/small/app/manifests/padded")" \
  "refused manifest"
read -r tags blobs < <(st_check_all_tags "$SAT_ADDR")
tu_assert_eq "1 3" "$tags $blobs" "tags and blobs served on a full disk"

tu_log "after freeing space the same PUT succeeds; the metadata survives a restart"
rm -f "$small/filler"
request -X PUT --data-binary "@$TU_DIR/padded.json" \
  -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  "http://$SAT_ADDR/v2/small/app/manifests/padded"
tu_assert_eq 201 "$status" "manifest PUT with space ($(cat "$TU_DIR/resp.body"))"
kill -TERM "$SAT_PID" && wait "$SAT_PID" || true
st_check_database "$data"
tu_start_satellite sat2 "$data" --gc-interval 0
read -r tags blobs < <(st_check_all_tags "$SAT_ADDR")
tu_assert_eq "2 6" "$tags $blobs" "tags and blobs served after restart"
tu_assert_eq 0 "$(find "$data/uploads" -mindepth 1 -name data | wc -l)" "upload sessions left"
st_check_blob_tree "$data" >/dev/null
echo "ok"
