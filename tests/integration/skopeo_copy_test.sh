#!/usr/bin/env bash
# skopeo copies an image into the satellite and back out with identical digests.
source "$(dirname "$0")/../testutil/lib.sh"

tu_start_satellite sat "$TU_DIR/data"
digest=$(tu_gen_image "$TU_DIR/image" v1 --layers 3 --layer-size 512K --seed 7)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/image:v1" "docker://$SAT_ADDR/demo/app:v1"
remote=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$SAT_ADDR/demo/app:v1")
tu_assert_eq "$digest" "$remote" "digest after push"
skopeo copy -q --src-tls-verify=false "docker://$SAT_ADDR/demo/app:v1" "oci:$TU_DIR/back:v1"
back=$(skopeo inspect --format '{{.Digest}}' "oci:$TU_DIR/back:v1")
tu_assert_eq "$digest" "$back" "digest after pull"
echo "ok"
