#!/usr/bin/env bash
# Hostile input over real HTTP: traversal in names (raw and percent-encoded), bad names,
# malformed digests and tags, bad query values and ranges each get a 4xx with the spec's JSON
# error envelope, never a 5xx; nothing appears outside the data dir and stored content still
# reads back identical. Truncated bodies (the client declares more than it sends, then goes
# away) leave nothing visible and the server keeps serving.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/oci.sh"

# The data dir sits two levels below TU_DIR so that "../" and "../../" escapes would land in
# directories this test watches.
mkdir -p "$TU_DIR/srv"
tu_start_satellite sat "$TU_DIR/srv/data" --access-log

# --- Known-good content to compare against afterwards.
config=$(oci_blob_file config.json '{"architecture":"amd64","os":"linux"}')
layer=$(oci_blob_file layer 'good layer ' 300)
config_digest=$(oci_push_blob good/app "$config")
layer_digest=$(oci_push_blob good/app "$layer")
oci_image_manifest "$OCI_WORK/good.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.oci.image.config.v1+json "$config")" \
  "[$(oci_descriptor application/vnd.oci.image.layer.v1.tar "$layer")]"
good_digest=$(tu_sha256 "$OCI_WORK/good.json")
oci_put_manifest good/app v1 "$OCI_WORK/good.json" "$OCI_MANIFEST"
oci_expect 201 "push the good manifest"
small=$(oci_blob_file small 'small blob for bad pushes')
small_digest=$(tu_sha256 "$small")

# Every path under TU_DIR outside the data dir and the test's own scratch dir, by name.
outside() {
  find "$TU_DIR" \( -path "$TU_DIR/srv/data" -o -path "$OCI_WORK" \) -prune -o -print | sort
}
outside >"$OCI_WORK/outside.before"

# bad METHOD PATH STATUS CODE [curl args...]: the request gets STATUS and, unless it is a
# HEAD, the JSON envelope with CODE. Bodies for PUT/POST/PATCH come from the curl args.
bad() {
  local method=$1 path=$2 status=$3 code=$4
  shift 4
  oci_req "$method" "$path" "$@"
  local what="$method ${path:0:120}"
  ((OCI_STATUS >= 400 && OCI_STATUS < 500)) || tu_fail "$what: status $OCI_STATUS is not a 4xx"
  if [[ "$method" == HEAD ]]; then
    oci_expect "$status" "$what"
  else
    oci_expect_error "$status" "$code" "$what"
    [[ "$OCI_ERROR_CODES" == *" $code "* ]] || tu_fail "$what: $code is not a distribution-spec code"
  fi
}
manifest=(-H "Content-Type: $OCI_MANIFEST" --data-binary "@$OCI_WORK/good.json")
blob=(-H 'Content-Type: application/octet-stream' --data-binary "@$small")
long=$(printf 'a%.0s' {1..256})
upper_hex=$(printf 'A%.0s' {1..64})
zero_hex=$(printf '%064d' 0)

tu_log "repository names: traversal, encoded traversal, case, length"
bad GET /v2/../x 404 UNSUPPORTED
bad GET /v2/../../pwned/manifests/v1 400 NAME_INVALID
bad PUT /v2/../../pwned/manifests/v1 400 NAME_INVALID "${manifest[@]}"
bad GET /v2/a/%2e%2e/b/manifests/t 400 NAME_INVALID
bad PUT /v2/a/%2e%2e/%2e%2e/pwned/manifests/t 400 NAME_INVALID "${manifest[@]}"
bad GET /v2/a%2F..%2Fb/manifests/t 400 NAME_INVALID
bad PUT /v2/good%2F..%2F..%2F..%2Fpwned/manifests/v1 400 NAME_INVALID "${manifest[@]}"
bad POST /v2/..%2F..%2Fpwned/blobs/uploads/ 400 NAME_INVALID
bad POST "/v2/%2e%2e%2f%2e%2e%2fpwned/blobs/uploads/?digest=$small_digest" 400 NAME_INVALID "${blob[@]}"
bad GET /v2/%2e%2e/tags/list 400 NAME_INVALID
bad GET /v2/good/app/..%2F..%2F..%2Fpwned/tags/list 400 NAME_INVALID
bad GET "/v2/good/app/..%2F..%2Fpwned/blobs/$layer_digest" 400 NAME_INVALID
bad GET "/v2/%2e%2e/referrers/$good_digest" 400 NAME_INVALID
bad GET /v2/Good/App/manifests/v1 400 NAME_INVALID
bad PUT /v2/UPPER/manifests/v1 400 NAME_INVALID "${manifest[@]}"
bad POST /v2/UPPER/blobs/uploads/ 400 NAME_INVALID
bad GET "/v2/$long/tags/list" 400 NAME_INVALID
bad PUT "/v2/$long/manifests/v1" 400 NAME_INVALID "${manifest[@]}"
bad POST "/v2/$long/blobs/uploads/" 400 NAME_INVALID
oci_req POST "/v2/${long:1}/blobs/uploads/"
oci_expect 202 "a name of 255 characters is still valid"
oci_req DELETE "$(oci_header Location)"
oci_expect 204 "cancel the upload to the 255-character name"
bad GET /v2/a//b/manifests/t 400 NAME_INVALID
bad GET /v2/-a/manifests/t 400 NAME_INVALID
bad GET /v2/a%00b/manifests/t 400 NAME_INVALID
bad GET /v2/a%zz/manifests/t 400 NAME_INVALID
bad GET /v2//manifests/t 400 NAME_INVALID
bad DELETE "/v2/a/%2e%2e/b/blobs/$layer_digest" 400 NAME_INVALID

tu_log "upload ids"
bad GET /v2/good/app/blobs/uploads/..%2F..%2F..%2Fpwned 404 UNSUPPORTED
bad PATCH /v2/good/app/blobs/uploads/%2e%2e 404 BLOB_UPLOAD_UNKNOWN "${blob[@]}"
bad PUT "/v2/good/app/blobs/uploads/zz?digest=$small_digest" 404 BLOB_UPLOAD_UNKNOWN "${blob[@]}"
bad DELETE "/v2/good/app/blobs/uploads/$upper_hex" 404 BLOB_UPLOAD_UNKNOWN
bad GET "/v2/good/app/blobs/uploads/$zero_hex" 404 BLOB_UPLOAD_UNKNOWN

tu_log "digests"
bad GET /v2/good/app/blobs/sha256:zz 400 DIGEST_INVALID
bad HEAD /v2/good/app/blobs/sha256:zz 400 DIGEST_INVALID
bad GET /v2/good/app/blobs/sha256:../.. 404 UNSUPPORTED
bad GET /v2/good/app/blobs/sha256:..%2F..%2Fpwned 404 UNSUPPORTED
bad GET /v2/good/app/blobs/sha256%3A..%2F.. 404 UNSUPPORTED
bad GET /v2/good/app/blobs/sha256:.. 400 DIGEST_INVALID
bad GET "/v2/good/app/blobs/sha256:$upper_hex" 400 DIGEST_INVALID
bad GET "/v2/good/app/blobs/sha256:${zero_hex}0" 400 DIGEST_INVALID
bad GET "/v2/good/app/blobs/md5:$(printf 'a%.0s' {1..32})" 400 DIGEST_INVALID
bad GET "/v2/good/app/blobs/$zero_hex" 400 DIGEST_INVALID
bad DELETE /v2/good/app/blobs/sha256:zz 400 DIGEST_INVALID
bad GET /v2/good/app/manifests/sha256:zz 404 MANIFEST_UNKNOWN  # a pull only ever answers 404
bad HEAD /v2/good/app/manifests/sha256:zz 404 MANIFEST_UNKNOWN
bad PUT /v2/good/app/manifests/sha256:zz 400 DIGEST_INVALID "${manifest[@]}"
bad DELETE /v2/good/app/manifests/sha256:.. 400 DIGEST_INVALID
bad POST /v2/good/app/blobs/uploads/?digest=sha256:zz 400 DIGEST_INVALID "${blob[@]}"
bad POST /v2/good/app/blobs/uploads/?digest=sha256:..%2F..%2Fpwned 400 DIGEST_INVALID "${blob[@]}"
bad GET /v2/good/app/referrers/sha256:zz 400 DIGEST_INVALID
oci_req POST /v2/good/app/blobs/uploads/
oci_expect 202 "start an upload for bad closing digests"
location=$(oci_header Location)
bad PUT "$location?digest=sha256:../.." 400 DIGEST_INVALID "${blob[@]}"
bad PUT "$location" 400 DIGEST_INVALID "${blob[@]}"

tu_log "tags"
bad GET /v2/good/app/manifests/bad%24tag 404 MANIFEST_UNKNOWN
bad HEAD /v2/good/app/manifests/bad%24tag 404 MANIFEST_UNKNOWN
bad PUT /v2/good/app/manifests/bad%24tag 400 MANIFEST_INVALID "${manifest[@]}"
bad DELETE /v2/good/app/manifests/bad%24tag 400 MANIFEST_INVALID
for tag in -lead .dot %2e%2e a%20b %C3%A9 a%00 "$(printf 'x%.0s' {1..129})" ..%5C..%5Cpwned; do
  bad PUT "/v2/good/app/manifests/$tag" 400 MANIFEST_INVALID "${manifest[@]}"
done
bad PUT /v2/good/app/manifests/a%2Fb 404 UNSUPPORTED "${manifest[@]}"

tu_log "manifest bodies: schemaVersion, descriptor sizes, duplicate fields, nesting"
# bad_manifest NAME JQ_FILTER: the good manifest changed by JQ_FILTER is refused with 400.
bad_manifest() {
  jq -c "$2" "$OCI_WORK/good.json" >"$OCI_WORK/$1.json"
  bad PUT "/v2/good/app/manifests/$1" 400 MANIFEST_INVALID -H "Content-Type: $OCI_MANIFEST" \
    --data-binary "@$OCI_WORK/$1.json"
}
bad_manifest wraps-to-two '.schemaVersion = 4294967298'  # truncated to int, it would read 2
bad_manifest float-two '.schemaVersion = 2.5'
bad_manifest string-two '.schemaVersion = "2"'
bad_manifest layer-size '.layers[0].size += 1'             # not the stored blob's size
bad_manifest config-size '.config.size = 0'
sed 's/^{/{"schemaVersion":2,/' "$OCI_WORK/good.json" >"$OCI_WORK/duplicate.json"
bad PUT /v2/good/app/manifests/duplicate 400 MANIFEST_INVALID -H "Content-Type: $OCI_MANIFEST" \
  --data-binary "@$OCI_WORK/duplicate.json"
{
  printf '{"schemaVersion":2,"x":'
  head -c 200000 /dev/zero | tr '\0' '['
  head -c 200000 /dev/zero | tr '\0' ']'
  printf '}'
} >"$OCI_WORK/nested.json"
bad PUT /v2/good/app/manifests/nested 400 MANIFEST_INVALID -H "Content-Type: $OCI_MANIFEST" \
  --data-binary "@$OCI_WORK/nested.json"
oci_req GET /v2/good/app/manifests/v1
oci_expect 200 "the good manifest after the bad ones"

tu_log "query values and ranges"
bad GET '/v2/good/app/tags/list?n=-1' 400 UNSUPPORTED
bad GET '/v2/good/app/tags/list?n=abc' 400 UNSUPPORTED
bad GET '/v2/good/app/tags/list?n=99999999999999999999999' 400 UNSUPPORTED
bad GET '/v2/_catalog?n=1e3' 400 UNSUPPORTED
bad PATCH "$location" 416 BLOB_UPLOAD_INVALID -H 'Content-Range: garbage' "${blob[@]}"
bad PATCH "$location" 416 BLOB_UPLOAD_INVALID -H 'Content-Range: 5-1' "${blob[@]}"
bad PATCH "$location" 416 BLOB_UPLOAD_INVALID -H 'Content-Range: 0-9xyz' "${blob[@]}"
bad GET "/v2/good/app/blobs/$layer_digest" 416 BLOB_UPLOAD_INVALID -H 'Range: bytes=999999-'
bad POST /v2/good/app/manifests/v1 405 UNSUPPORTED
bad PATCH /v2/good/app/tags/list 405 UNSUPPORTED
oci_req DELETE "$location"
oci_expect 204 "cancel the upload"

tu_log "a mount from a malformed source name falls back to a plain upload"
oci_req POST "/v2/good/app/blobs/uploads/?mount=$layer_digest&from=..%2F..%2Fgood%2Fapp"
oci_expect 202 "mount from a traversal name"
oci_req DELETE "$(oci_header Location)"
oci_expect 204 "cancel the fallback upload"
oci_req POST "/v2/good/other/blobs/uploads/?mount=sha256:..%2F..&from=good/app"
oci_expect 202 "mount of a malformed digest"
oci_req DELETE "$(oci_header Location)"
oci_expect 204 "cancel the fallback upload"

# --- Truncated bodies: declare more than is sent, then close the connection.
# send_truncated METHOD TARGET DECLARED FILE: sends the head and FILE's bytes over /dev/tcp
# and closes the connection mid-body.
send_truncated() {
  local method=$1 target=$2 declared=$3 file=$4 fd
  exec {fd}<>"/dev/tcp/${SAT_ADDR%:*}/${SAT_ADDR##*:}"
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %s\r\n\r\n' \
    "$method" "$target" "$SAT_ADDR" "$declared" >&"$fd"
  cat "$file" >&"$fd"
  exec {fd}>&-
}
# upload_free LOCATION: an empty PATCH succeeds, i.e. no request holds the upload any more.
upload_free() {
  [[ "$(tu_status PATCH "http://$SAT_ADDR$1" -H 'Content-Length: 0')" == 202 ]]
}
big=$(oci_blob_file big 'truncated upload payload ' 4000)
big_digest=$(tu_sha256 "$big")
big_size=$(stat -c %s "$big")
head -c 1000 "$big" >"$OCI_WORK/big.head"
head -c 100 "$OCI_WORK/good.json" >"$OCI_WORK/good.head"

tu_log "truncated closing PUT, single POST and manifest PUT"
oci_req POST /v2/trunc/app/blobs/uploads/
oci_expect 202 "start an upload to truncate"
cut_location=$(oci_header Location)
send_truncated PUT "$cut_location?digest=$big_digest" "$big_size" "$OCI_WORK/big.head"
send_truncated POST "/v2/trunc/app/blobs/uploads/?digest=$big_digest" "$big_size" "$OCI_WORK/big.head"
send_truncated PUT /v2/trunc/app/manifests/cut "$(stat -c %s "$OCI_WORK/good.json")" "$OCI_WORK/good.head"
tu_wait_for 10 upload_free "$cut_location" || tu_fail "the truncated PUT still holds its upload"
oci_req GET "$cut_location"
oci_expect 204 "the upload outlives a truncated closing PUT"

tu_log "truncated PATCH (curl gives up), then the upload resumes"
resumed=$(oci_blob_file resumed 'resumed upload payload ' 4000)
resumed_digest=$(tu_sha256 "$resumed")
head -c 1000 "$resumed" >"$OCI_WORK/resumed.head"
oci_req POST /v2/trunc/app/blobs/uploads/
location=$(oci_header Location)
rc=0
curl -s -o /dev/null --max-time 1 -X PATCH -H 'Content-Type: application/octet-stream' \
  -H "Content-Length: $(stat -c %s "$resumed")" --data-binary "@$OCI_WORK/resumed.head" \
  "http://$SAT_ADDR$location" || rc=$?
tu_assert_eq 28 "$rc" "curl timed out waiting on the truncated PATCH"
tu_wait_for 10 upload_free "$location" || tu_fail "the truncated PATCH still holds its upload"
oci_req HEAD "/v2/trunc/app/blobs/$resumed_digest"
oci_expect 404 "blob of a truncated PATCH"
oci_req GET "$location"
oci_expect 204 "the upload outlives a truncated PATCH"
range=$(oci_header Range)
[[ "$range" =~ ^0-([0-9]+)$ ]] || tu_fail "Range '$range' after a truncated PATCH"
kept=$((BASH_REMATCH[1] + 1))
[[ "$range" == 0-0 ]] && kept=0
((kept <= 1000)) || tu_fail "the upload claims $kept bytes of the 1000 sent"
tail -c +$((kept + 1)) "$resumed" >"$OCI_WORK/resumed.rest"
oci_req PATCH "$location" -H "Content-Range: $kept-$(($(stat -c %s "$resumed") - 1))" \
  --data-binary "@$OCI_WORK/resumed.rest"
oci_expect 202 "resume after the truncated PATCH"
oci_req PUT "$location?digest=$resumed_digest"
oci_expect 201 "finish the resumed upload"
oci_req GET "/v2/trunc/app/blobs/$resumed_digest"
oci_expect_body_is "$resumed" "the resumed blob"

tu_log "nothing of the truncated requests is visible"
oci_req HEAD "/v2/trunc/app/blobs/$big_digest"
oci_expect 404 "blob of a truncated PUT or single POST"
oci_req GET /v2/trunc/app/manifests/cut
oci_expect 404 "manifest of a truncated PUT"

# --- Afterwards: nothing escaped, nothing broke.
tu_log "nothing outside the data dir, stored content unchanged, server alive"
outside >"$OCI_WORK/outside.after"
diff "$OCI_WORK/outside.before" "$OCI_WORK/outside.after" >&2 || tu_fail "files appeared outside the data dir"
found=$({ find "$TU_DIR" "$(dirname "$TU_DIR")" -maxdepth 3 -name '*pwned*' 2>/dev/null || true; } | head -5)
tu_assert_eq "" "$found" "paths named by a traversal attempt"
kill -0 "$SAT_PID" || tu_fail "the satellite died"
oci_req GET /v2/
oci_expect 200 "GET /v2/"
oci_req GET /v2/good/app/manifests/v1
oci_expect 200 "the good manifest"
oci_expect_header Docker-Content-Digest "$good_digest" "the good manifest"
oci_expect_body_is "$OCI_WORK/good.json" "the good manifest"
oci_req GET "/v2/good/app/blobs/$layer_digest"
oci_expect_body_is "$layer" "the good layer"
oci_req GET "/v2/good/app/blobs/$config_digest"
oci_expect_body_is "$config" "the good config"
oci_req GET /v2/_catalog
tu_assert_eq '["good/app"]' "$(jq -c .repositories "$OCI_BODY")" "repositories with manifests"
grep -E 'status=5[0-9][0-9]' "$TU_DIR/sat.log" | grep -vE ' (PUT|POST|PATCH) .*(trunc/app)' >&2 &&
  tu_fail "a 5xx answered something other than a truncated body"

echo "ok"
