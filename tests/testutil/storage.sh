#!/usr/bin/env bash
# Helpers for the tests that check the satellite's on-disk state (crash safety, disk full,
# garbage collection): push a blob with curl, check the blob tree against its names, walk
# every tag a registry serves, read `satellite gc` reports. Source after lib.sh.
# Layout (src/registry/storage/storage_paths.hpp): blobs/<alg>/<2 hex>/<hex>,
# uploads/<id>/{data,info}, metadata.db.

# st_push_blob ADDR REPO FILE: uploads FILE in one POST (?digest=); prints its digest.
st_push_blob() {
  local addr=$1 repo=$2 file=$3 digest status
  digest=$(tu_sha256 "$file")
  status=$(curl -s -o "$TU_DIR/st_push.body" -w '%{http_code}' -X POST --data-binary "@$file" \
    -H 'Content-Type: application/octet-stream' \
    "http://$addr/v2/$repo/blobs/uploads/?digest=$digest")
  [[ "$status" == 201 ]] || tu_fail "push blob to $repo: status $status: $(cat "$TU_DIR/st_push.body")"
  echo "$digest"
}

# st_blob_path DATA_DIR DIGEST: where the blob store keeps DIGEST.
st_blob_path() {
  local alg=${2%%:*} hex=${2#*:}
  echo "$1/blobs/$alg/${hex:0:2}/$hex"
}

# st_check_blob_tree DATA_DIR: every file under blobs/ hashes to its own name; prints the
# number of blobs.
st_check_blob_tree() {
  local data=$1 file alg name actual count=0
  while IFS= read -r -d '' file; do
    alg=$(basename "$(dirname "$(dirname "$file")")")
    name=$(basename "$file")
    case "$alg" in
      sha256) actual=$(sha256sum "$file" | cut -d' ' -f1) ;;
      sha512) actual=$(sha512sum "$file" | cut -d' ' -f1) ;;
      *) tu_fail "unexpected file in the blob tree: $file" ;;
    esac
    [[ "$actual" == "$name" ]] || tu_fail "blob $file holds content $alg:$actual"
    [[ "$(basename "$(dirname "$file")")" == "${name:0:2}" ]] || tu_fail "blob $file misplaced"
    count=$((count + 1))
  done < <(find "$data/blobs" -type f -print0)
  echo "$count"
}

# st_check_blob ADDR REPO DIGEST: HEAD answers 200 and GET returns bytes hashing to DIGEST.
st_check_blob() {
  local addr=$1 repo=$2 digest=$3 status actual
  status=$(tu_status HEAD "http://$addr/v2/$repo/blobs/$digest" -I)
  [[ "$status" == 200 ]] || tu_fail "HEAD $repo blob $digest: status $status"
  case "${digest%%:*}" in
    sha256) actual=$(curl -sf "http://$addr/v2/$repo/blobs/$digest" | sha256sum | cut -d' ' -f1) ;;
    sha512) actual=$(curl -sf "http://$addr/v2/$repo/blobs/$digest" | sha512sum | cut -d' ' -f1) ;;
  esac
  [[ "${digest%%:*}:$actual" == "$digest" ]] || tu_fail "GET $repo blob $digest returned other bytes"
}

# st_check_manifest ADDR REPO REFERENCE: GET answers 200 with content matching its digest,
# and every blob (and child manifest) it references is served intact. Prints the blob count.
st_check_manifest() {
  local addr=$1 repo=$2 ref=$3 file="$TU_DIR/st_manifest.json" status digest count=0 d
  status=$(curl -s -o "$file" -D "$TU_DIR/st_manifest.headers" -w '%{http_code}' \
    -H "Accept: application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json" \
    "http://$addr/v2/$repo/manifests/$ref")
  [[ "$status" == 200 ]] || tu_fail "GET manifest $repo:$ref: status $status"
  digest=$(tr -d '\r' <"$TU_DIR/st_manifest.headers" | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
  [[ "$digest" == "$(tu_sha256 "$file")" ]] || tu_fail "manifest $repo:$ref: digest header $digest"
  local blobs children
  blobs=$(jq -r '[.config.digest // empty, (.layers // [])[].digest] | .[]' "$file")
  children=$(jq -r '(.manifests // [])[].digest' "$file")
  for d in $blobs; do
    st_check_blob "$addr" "$repo" "$d"
    count=$((count + 1))
  done
  for d in $children; do
    count=$((count + $(st_check_manifest "$addr" "$repo" "$d")))
  done
  echo "$count"
}

# st_check_all_tags ADDR: every tag of every repository in the catalog resolves and its
# content is intact; prints "<tags> <blobs>".
st_check_all_tags() {
  local addr=$1 repo tag tags=0 blobs=0
  for repo in $(curl -sf "http://$addr/v2/_catalog?n=10000" | jq -r '.repositories[]'); do
    for tag in $(curl -sf "http://$addr/v2/$repo/tags/list?n=10000" | jq -r '.tags // [] | .[]'); do
      blobs=$((blobs + $(st_check_manifest "$addr" "$repo" "$tag")))
      tags=$((tags + 1))
    done
  done
  echo "$tags $blobs"
}

# st_check_database DATA_DIR: SQLite finds metadata.db intact and every foreign key (a tag's
# manifest, a link's repository) satisfied. Skipped without the sqlite3 CLI.
st_check_database() {
  command -v sqlite3 >/dev/null || return 0
  tu_assert_eq ok "$(sqlite3 "$1/metadata.db" 'PRAGMA integrity_check')" "SQLite integrity_check"
  tu_assert_eq "" "$(sqlite3 "$1/metadata.db" 'PRAGMA foreign_key_check')" "SQLite foreign_key_check"
}

# st_gc_counts OUTPUT: "<blobs deleted> <bytes freed> <blobs kept> <uploads purged>" from the
# report `satellite gc` printed (JSON, or the older one-line text).
st_gc_counts() {
  if jq -e .blobs_deleted >/dev/null 2>&1 <<<"$1"; then
    jq -r '"\(.blobs_deleted) \(.bytes_freed) \(.blobs_kept) \(.uploads_purged)"' <<<"$1"
  else
    sed -n 's/^deleted \([0-9]*\) blobs (\([0-9]*\) bytes), kept \([0-9]*\), purged \([0-9]*\).*/\1 \2 \3 \4/p' <<<"$1"
  fi
}
