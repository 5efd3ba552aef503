#!/usr/bin/env bash
# HTTP helpers for the tests that check the satellite against the OCI distribution-spec with
# curl, jq and sha256sum. Source after lib.sh; requests go to SAT_ADDR (tu_start_satellite).
# Every request records its status (OCI_STATUS), headers ($OCI_HEADERS) and body ($OCI_BODY),
# so a test asserts on exactly what a client saw. Scratch files live in $OCI_WORK.

OCI_WORK="$TU_DIR/work"
mkdir -p "$OCI_WORK"
OCI_HEADERS="$OCI_WORK/last.headers"
OCI_BODY="$OCI_WORK/last.body"
OCI_STATUS=000
# The only codes the spec allows in an error body ("The code field MUST be one of").
OCI_ERROR_CODES=" BLOB_UNKNOWN BLOB_UPLOAD_INVALID BLOB_UPLOAD_UNKNOWN DIGEST_INVALID"
OCI_ERROR_CODES+=" MANIFEST_BLOB_UNKNOWN MANIFEST_INVALID MANIFEST_UNKNOWN NAME_INVALID NAME_UNKNOWN"
OCI_ERROR_CODES+=" SIZE_INVALID UNAUTHORIZED DENIED UNSUPPORTED TOOMANYREQUESTS "

# Manifest media types, for the tests that source this file.
# shellcheck disable=SC2034
{
  readonly OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
  readonly OCI_INDEX=application/vnd.oci.image.index.v1+json
  readonly DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
  readonly DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
}

# oci_req METHOD PATH [curl args...]: sends one request (the path as is, no globbing); sets
# OCI_STATUS. HEAD is sent as a real HEAD (curl -I), so no body is awaited (and none kept:
# oci_expect_head_no_body proves there is none on the wire).
oci_req() {
  local method=$1 path=$2 out=$OCI_BODY
  shift 2
  local verb=(-X "$method")
  if [[ "$method" == HEAD ]]; then
    verb=(-I)
    out=/dev/null
    : >"$OCI_BODY"
  fi
  OCI_STATUS=$(curl -s -g --path-as-is "${verb[@]}" -D "$OCI_HEADERS" -o "$out" \
    -w '%{http_code}' --max-time 10 "$@" "http://$SAT_ADDR$path") || OCI_STATUS=000
}

# oci_raw_request METHOD PATH: sends a bare request over bash's /dev/tcp with
# "Connection: close" and keeps every byte of the answer in $OCI_WORK/raw.
oci_raw_request() {
  local fd
  exec {fd}<>"/dev/tcp/${SAT_ADDR%:*}/${SAT_ADDR##*:}"
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" "$2" "$SAT_ADDR" >&"$fd"
  timeout 5 cat <&"$fd" >"$OCI_WORK/raw" || true
  exec {fd}>&-
}

# oci_expect_head_no_body PATH WHAT: a raw HEAD of PATH gets a status line and headers and
# not one byte after them, although Content-Length announces the size of the GET body.
oci_expect_head_no_body() {
  oci_raw_request HEAD "$1"
  local header_lines header_bytes total
  header_lines=$(sed -n '/^\r$/{=;q}' "$OCI_WORK/raw")
  [[ -n "$header_lines" ]] || tu_fail "$2: no complete header block in the raw HEAD response"
  header_bytes=$(head -n "$header_lines" "$OCI_WORK/raw" | wc -c)
  total=$(stat -c %s "$OCI_WORK/raw")
  tu_assert_eq 0 $((total - header_bytes)) "$2: bytes after the HEAD response headers"
}

# oci_header NAME: the value of header NAME in the last response (empty when absent).
oci_header() {
  awk -v want="$(tr '[:upper:]' '[:lower:]' <<<"$1")" '
    { sub(/\r$/, "") }
    index($0, ":") { name = tolower(substr($0, 1, index($0, ":") - 1))
                     if (name == want) { v = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", v); print v; exit } }
  ' "$OCI_HEADERS"
}

# oci_has_header NAME: succeeds when the last response carried header NAME.
oci_has_header() {
  grep -qi "^$1:" "$OCI_HEADERS"
}

# oci_expect STATUS WHAT: the last response had status STATUS.
oci_expect() {
  [[ "$OCI_STATUS" == "$1" ]] || {
    head -c 600 "$OCI_BODY" >&2 || true
    echo >&2
    tu_fail "$2: expected status $1, got $OCI_STATUS"
  }
}

# oci_expect_header NAME VALUE WHAT
oci_expect_header() {
  tu_assert_eq "$2" "$(oci_header "$1")" "$3: header $1"
}

# oci_expect_error STATUS CODE WHAT: status, a JSON error envelope, and errors[0].code.
oci_expect_error() {
  oci_expect "$1" "$3"
  tu_assert_eq application/json "$(oci_header Content-Type)" "$3: error Content-Type"
  tu_assert_eq "$2" "$(jq -r '.errors[0].code' "$OCI_BODY" 2>/dev/null)" "$3: error code"
  jq -e '.errors | type == "array" and length >= 1' "$OCI_BODY" >/dev/null ||
    tu_fail "$3: no errors array in $(head -c 300 "$OCI_BODY")"
}

# oci_expect_no_body WHAT: the last response carried no body bytes.
oci_expect_no_body() {
  tu_assert_eq 0 "$(stat -c %s "$OCI_BODY" 2>/dev/null || echo 0)" "$1: body bytes"
}

# oci_expect_body_is FILE WHAT: the last body is byte-identical to FILE.
oci_expect_body_is() {
  cmp -s "$1" "$OCI_BODY" || tu_fail "$2: body differs from $(basename "$1")"
}

# oci_blob_file NAME TEXT [REPEAT]: writes TEXT (REPEAT times) to $OCI_WORK/NAME; prints the path.
oci_blob_file() {
  local file="$OCI_WORK/$1" i
  : >"$file"
  for ((i = 0; i < ${3:-1}; i++)); do printf '%s' "$2" >>"$file"; done
  echo "$file"
}

# oci_push_blob REPO FILE: POST then PUT ?digest=; fails the test unless 201. Prints the digest.
oci_push_blob() {
  local repo=$1 file=$2 digest location
  digest=$(tu_sha256 "$file")
  oci_req POST "/v2/$repo/blobs/uploads/"
  oci_expect 202 "start upload to $repo"
  location=$(oci_header Location)
  oci_req PUT "$location?digest=$digest" -H 'Content-Type: application/octet-stream' \
    --data-binary "@$file"
  oci_expect 201 "finish upload of $(basename "$file") to $repo"
  echo "$digest"
}

# oci_put_manifest REPO REFERENCE FILE MEDIA_TYPE: sets OCI_STATUS.
oci_put_manifest() {
  oci_req PUT "/v2/$1/manifests/$2" -H "Content-Type: $4" --data-binary "@$3"
}

# oci_descriptor MEDIA_TYPE FILE: a JSON descriptor for FILE.
oci_descriptor() {
  jq -cn --arg m "$1" --arg d "$(tu_sha256 "$2")" --argjson s "$(stat -c %s "$2")" \
    '{mediaType: $m, digest: $d, size: $s}'
}

# oci_image_manifest OUT MEDIA_TYPE CONFIG_DESCRIPTOR LAYER_DESCRIPTORS_JSON_ARRAY [EXTRA_JSON]:
# writes an image manifest (indented by three, so its bytes are not what a re-serializer
# would produce) merged with EXTRA_JSON.
oci_image_manifest() {
  local extra=${5:-}
  [[ -n "$extra" ]] || extra='{}'
  jq -n --indent 3 --arg m "$2" --argjson c "$3" --argjson l "$4" --argjson x "$extra" \
    '{schemaVersion: 2, mediaType: $m, config: $c, layers: $l} + $x' >"$1"
}

# oci_index OUT MEDIA_TYPE MANIFEST_DESCRIPTORS_JSON_ARRAY: writes an index / manifest list.
oci_index() {
  jq -n --indent 1 --arg m "$2" --argjson l "$3" '{schemaVersion: 2, mediaType: $m, manifests: $l}' >"$1"
}
