#!/usr/bin/env bash
# OCI distribution-spec manifest rules and content discovery over real HTTP: what a push of a
# bad manifest gets back, size limits, subject/OCI-Subject, tag and manifest deletion, tag
# and catalog pagination (n, last, Link) and the referrers API with its artifactType filter.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/oci.sh"

tu_start_satellite sat "$TU_DIR/data"

config=$(oci_blob_file config.json '{"architecture":"amd64","os":"linux"}')
layer=$(oci_blob_file layer 'layer bytes ' 100)
missing=$(oci_blob_file missing 'never pushed anywhere')
elsewhere=$(oci_blob_file elsewhere 'pushed to another repository only')
oci_push_blob man/app "$config" >/dev/null
oci_push_blob man/app "$layer" >/dev/null
oci_push_blob man/elsewhere "$elsewhere" >/dev/null
config_desc=$(oci_descriptor application/vnd.oci.image.config.v1+json "$config")
layer_desc=$(oci_descriptor application/vnd.oci.image.layer.v1.tar "$layer")
oci_image_manifest "$OCI_WORK/image.json" "$OCI_MANIFEST" "$config_desc" "[$layer_desc]"
image_digest=$(tu_sha256 "$OCI_WORK/image.json")

# --- 3. Manifest rules.
tu_log "manifests must reference content the repository holds"
oci_image_manifest "$OCI_WORK/missing-layer.json" "$OCI_MANIFEST" "$config_desc" \
  "[$layer_desc, $(oci_descriptor application/vnd.oci.image.layer.v1.tar "$missing")]"
oci_put_manifest man/app v1 "$OCI_WORK/missing-layer.json" "$OCI_MANIFEST"
oci_expect_error 404 MANIFEST_BLOB_UNKNOWN "manifest with a missing layer"
oci_image_manifest "$OCI_WORK/missing-config.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.oci.image.config.v1+json "$missing")" "[$layer_desc]"
oci_put_manifest man/app v1 "$OCI_WORK/missing-config.json" "$OCI_MANIFEST"
oci_expect_error 404 MANIFEST_BLOB_UNKNOWN "manifest with a missing config"
oci_image_manifest "$OCI_WORK/foreign-layer.json" "$OCI_MANIFEST" "$config_desc" \
  "[$(oci_descriptor application/vnd.oci.image.layer.v1.tar "$elsewhere")]"
oci_put_manifest man/app v1 "$OCI_WORK/foreign-layer.json" "$OCI_MANIFEST"
oci_expect_error 404 MANIFEST_BLOB_UNKNOWN "manifest with a layer only another repository holds"
oci_index "$OCI_WORK/missing-child.json" "$OCI_INDEX" \
  "[$(oci_descriptor "$OCI_MANIFEST" "$OCI_WORK/missing-layer.json")]"
oci_put_manifest man/app idx "$OCI_WORK/missing-child.json" "$OCI_INDEX"
oci_expect_error 404 MANIFEST_BLOB_UNKNOWN "index with a missing child manifest"
for ref in v1 idx; do
  oci_req GET "/v2/man/app/manifests/$ref"
  oci_expect_error 404 MANIFEST_UNKNOWN "rejected manifest $ref is not visible"
done

tu_log "malformed manifests"
printf '{"schemaVersion": 2, "mediaType": "%s", "config": ' "$OCI_MANIFEST" >"$OCI_WORK/truncated.json"
oci_put_manifest man/app bad "$OCI_WORK/truncated.json" "$OCI_MANIFEST"
oci_expect_error 400 MANIFEST_INVALID "invalid JSON"
jq '.schemaVersion = 1' "$OCI_WORK/image.json" >"$OCI_WORK/schema1.json"
oci_put_manifest man/app bad "$OCI_WORK/schema1.json" "$OCI_MANIFEST"
oci_expect_error 400 MANIFEST_INVALID "schemaVersion 1"
jq -n '{schemaVersion: 1, name: "man/app", tag: "bad", architecture: "amd64", fsLayers: [],
  history: []}' >"$OCI_WORK/schema1-docker.json"
oci_put_manifest man/app bad "$OCI_WORK/schema1-docker.json" \
  application/vnd.docker.distribution.manifest.v1+prettyjws
oci_expect_error 400 MANIFEST_INVALID "Docker schema 1 manifest"
oci_put_manifest man/app bad "$OCI_WORK/image.json" "$DOCKER_MANIFEST"
oci_expect_error 400 MANIFEST_INVALID "body mediaType differs from Content-Type"
printf '[1, 2, 3]' >"$OCI_WORK/array.json"
oci_put_manifest man/app bad "$OCI_WORK/array.json" "$OCI_MANIFEST"
oci_expect_error 400 MANIFEST_INVALID "a JSON array"
oci_req GET /v2/man/app/manifests/bad
oci_expect_error 404 MANIFEST_UNKNOWN "no malformed manifest was stored"

tu_log "push by digest"
oci_put_manifest man/app "$(tu_sha256 "$config")" "$OCI_WORK/image.json" "$OCI_MANIFEST"
oci_expect_error 400 DIGEST_INVALID "PUT by a digest of other bytes"
oci_req GET "/v2/man/app/manifests/$image_digest"
oci_expect_error 404 MANIFEST_UNKNOWN "nothing stored under the right digest"
oci_put_manifest man/app "$image_digest" "$OCI_WORK/image.json" "$OCI_MANIFEST"
oci_expect 201 "PUT by the right digest"
oci_expect_header Location "/v2/man/app/manifests/$image_digest" "PUT by digest"
oci_expect_header Docker-Content-Digest "$image_digest" "PUT by digest"
oci_req GET "/v2/man/app/manifests/$image_digest"
oci_expect 200 "GET manifest pushed by digest"
oci_expect_body_is "$OCI_WORK/image.json" "GET manifest pushed by digest"

tu_log "manifest size limit (8 MiB by default)"
# Annotations make the bulk; they are too large for an argument, so jq reads them from files.
head -c $((4 * 1024 * 1024 - 4096)) /dev/zero | tr '\0' 'a' >"$OCI_WORK/4m.txt"
jq -cn --rawfile big "$OCI_WORK/4m.txt" '{annotations: {"org.example.big": $big}}' >"$OCI_WORK/4m-extra.json"
jq --indent 3 -s '.[0] * .[1]' "$OCI_WORK/image.json" "$OCI_WORK/4m-extra.json" >"$OCI_WORK/4m-full.json"
size=$(stat -c %s "$OCI_WORK/4m-full.json")
((size > 4000000 && size < 4 * 1024 * 1024)) || tu_fail "4 MiB manifest is $size bytes"
oci_put_manifest man/app big "$OCI_WORK/4m-full.json" "$OCI_MANIFEST"
oci_expect 201 "a manifest of about 4 MiB"
oci_req GET /v2/man/app/manifests/big
oci_expect 200 "GET the 4 MiB manifest"
oci_expect_header Content-Length "$size" "GET the 4 MiB manifest"
oci_expect_body_is "$OCI_WORK/4m-full.json" "GET the 4 MiB manifest"
head -c $((8 * 1024 * 1024 + 1024)) /dev/zero | tr '\0' 'b' >"$OCI_WORK/9m.txt"
jq -cn --rawfile big "$OCI_WORK/9m.txt" '{annotations: {"org.example.big": $big}}' >"$OCI_WORK/9m-extra.json"
jq -c -s '.[0] * .[1]' "$OCI_WORK/image.json" "$OCI_WORK/9m-extra.json" >"$OCI_WORK/9m-full.json"
oci_put_manifest man/app huge "$OCI_WORK/9m-full.json" "$OCI_MANIFEST"
oci_expect_error 413 SIZE_INVALID "a manifest over the limit"
oci_req GET /v2/man/app/manifests/huge
oci_expect_error 404 MANIFEST_UNKNOWN "the oversized manifest was not stored"

tu_log "subject: accepted before its target exists, answered with OCI-Subject"
empty=$(oci_blob_file empty.json '{}')
oci_push_blob man/app "$empty" >/dev/null
oci_image_manifest "$OCI_WORK/sig.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.oci.empty.v1+json "$empty")" '[]' \
  "{\"artifactType\":\"application/vnd.example.sig.v1\",\"subject\":$(oci_descriptor "$OCI_MANIFEST" "$OCI_WORK/image.json")}"
oci_image_manifest "$OCI_WORK/early.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.oci.empty.v1+json "$empty")" '[]' \
  "{\"artifactType\":\"application/vnd.example.early.v1\",\"subject\":$(oci_descriptor "$OCI_MANIFEST" "$missing")}"
oci_put_manifest man/app "$(tu_sha256 "$OCI_WORK/early.json")" "$OCI_WORK/early.json" "$OCI_MANIFEST"
oci_expect 201 "referrer whose subject does not exist"
oci_expect_header OCI-Subject "$(tu_sha256 "$missing")" "referrer whose subject does not exist"
oci_put_manifest man/app "$(tu_sha256 "$OCI_WORK/sig.json")" "$OCI_WORK/sig.json" "$OCI_MANIFEST"
oci_expect 201 "referrer"
oci_expect_header OCI-Subject "$image_digest" "referrer"
oci_put_manifest man/app v1 "$OCI_WORK/image.json" "$OCI_MANIFEST"
oci_expect 201 "PUT without subject"
oci_has_header OCI-Subject && tu_fail "OCI-Subject on a manifest without subject"

tu_log "delete by tag, then by digest"
oci_put_manifest man/app v2 "$OCI_WORK/image.json" "$OCI_MANIFEST"
oci_expect 201 "second tag"
oci_req DELETE /v2/man/app/manifests/v1
oci_expect 202 "DELETE by tag"
oci_req GET /v2/man/app/manifests/v1
oci_expect_error 404 MANIFEST_UNKNOWN "GET deleted tag"
oci_req DELETE /v2/man/app/manifests/v1
oci_expect_error 404 MANIFEST_UNKNOWN "DELETE deleted tag"
oci_req GET "/v2/man/app/manifests/$image_digest"
oci_expect 200 "the manifest survives its tag"
oci_expect_body_is "$OCI_WORK/image.json" "the manifest survives its tag"
oci_req GET /v2/man/app/manifests/v2
oci_expect 200 "the other tag survives"
oci_req DELETE "/v2/man/app/manifests/$image_digest"
oci_expect 202 "DELETE by digest"
oci_req GET "/v2/man/app/manifests/$image_digest"
oci_expect_error 404 MANIFEST_UNKNOWN "GET deleted manifest"
oci_req HEAD "/v2/man/app/manifests/$image_digest"
oci_expect 404 "HEAD deleted manifest"
oci_req GET /v2/man/app/manifests/v2
oci_expect_error 404 MANIFEST_UNKNOWN "tags of a deleted manifest"
oci_req DELETE "/v2/man/app/manifests/$image_digest"
oci_expect_error 404 MANIFEST_UNKNOWN "DELETE deleted manifest"
oci_req DELETE "/v2/no/such/repo/manifests/$image_digest"
oci_expect 404 "DELETE in an unknown repository"

# --- 4. Discovery.
tu_log "tags/list: lexical order, n, last, Link"
oci_push_blob disc/app "$config" >/dev/null
oci_push_blob disc/app "$layer" >/dev/null
for tag in v2 c a1 v10 b; do
  oci_put_manifest disc/app "$tag" "$OCI_WORK/image.json" "$OCI_MANIFEST"
  oci_expect 201 "tag $tag"
done
tags() { jq -c '[.name, .tags]' "$OCI_BODY"; }
oci_req GET /v2/disc/app/tags/list
oci_expect 200 "tags/list"
tu_assert_eq '["disc/app",["a1","b","c","v10","v2"]]' "$(tags)" "all tags"
oci_has_header Link && tu_fail "Link without n"
oci_req GET '/v2/disc/app/tags/list?n=2'
oci_expect 200 "tags/list n=2"
tu_assert_eq '["disc/app",["a1","b"]]' "$(tags)" "page 1"
oci_expect_header Link '</v2/disc/app/tags/list?n=2&last=b>; rel="next"' "page 1"
oci_req GET "$(oci_header Link | sed 's/^<\(.*\)>.*/\1/')"
tu_assert_eq '["disc/app",["c","v10"]]' "$(tags)" "page 2"
oci_expect_header Link '</v2/disc/app/tags/list?n=2&last=v10>; rel="next"' "page 2"
oci_req GET "$(oci_header Link | sed 's/^<\(.*\)>.*/\1/')"
tu_assert_eq '["disc/app",["v2"]]' "$(tags)" "page 3"
oci_has_header Link && tu_fail "Link after the last page"
oci_req GET '/v2/disc/app/tags/list?n=5'
tu_assert_eq '["disc/app",["a1","b","c","v10","v2"]]' "$(tags)" "n equal to the count"
oci_has_header Link && tu_fail "Link when no tag follows"
oci_req GET '/v2/disc/app/tags/list?n=0'
oci_expect 200 "tags/list n=0"
tu_assert_eq '["disc/app",[]]' "$(tags)" "n=0"
oci_has_header Link && tu_fail "Link with n=0"
oci_req GET '/v2/disc/app/tags/list?last=c'
tu_assert_eq '["disc/app",["v10","v2"]]' "$(tags)" "last without n"
oci_req GET '/v2/disc/app/tags/list?n=3&last=v2'
tu_assert_eq '["disc/app",[]]' "$(tags)" "last is the final tag"
oci_req GET /v2/disc/nosuch/tags/list
oci_expect_error 404 NAME_UNKNOWN "tags of an unknown repository"

tu_log "_catalog: n, last, Link"
oci_push_blob disc/zeta "$config" >/dev/null
oci_push_blob disc/zeta "$layer" >/dev/null
oci_put_manifest disc/zeta latest "$OCI_WORK/image.json" "$OCI_MANIFEST"
oci_expect 201 "manifest in disc/zeta"
oci_req GET /v2/_catalog
oci_expect 200 "_catalog"
all=$(jq -c .repositories "$OCI_BODY")
tu_assert_eq '["disc/app","disc/zeta","man/app"]' "$all" "_catalog lists repositories with manifests"
oci_req GET '/v2/_catalog?n=2'
tu_assert_eq '["disc/app","disc/zeta"]' "$(jq -c .repositories "$OCI_BODY")" "_catalog page 1"
oci_expect_header Link '</v2/_catalog?n=2&last=disc%2Fzeta>; rel="next"' "_catalog page 1"
oci_req GET "$(oci_header Link | sed 's/^<\(.*\)>.*/\1/')"
tu_assert_eq '["man/app"]' "$(jq -c .repositories "$OCI_BODY")" "_catalog page 2"
oci_has_header Link && tu_fail "_catalog Link after the last page"
oci_req GET '/v2/_catalog?n=0'
tu_assert_eq '[]' "$(jq -c .repositories "$OCI_BODY")" "_catalog n=0"
oci_has_header Link && tu_fail "_catalog Link with n=0"
oci_req GET '/v2/_catalog?last=disc/app'
tu_assert_eq '["disc/zeta","man/app"]' "$(jq -c .repositories "$OCI_BODY")" "_catalog last"

tu_log "referrers API"
oci_push_blob ref/app "$config" >/dev/null
oci_push_blob ref/app "$layer" >/dev/null
oci_push_blob ref/app "$empty" >/dev/null
sig_config=$(oci_blob_file sig-config.json '{"signer":"example"}')
oci_push_blob ref/app "$sig_config" >/dev/null
subject=$(oci_descriptor "$OCI_MANIFEST" "$OCI_WORK/image.json")
oci_image_manifest "$OCI_WORK/sbom.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.oci.empty.v1+json "$empty")" "[$layer_desc]" \
  "{\"artifactType\":\"application/vnd.example.sbom.v1\",\"subject\":$subject,\"annotations\":{\"org.example.format\":\"json\"}}"
# No artifactType: the referrers descriptor must carry the config's mediaType instead.
oci_image_manifest "$OCI_WORK/signature.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.example.signature.config.v1+json "$sig_config")" '[]' \
  "{\"subject\":$subject}"
for file in sbom.json signature.json; do
  oci_put_manifest ref/app "$(tu_sha256 "$OCI_WORK/$file")" "$OCI_WORK/$file" "$OCI_MANIFEST"
  oci_expect 201 "push referrer $file"
  oci_expect_header OCI-Subject "$image_digest" "push referrer $file"
done
oci_put_manifest ref/app v1 "$OCI_WORK/image.json" "$OCI_MANIFEST"
oci_expect 201 "push the subject after its referrers"
sbom_digest=$(tu_sha256 "$OCI_WORK/sbom.json")
signature_digest=$(tu_sha256 "$OCI_WORK/signature.json")
expected=$(jq -cn --arg sd "$sbom_digest" --argjson ss "$(stat -c %s "$OCI_WORK/sbom.json")" \
  --arg gd "$signature_digest" --argjson gs "$(stat -c %s "$OCI_WORK/signature.json")" --arg m "$OCI_MANIFEST" \
  '[{mediaType: $m, digest: $sd, size: $ss, artifactType: "application/vnd.example.sbom.v1",
     annotations: {"org.example.format": "json"}},
    {mediaType: $m, digest: $gd, size: $gs, artifactType: "application/vnd.example.signature.config.v1+json"}]
   | sort_by(.digest)' | jq -cS .)
oci_req GET "/v2/ref/app/referrers/$image_digest"
oci_expect 200 "referrers"
oci_expect_header Content-Type "$OCI_INDEX" "referrers"
oci_has_header OCI-Filters-Applied && tu_fail "OCI-Filters-Applied without a filter"
tu_assert_eq "2 $OCI_INDEX" "$(jq -r '"\(.schemaVersion) \(.mediaType)"' "$OCI_BODY")" "referrers index"
tu_assert_eq "$expected" "$(jq -cS '.manifests | sort_by(.digest)' "$OCI_BODY")" "referrers descriptors"
oci_req GET "/v2/ref/app/referrers/$image_digest?artifactType=application/vnd.example.sbom.v1"
oci_expect 200 "filtered referrers"
oci_expect_header Content-Type "$OCI_INDEX" "filtered referrers"
oci_expect_header OCI-Filters-Applied artifactType "filtered referrers"
tu_assert_eq "[\"$sbom_digest\"]" "$(jq -c '[.manifests[].digest]' "$OCI_BODY")" "filtered referrers"
oci_req GET "/v2/ref/app/referrers/sha256:$(printf '%064d' 5)"
oci_expect 200 "referrers of an unknown subject"
oci_expect_header Content-Type "$OCI_INDEX" "referrers of an unknown subject"
tu_assert_eq '[]' "$(jq -c .manifests "$OCI_BODY")" "referrers of an unknown subject"
oci_req GET "/v2/ref/other/referrers/$image_digest"
oci_expect 200 "referrers in a repository without the subject"
tu_assert_eq '[]' "$(jq -c .manifests "$OCI_BODY")" "referrers are per repository"
oci_req GET /v2/ref/app/referrers/sha256:zz
oci_expect_error 400 DIGEST_INVALID "referrers of a malformed digest"
oci_req DELETE "/v2/ref/app/manifests/$sbom_digest"
oci_expect 202 "delete a referrer"
oci_req GET "/v2/ref/app/referrers/$image_digest"
tu_assert_eq "[\"$signature_digest\"]" "$(jq -c '[.manifests[].digest]' "$OCI_BODY")" "referrers after a delete"

echo "ok"
