#!/usr/bin/env bash
# OCI distribution-spec pull and blob push flows over real HTTP: what a client sees (status,
# headers, error codes) for manifests of all four media types, monolithic, single-POST and
# chunked uploads, cancel, digest mismatch, cross-repository mounts and blob deletion.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/oci.sh"

tu_start_satellite sat "$TU_DIR/data"
upload_re='^/v2/([a-z0-9/]+)/blobs/uploads/([0-9a-f]{64})$'

# --- Content: one OCI image, one Docker schema2 image, an OCI index, a Docker manifest list.
tu_log "push blobs and four kinds of manifest"
oci_config=$(oci_blob_file oci-config.json '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
oci_layer=$(oci_blob_file oci-layer 'oci layer bytes 0123456789' 200)
docker_config=$(oci_blob_file docker-config.json '{"architecture":"arm64","os":"linux"}')
docker_layer=$(oci_blob_file docker-layer 'docker layer bytes' 300)
for blob in "$oci_config" "$oci_layer" "$docker_config" "$docker_layer"; do
  oci_push_blob pull/app "$blob" >/dev/null
done
oci_image_manifest "$OCI_WORK/oci.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.oci.image.config.v1+json "$oci_config")" \
  "[$(oci_descriptor application/vnd.oci.image.layer.v1.tar "$oci_layer")]" \
  '{"annotations":{"org.example.note":"spaces   and\ttabs"}}'
oci_image_manifest "$OCI_WORK/docker.json" "$DOCKER_MANIFEST" \
  "$(oci_descriptor application/vnd.docker.container.image.v1+json "$docker_config")" \
  "[$(oci_descriptor application/vnd.docker.image.rootfs.diff.tar.gzip "$docker_layer")]"
oci_index "$OCI_WORK/index.json" "$OCI_INDEX" \
  "[$(oci_descriptor "$OCI_MANIFEST" "$OCI_WORK/oci.json" | jq -c '. + {platform: {architecture: "amd64", os: "linux"}}')]"
oci_index "$OCI_WORK/list.json" "$DOCKER_LIST" \
  "[$(oci_descriptor "$DOCKER_MANIFEST" "$OCI_WORK/docker.json" | jq -c '. + {platform: {architecture: "arm64", os: "linux"}}')]"

# Children before their index; each PUT answers 201 with Location and the digest.
for entry in "oci.json $OCI_MANIFEST" "docker.json $DOCKER_MANIFEST" "index.json $OCI_INDEX" \
  "list.json $DOCKER_LIST"; do
  read -r file type <<<"$entry"
  digest=$(tu_sha256 "$OCI_WORK/$file")
  oci_put_manifest pull/app "${file%.json}" "$OCI_WORK/$file" "$type"
  oci_expect 201 "PUT manifest $file"
  oci_expect_header Location "/v2/pull/app/manifests/$digest" "PUT manifest $file"
  oci_expect_header Docker-Content-Digest "$digest" "PUT manifest $file"
done

# --- 1. Pull: GET and HEAD by tag and by digest, byte-identical, exact headers.
tu_log "pull manifests by tag and digest"
for entry in "oci.json $OCI_MANIFEST" "docker.json $DOCKER_MANIFEST" "index.json $OCI_INDEX" \
  "list.json $DOCKER_LIST"; do
  read -r file type <<<"$entry"
  digest=$(tu_sha256 "$OCI_WORK/$file")
  size=$(stat -c %s "$OCI_WORK/$file")
  for ref in "${file%.json}" "$digest"; do
    what="GET manifest $ref ($file)"
    oci_req GET "/v2/pull/app/manifests/$ref" -H "Accept: $type"
    oci_expect 200 "$what"
    oci_expect_header Content-Type "$type" "$what"
    oci_expect_header Docker-Content-Digest "$digest" "$what"
    oci_expect_header Content-Length "$size" "$what"
    oci_expect_body_is "$OCI_WORK/$file" "$what"
    what="HEAD manifest $ref ($file)"
    oci_req HEAD "/v2/pull/app/manifests/$ref"
    oci_expect 200 "$what"
    oci_expect_header Content-Type "$type" "$what"
    oci_expect_header Docker-Content-Digest "$digest" "$what"
    oci_expect_header Content-Length "$size" "$what"
    oci_expect_head_no_body "/v2/pull/app/manifests/$ref" "$what"
  done
done
oci_req GET /v2/pull/app/manifests/nosuchtag
oci_expect_error 404 MANIFEST_UNKNOWN "GET unknown tag"
oci_req HEAD /v2/pull/app/manifests/nosuchtag
oci_expect 404 "HEAD unknown tag"
oci_expect_head_no_body /v2/pull/app/manifests/nosuchtag "HEAD unknown tag"
oci_req GET "/v2/pull/app/manifests/sha256:$(printf '%064d' 0)"
oci_expect_error 404 MANIFEST_UNKNOWN "GET unknown manifest digest"

tu_log "pull blobs, whole and by range"
layer_digest=$(tu_sha256 "$oci_layer")
layer_size=$(stat -c %s "$oci_layer")
oci_req GET "/v2/pull/app/blobs/$layer_digest"
oci_expect 200 "GET blob"
oci_expect_header Docker-Content-Digest "$layer_digest" "GET blob"
oci_expect_header Content-Length "$layer_size" "GET blob"
oci_expect_body_is "$oci_layer" "GET blob"
oci_req HEAD "/v2/pull/app/blobs/$layer_digest"
oci_expect 200 "HEAD blob"
oci_expect_header Content-Length "$layer_size" "HEAD blob"
oci_expect_header Docker-Content-Digest "$layer_digest" "HEAD blob"
oci_expect_head_no_body "/v2/pull/app/blobs/$layer_digest" "HEAD blob"
oci_req GET "/v2/pull/app/blobs/$layer_digest" -H 'Range: bytes=10-19'
oci_expect 206 "GET blob range"
oci_expect_header Content-Range "bytes 10-19/$layer_size" "GET blob range"
tu_assert_eq "$(head -c 20 "$oci_layer" | tail -c 10)" "$(cat "$OCI_BODY")" "GET blob range bytes"

# --- 2. Push flows.
tu_log "monolithic POST then PUT"
mono=$(oci_blob_file mono 'monolithic blob' 64)
mono_digest=$(tu_sha256 "$mono")
oci_req POST /v2/push/a/blobs/uploads/
oci_expect 202 "POST upload"
location=$(oci_header Location)
[[ "$location" =~ $upload_re ]] || tu_fail "upload Location '$location' is not /v2/push/a/blobs/uploads/<64 hex>"
tu_assert_eq push/a "${BASH_REMATCH[1]}" "upload Location repository"
first_id=${BASH_REMATCH[2]}
oci_req PUT "$location?digest=$mono_digest" -H 'Content-Type: application/octet-stream' \
  --data-binary "@$mono"
oci_expect 201 "PUT upload"
oci_expect_header Location "/v2/push/a/blobs/$mono_digest" "PUT upload"
oci_expect_header Docker-Content-Digest "$mono_digest" "PUT upload"
oci_req GET "$(oci_header Location)"
oci_expect 200 "GET pushed blob"
oci_expect_body_is "$mono" "GET pushed blob"
oci_req GET "$location"
oci_expect_error 404 BLOB_UPLOAD_UNKNOWN "GET a finished upload"

tu_log "upload ids are unguessable and distinct"
oci_req POST /v2/push/a/blobs/uploads/
oci_expect 202 "second POST upload"
[[ "$(oci_header Location)" =~ $upload_re ]] || tu_fail "second upload Location"
[[ "${BASH_REMATCH[2]}" != "$first_id" ]] || tu_fail "two uploads got the same id"
oci_req DELETE "$(oci_header Location)"
oci_expect 204 "cancel second upload"

tu_log "single POST with ?digest="
single=$(oci_blob_file single 'single post blob' 32)
single_digest=$(tu_sha256 "$single")
oci_req POST "/v2/push/a/blobs/uploads/?digest=$single_digest" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$single"
oci_expect 201 "single POST"
oci_expect_header Location "/v2/push/a/blobs/$single_digest" "single POST"
oci_expect_header Docker-Content-Digest "$single_digest" "single POST"
oci_req GET "/v2/push/a/blobs/$single_digest"
oci_expect 200 "GET single-POST blob"
oci_expect_body_is "$single" "GET single-POST blob"

tu_log "chunked upload: in order, out of order (416), status, finish"
chunk1=$(oci_blob_file chunk1 'A' 100)
chunk2=$(oci_blob_file chunk2 'B' 100)
chunk3=$(oci_blob_file chunk3 'C' 56)
cat "$chunk1" "$chunk2" "$chunk3" >"$OCI_WORK/chunked"
chunked_digest=$(tu_sha256 "$OCI_WORK/chunked")
oci_req POST /v2/push/b/blobs/uploads/ -H 'Content-Length: 0'
oci_expect 202 "POST chunked upload"
location=$(oci_header Location)
[[ "$location" =~ $upload_re ]] || tu_fail "chunked upload Location '$location'"
oci_req PATCH "$location" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 0-99' \
  --data-binary "@$chunk1"
oci_expect 202 "PATCH chunk 0-99"
oci_expect_header Range 0-99 "PATCH chunk 0-99"
oci_expect_header Location "$location" "PATCH chunk 0-99"
location=$(oci_header Location)
oci_req PATCH "$location" -H 'Content-Type: application/octet-stream' \
  -H 'Content-Range: 100-199' --data-binary "@$chunk2"
oci_expect 202 "PATCH chunk 100-199"
oci_expect_header Range 0-199 "PATCH chunk 100-199"
oci_req PATCH "$location" -H 'Content-Type: application/octet-stream' \
  -H 'Content-Range: 300-355' --data-binary "@$chunk3"
oci_expect 416 "PATCH out-of-order chunk"
oci_expect_header Range 0-199 "416 reports the progress"
oci_expect_header Location "$location" "416 Location"
oci_req PATCH "$location" -H 'Content-Type: application/octet-stream' \
  -H 'Content-Range: 0-99' --data-binary "@$chunk1"
oci_expect 416 "PATCH a chunk again"
oci_req GET "$location"
oci_expect 204 "GET upload status"
oci_expect_header Range 0-199 "GET upload status"
oci_expect_header Location "$location" "GET upload status"
oci_expect_no_body "GET upload status"
oci_req HEAD "/v2/push/b/blobs/$chunked_digest"
oci_expect 404 "blob invisible before the closing PUT"
oci_req PUT "$location?digest=$chunked_digest" -H 'Content-Type: application/octet-stream' \
  -H 'Content-Range: 300-355' --data-binary "@$chunk3"
oci_expect 416 "closing PUT with an out-of-order last chunk"
oci_expect_header Range 0-199 "416 on the closing PUT reports the progress"
oci_req PUT "$location?digest=$chunked_digest" -H 'Content-Type: application/octet-stream' \
  -H 'Content-Range: 200-255' --data-binary "@$chunk3"
oci_expect 201 "closing PUT with the last chunk"
oci_expect_header Location "/v2/push/b/blobs/$chunked_digest" "closing PUT"
oci_expect_header Docker-Content-Digest "$chunked_digest" "closing PUT"
oci_req GET "/v2/push/b/blobs/$chunked_digest"
oci_expect 200 "GET chunked blob"
oci_expect_body_is "$OCI_WORK/chunked" "GET chunked blob"

tu_log "chunked upload closed by an empty PUT"
oci_req POST /v2/push/b/blobs/uploads/ -H 'Content-Length: 0'
location=$(oci_header Location)
oci_req PATCH "$location" -H 'Content-Range: 0-99' --data-binary "@$chunk1"
oci_expect 202 "PATCH only chunk"
oci_req PUT "$location?digest=$(tu_sha256 "$chunk1")" -H 'Content-Length: 0'
oci_expect 201 "empty closing PUT"

tu_log "cancel an upload"
oci_req POST /v2/push/b/blobs/uploads/
location=$(oci_header Location)
oci_req PATCH "$location" -H 'Content-Range: 0-99' --data-binary "@$chunk1"
oci_expect 202 "PATCH before cancel"
oci_req DELETE "$location"
oci_expect 204 "DELETE upload"
oci_req GET "$location"
oci_expect_error 404 BLOB_UPLOAD_UNKNOWN "GET cancelled upload"
oci_req PATCH "$location" -H 'Content-Range: 100-199' --data-binary "@$chunk2"
oci_expect_error 404 BLOB_UPLOAD_UNKNOWN "PATCH cancelled upload"
oci_req PUT "$location?digest=$(tu_sha256 "$chunk1")"
oci_expect_error 404 BLOB_UPLOAD_UNKNOWN "PUT cancelled upload"
oci_req DELETE "$location"
oci_expect_error 404 BLOB_UPLOAD_UNKNOWN "DELETE cancelled upload"
oci_req GET "/v2/push/b/blobs/uploads/$(printf '%064d' 7)"
oci_expect_error 404 BLOB_UPLOAD_UNKNOWN "GET never-issued upload id"

tu_log "another repository cannot use an upload"
oci_req POST /v2/push/b/blobs/uploads/
location=$(oci_header Location)
oci_req GET "${location/push\/b/push/a}"
oci_expect_error 404 BLOB_UPLOAD_UNKNOWN "GET upload through another repository"
oci_req DELETE "$location"
oci_expect 204 "cancel upload"

tu_log "wrong digest on the closing PUT"
wrong=$(oci_blob_file wrong 'the bytes actually sent' 10)
claimed=$(tu_sha256 "$mono")
oci_req POST /v2/push/c/blobs/uploads/
location=$(oci_header Location)
oci_req PUT "$location?digest=$(tu_sha256 "$single")" -H 'Content-Type: application/octet-stream' \
  --data-binary "@$wrong"
oci_expect_error 400 DIGEST_INVALID "PUT with a digest of other content"
for digest in "$(tu_sha256 "$single")" "$(tu_sha256 "$wrong")"; do
  oci_req GET "/v2/push/c/blobs/$digest"
  oci_expect_error 404 BLOB_UNKNOWN "blob of a rejected upload"
done
oci_req POST "/v2/push/c/blobs/uploads/?digest=$claimed" --data-binary "@$wrong"
oci_expect_error 400 DIGEST_INVALID "single POST with a wrong digest"
oci_req HEAD "/v2/push/c/blobs/$(tu_sha256 "$wrong")"
oci_expect 404 "blob of a rejected single POST"

tu_log "cross-repository mount"
oci_req POST "/v2/push/mounted/blobs/uploads/?mount=$mono_digest&from=push/a" -H 'Content-Length: 0'
oci_expect 201 "mount from a repository that has the blob"
oci_expect_header Location "/v2/push/mounted/blobs/$mono_digest" "mount"
oci_expect_header Docker-Content-Digest "$mono_digest" "mount"
oci_req GET "/v2/push/mounted/blobs/$mono_digest"
oci_expect 200 "GET mounted blob"
oci_expect_body_is "$mono" "GET mounted blob"

oci_req POST "/v2/push/fallback/blobs/uploads/?mount=$mono_digest&from=push/b" -H 'Content-Length: 0'
oci_expect 202 "mount from a repository without the blob falls back to an upload"
location=$(oci_header Location)
[[ "$location" =~ $upload_re ]] || tu_fail "fallback Location '$location'"
tu_assert_eq push/fallback "${BASH_REMATCH[1]}" "fallback upload repository"
oci_req GET "/v2/push/fallback/blobs/$mono_digest"
oci_expect_error 404 BLOB_UNKNOWN "a failed mount grants nothing"
oci_req PUT "$location?digest=$mono_digest" --data-binary "@$mono"
oci_expect 201 "finish the fallback upload"
oci_req POST "/v2/push/fallback2/blobs/uploads/?mount=$mono_digest&from=no/such/repo"
oci_expect 202 "mount from an unknown repository"
oci_req DELETE "$(oci_header Location)"
oci_expect 204 "cancel fallback upload"

tu_log "repositories are isolated"
oci_req GET "/v2/push/other/blobs/$mono_digest"
oci_expect_error 404 BLOB_UNKNOWN "GET a blob another repository holds"
oci_req HEAD "/v2/push/other/blobs/$mono_digest"
oci_expect 404 "HEAD a blob another repository holds"
oci_req GET "/v2/push/b/blobs/$mono_digest"
oci_expect_error 404 BLOB_UNKNOWN "GET a blob another existing repository holds"
oci_req GET "/v2/push/b/blobs/$mono_digest" -H 'Range: bytes=0-3'
oci_expect_error 404 BLOB_UNKNOWN "ranged GET of a blob another repository holds"

tu_log "delete a blob"
oci_req DELETE "/v2/push/mounted/blobs/$mono_digest"
oci_expect 202 "DELETE blob"
oci_req GET "/v2/push/mounted/blobs/$mono_digest"
oci_expect_error 404 BLOB_UNKNOWN "GET deleted blob"
oci_req DELETE "/v2/push/mounted/blobs/$mono_digest"
oci_expect_error 404 BLOB_UNKNOWN "DELETE deleted blob"
oci_req GET "/v2/push/a/blobs/$mono_digest"
oci_expect 200 "the source repository keeps the blob"
oci_expect_body_is "$mono" "the source repository keeps the blob"

echo "ok"
