#!/usr/bin/env bash
# skopeo as a client of the satellite: copies between Debian's docker-registry and the
# satellite keep every digest; a multi-arch index survives `copy --all` in and out byte for
# byte; `skopeo delete` by tag and by digest removes the manifest (and only in that
# repository); `skopeo inspect` reports the right Digest and RepoTags.
source "$(dirname "$0")/../testutil/lib.sh"

tu_start_satellite sat "$TU_DIR/data"
SAT=$SAT_ADDR
sk_copy() { skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "$@"; }
sk_inspect() { skopeo inspect --tls-verify=false "$@"; }

# (a) docker-registry -> satellite: the digest is the same in the layout, at the source
# registry and at the satellite, and the manifest bytes are identical.
tu_log "(a) copy from docker-registry into the satellite"
tu_start_docker_registry upstream
REG=$REG_ADDR
single=$(tu_gen_image "$TU_DIR/single" v1 --layers 3 --layer-size 512K --seed 11)
sk_copy "oci:$TU_DIR/single:v1" "docker://$REG/src/app:v1"
tu_assert_eq "$single" "$(sk_inspect --format '{{.Digest}}' "docker://$REG/src/app:v1")" \
  "digest at docker-registry"
sk_copy "docker://$REG/src/app:v1" "docker://$SAT/copied/app:v1"
tu_assert_eq "$single" "$(sk_inspect --format '{{.Digest}}' "docker://$SAT/copied/app:v1")" \
  "digest at the satellite after registry-to-registry copy"
sk_inspect --raw "docker://$REG/src/app:v1" >"$TU_DIR/a-reg.json"
sk_inspect --raw "docker://$SAT/copied/app:v1" >"$TU_DIR/a-sat.json"
cmp -s "$TU_DIR/a-reg.json" "$TU_DIR/a-sat.json" || tu_fail "manifest bytes differ after copy"
# Every layer and the config arrived intact (digest checked by skopeo on the way back out).
sk_copy "docker://$SAT/copied/app:v1" "oci:$TU_DIR/a-back:v1"
tu_assert_eq "$single" "$(skopeo inspect --format '{{.Digest}}' "oci:$TU_DIR/a-back:v1")" \
  "digest after pulling back from the satellite"
# And the other way round: the satellite as the source of a registry-to-registry copy.
sk_copy "docker://$SAT/copied/app:v1" "docker://$REG/returned/app:v1"
tu_assert_eq "$single" "$(sk_inspect --format '{{.Digest}}' "docker://$REG/returned/app:v1")" \
  "digest at docker-registry after copying out of the satellite"

# (b) A multi-arch index: in with --all, out with --all, index and children unchanged.
tu_log "(b) multi-arch index with copy --all"
index=$(tu_gen_image "$TU_DIR/multi" v1 --layers 2 --layer-size 512K --seed 12 \
  --platforms linux/amd64,linux/arm64)
index_blob="$TU_DIR/multi/blobs/sha256/${index#sha256:}"
mapfile -t children < <(jq -r '.manifests[].digest' "$index_blob")
tu_assert_eq 2 "${#children[@]}" "child manifests in the generated index"
sk_copy --all "oci:$TU_DIR/multi:v1" "docker://$SAT/multi/app:v1"
sk_inspect --raw "docker://$SAT/multi/app:v1" >"$TU_DIR/b-index.json"
cmp -s "$index_blob" "$TU_DIR/b-index.json" || tu_fail "inspect --raw: index not byte-identical"
for child in "${children[@]}"; do
  sk_inspect --raw "docker://$SAT/multi/app@$child" >"$TU_DIR/b-child.json"
  tu_assert_eq "$child" "$(tu_sha256 "$TU_DIR/b-child.json")" "child manifest $child by digest"
done
sk_copy --all "docker://$SAT/multi/app:v1" "oci:$TU_DIR/b-back:v1"
tu_assert_eq "$index" "$(skopeo inspect --format '{{.Digest}}' "oci:$TU_DIR/b-back:v1")" \
  "index digest after copy --all back out"
skopeo inspect --raw "oci:$TU_DIR/b-back:v1" >"$TU_DIR/b-back-index.json"
cmp -s "$index_blob" "$TU_DIR/b-back-index.json" || tu_fail "index in the pulled layout differs"
for child in "${children[@]}"; do
  f="$TU_DIR/b-back/blobs/sha256/${child#sha256:}"
  [[ -f "$f" ]] || tu_fail "child $child missing from the pulled layout"
  tu_assert_eq "$child" "$(tu_sha256 "$f")" "child $child in the pulled layout"
done
# inspect picks a platform from the index but still reports the index digest.
arm=$(sk_inspect --override-arch arm64 "docker://$SAT/multi/app:v1")
tu_assert_eq "$index" "$(jq -r .Digest <<<"$arm")" "inspect Digest of the index (arm64)"
tu_assert_eq arm64 "$(jq -r .Architecture <<<"$arm")" "inspect --override-arch arm64"

# (d) inspect fields: Digest and RepoTags (every tag of the repository, sorted).
tu_log "(d) skopeo inspect fields"
sk_copy "oci:$TU_DIR/single:v1" "docker://$SAT/del/app:v1"
sk_copy "oci:$TU_DIR/single:v1" "docker://$SAT/del/app:v2"
sk_copy "oci:$TU_DIR/single:v1" "docker://$SAT/keep/app:v1"
info=$(sk_inspect "docker://$SAT/del/app:v1")
tu_assert_eq "$single" "$(jq -r .Digest <<<"$info")" "inspect Digest"
tu_assert_eq '["v1","v2"]' "$(jq -c '.RepoTags | sort' <<<"$info")" "inspect RepoTags"
tu_assert_eq "$SAT/del/app" "$(jq -r .Name <<<"$info")" "inspect Name"
tu_assert_eq 3 "$(jq '.Layers | length' <<<"$info")" "inspect Layers"

# (c) delete. skopeo resolves a tag to its digest and deletes the manifest: both tags that
# pointed at it go, the same digest in another repository stays.
tu_log "(c) skopeo delete by tag and by digest"
skopeo delete --tls-verify=false "docker://$SAT/del/app:v1"
for ref in del/app:v1 del/app:v2 "del/app@$single"; do
  if sk_inspect "docker://$SAT/$ref" >/dev/null 2>&1; then
    tu_fail "inspect $ref succeeded after delete"
  fi
done
tu_assert_eq 404 "$(tu_status GET "http://$SAT/v2/del/app/manifests/$single")" \
  "GET manifest by digest after delete"
tu_assert_eq "$single" "$(sk_inspect --format '{{.Digest}}' "docker://$SAT/keep/app:v1")" \
  "same digest in another repository survives the delete"
skopeo delete --tls-verify=false "docker://$SAT/keep/app@$single"
if sk_inspect "docker://$SAT/keep/app@$single" >/dev/null 2>&1; then
  tu_fail "inspect by digest succeeded after delete by digest"
fi
if sk_inspect "docker://$SAT/keep/app:v1" >/dev/null 2>&1; then
  tu_fail "tag still resolves after its manifest was deleted by digest"
fi
if skopeo delete --tls-verify=false "docker://$SAT/keep/app@$single" 2>/dev/null; then
  tu_fail "deleting an already deleted manifest succeeded"
fi
# The multi-arch image in another repository is untouched by all this.
tu_assert_eq "$index" "$(sk_inspect --format '{{.Digest}}' "docker://$SAT/multi/app:v1")" \
  "multi-arch image after deletes elsewhere"
echo "ok"
