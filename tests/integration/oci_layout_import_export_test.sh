#!/usr/bin/env bash
# Air-gapped import and export: layouts written by skopeo (oci: and oci-archive:, single and
# multi-arch) go into a stopped satellite and, through admin.sock, into a running one; what
# it serves and what it exports (directory and tar) keep every digest; a corrupt layout is
# refused with one line and changes nothing.
source "$(dirname "$0")/../testutil/lib.sh"

data="$TU_DIR/data"
# raw_digest REF [skopeo flags...]: sha256 of the top manifest skopeo reads at REF.
raw_digest() {
  local ref=$1
  shift
  echo "sha256:$(skopeo inspect --raw "$@" "$ref" | sha256sum | cut -d' ' -f1)"
}

tu_log "skopeo writes the layouts"
single=$(tu_gen_image "$TU_DIR/gen-single" v1 --layers 2 --layer-size 256K --seed 1)
multi=$(tu_gen_image "$TU_DIR/gen-multi" m1 --layers 2 --layer-size 128K --seed 2 \
  --platforms linux/amd64,linux/arm64)
third=$(tu_gen_image "$TU_DIR/gen-third" v3 --layers 1 --layer-size 64K --seed 3)
skopeo copy -q "oci:$TU_DIR/gen-single:v1" "oci-archive:$TU_DIR/single.tar:v1"
skopeo copy -q --all "oci:$TU_DIR/gen-multi:m1" "oci:$TU_DIR/multi:m1"
skopeo copy -q --all "oci:$TU_DIR/gen-multi:m1" "oci-archive:$TU_DIR/multi.tar:m1"
# A full name as the ref name: the repository comes from it (registry host stripped).
skopeo copy -q "oci:$TU_DIR/gen-third:v3" "oci-archive:$TU_DIR/third.tar:localhost:5000/demo/third:v3"

tu_log "import into the stopped satellite"
out=$("$SATELLITE" import "$TU_DIR/single.tar" --data-dir "$data" --repository demo/single)
[[ "$out" == "imported 1 image "*"3 blobs stored"* ]] || tu_fail "first import: $out"
out=$("$SATELLITE" import "$TU_DIR/single.tar" --data-dir "$data" --repository demo/single)
[[ "$out" == *"0 blobs stored"*"3 already held" ]] || tu_fail "re-import stored again: $out"
"$SATELLITE" import "$TU_DIR/multi" --data-dir "$data" --repository demo/multi >/dev/null
if "$SATELLITE" import "$TU_DIR/multi.tar" --data-dir "$data" 2>"$TU_DIR/err"; then
  tu_fail "a bare tag without --repository was imported"
fi
grep -q -- "--repository" "$TU_DIR/err" || tu_fail "no hint at --repository: $(cat "$TU_DIR/err")"

tu_log "the started satellite serves the imported digests"
tu_start_satellite sat "$data"
tu_assert_eq "$single" "$(raw_digest "docker://$SAT_ADDR/demo/single:v1" --tls-verify=false)" "single"
tu_assert_eq "$multi" "$(raw_digest "docker://$SAT_ADDR/demo/multi:m1" --tls-verify=false)" "index"
skopeo copy -q --all --src-tls-verify=false "docker://$SAT_ADDR/demo/multi:m1" "oci:$TU_DIR/back:m1"
tu_assert_eq "$multi" "$(raw_digest "oci:$TU_DIR/back:m1")" "index pulled back"

tu_log "import while it runs goes through admin.sock"
[[ "$(stat -c %a "$data/admin.sock")" == 600 ]] || tu_fail "admin.sock is not 0600"
out=$("$SATELLITE" import "$TU_DIR/third.tar" --data-dir "$data")
[[ "$out" == *"into demo/third"* ]] || tu_fail "running import: $out"
grep -q "admin: imported 1 image" "$TU_DIR/sat.log" || tu_fail "the running satellite did not import it"
tu_assert_eq "$third" "$(raw_digest "docker://$SAT_ADDR/demo/third:v3" --tls-verify=false)" "third"

tu_log "export while running (directory) and stopped (tar)"
"$SATELLITE" export --data-dir "$data" "$TU_DIR/export" >/dev/null
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
[[ ! -e "$data/admin.sock" ]] || tu_fail "admin.sock left behind"
out=$("$SATELLITE" export --data-dir "$data" "$TU_DIR/export.tar" --repository demo/multi \
  --repository demo/third)
[[ "$out" == "exported 2 tags:"* ]] || tu_fail "tar export: $out"
[[ ! -e "$TU_DIR/export.tar.partial" ]] || tu_fail "partial tar left behind"

tu_start_docker_registry upstream
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/export:demo/single:v1" \
  "docker://$REG_ADDR/demo/single:v1"
skopeo copy -q --all --dest-tls-verify=false "oci-archive:$TU_DIR/export.tar:demo/multi:m1" \
  "docker://$REG_ADDR/demo/multi:m1"
skopeo copy -q --dest-tls-verify=false "oci-archive:$TU_DIR/export.tar:demo/third:v3" \
  "docker://$REG_ADDR/demo/third:v3"
tu_assert_eq "$single" "$(raw_digest "docker://$REG_ADDR/demo/single:v1" --tls-verify=false)" \
  "single via export"
tu_assert_eq "$multi" "$(raw_digest "docker://$REG_ADDR/demo/multi:m1" --tls-verify=false)" \
  "index via export"
tu_assert_eq "$third" "$(raw_digest "docker://$REG_ADDR/demo/third:v3" --tls-verify=false)" \
  "third via export"
if skopeo inspect --raw "oci-archive:$TU_DIR/export.tar:demo/single:v1" >/dev/null 2>&1; then
  tu_fail "the tar export holds a repository it was not asked for"
fi

tu_log "a corrupt tar is refused with one line and changes nothing"
cp "$TU_DIR/single.tar" "$TU_DIR/bad.tar"
# The largest entry is a layer: overwrite bytes inside its data (header block + 1).
block=$(tar -tRvf "$TU_DIR/bad.tar" | sort -k5 -n | tail -1 | sed -n 's/^block \([0-9]*\):.*/\1/p')
printf 'CORRUPT' | dd of="$TU_DIR/bad.tar" bs=1 seek=$(((block + 1) * 512 + 100)) conv=notrunc 2>/dev/null
fresh="$TU_DIR/fresh"
rc=0
"$SATELLITE" import "$TU_DIR/bad.tar" --data-dir "$fresh" --repository demo/bad 2>"$TU_DIR/err" || rc=$?
tu_assert_eq 1 "$rc" "exit status of a corrupt import"
tu_assert_eq 1 "$(wc -l <"$TU_DIR/err")" "error lines"
grep -q "blob sha256:[0-9a-f]\{64\} in the layout does not match its digest" "$TU_DIR/err" ||
  tu_fail "error does not name the blob: $(cat "$TU_DIR/err")"
tu_assert_eq 0 "$(find "$fresh/blobs" -type f | wc -l)" "blobs stored by a corrupt import"
head -c 5000 "$TU_DIR/single.tar" >"$TU_DIR/cut.tar"
rc=0
"$SATELLITE" import "$TU_DIR/cut.tar" --data-dir "$fresh" --repository demo/bad 2>"$TU_DIR/err" || rc=$?
tu_assert_eq 1 "$rc" "exit status of a truncated tar"
tu_assert_eq 1 "$(wc -l <"$TU_DIR/err")" "error lines for a truncated tar"
grep -q "malformed tar archive" "$TU_DIR/err" || tu_fail "truncated tar: $(cat "$TU_DIR/err")"
echo "ok"
