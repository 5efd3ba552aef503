#!/usr/bin/env bash
# Manifest stress, ours vs Debian's docker-registry in the same run (the review's findings 3
# and 4 as figures):
#   stall:  a 7 MB manifest in a repository (4 MB for docker-registry, which refuses more),
#           then an index listing another manifest of it
#           10,000 times: how long the index PUT takes, and the slowest 100-byte blob push
#           into another repository while it runs;
#   memory: six concurrent 8 MiB manifests of nested arrays (valid JSON): peak resident
#           memory (VmHWM) before and after.
# Usage: bench/manifest_stress.sh        Env: SATELLITE, OCI_IMAGE_GEN (default build/release)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SATELLITE="${SATELLITE:-$ROOT/build/release/src/satellite/satellite}"
export OCI_IMAGE_GEN="${OCI_IMAGE_GEN:-$ROOT/build/release/tests/testutil/oci_image_gen/oci-image-gen}"
source "$ROOT/tests/testutil/lib.sh"
source "$ROOT/tests/testutil/oci.sh"
source "$ROOT/tests/testutil/storage.sh"
OCI_WORK=$TU_DIR/work
mkdir -p "$OCI_WORK"

peak_mb() { echo $(($(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status") / 1024)); }

# Inputs, made once: blobs, a 7 MB manifest, a small image manifest, a 10,000-entry index,
# and the nested-array bomb.
config=$(oci_blob_file config '{"architecture":"amd64","os":"linux"}')
layer=$(oci_blob_file layer 'layer bytes')
oci_image_manifest "$OCI_WORK/img.json" "$OCI_MANIFEST" \
  "$(oci_descriptor application/vnd.oci.image.config.v1+json "$config")" \
  "[$(oci_descriptor application/vnd.oci.image.layer.v1.tar "$layer")]"
python3 - "$OCI_WORK" <<'PY'
import json, sys, hashlib, os
work = sys.argv[1]
img = json.load(open(f"{work}/img.json"))
json.dump(dict(img, annotations={"padding": "a" * 7_000_000}), open(f"{work}/big7.json", "w"))
# distribution refuses manifests over 4 MiB: its run gets the largest it takes.
json.dump(dict(img, annotations={"padding": "a" * 4_000_000}), open(f"{work}/big4.json", "w"))
raw = open(f"{work}/img.json", "rb").read()
child = {"mediaType": img["mediaType"], "digest": "sha256:" + hashlib.sha256(raw).hexdigest(),
         "size": len(raw)}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [child] * 10_000}
json.dump(index, open(f"{work}/index.json", "w"))
with open(f"{work}/nested.json", "w") as f:
    f.write('{"schemaVersion":2,"x":' + "[" * (4 * 1024 * 1024 - 16) + "]" * (4 * 1024 * 1024 - 16) + "}")
PY
head -c 100 /dev/urandom >"$OCI_WORK/small0"

# push_blob ADDR REPO FILE: POST then PUT, following an absolute or query-carrying Location as
# distribution sends it; prints the seconds it took.
push_blob() {
  local addr=$1 repo=$2 file=$3 t0 location sep='?' status
  t0=$(date +%s.%N)
  location=$(curl -s -D - -o /dev/null -X POST "http://$addr/v2/$repo/blobs/uploads/" |
    tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  [[ "$location" == http* ]] || location="http://$addr$location"
  [[ "$location" == *'?'* ]] && sep='&'
  status=$(curl -s -o "$OCI_WORK/push.body" -w "%{http_code}" -X PUT --data-binary "@$file" \
    -H "Content-Type: application/octet-stream" \
    "$location${sep}digest=$(tu_sha256 "$file")")
  [[ "$status" == 201 ]] || tu_fail "push $file to $addr: $status $(cat "$OCI_WORK/push.body")"
  echo "$(date +%s.%N) - $t0" | bc -l
}

# run_stall ADDR BIG_MANIFEST: prints "<index PUT seconds> <slowest concurrent blob push
# seconds> <pushes>".
run_stall() {
  local addr=$1 big=$2
  SAT_ADDR=$addr
  push_blob "$addr" stall/big "$config" >/dev/null
  push_blob "$addr" stall/big "$layer" >/dev/null
  oci_put_manifest stall/big big "$big" "$OCI_MANIFEST"
  oci_expect 201 "big manifest"
  oci_put_manifest stall/big img "$OCI_WORK/img.json" "$OCI_MANIFEST"
  oci_expect 201 "image manifest"
  rm -f "$OCI_WORK/index.done"
  (
    i=0
    while [[ ! -e "$OCI_WORK/index.done" ]]; do
      head -c 100 /dev/urandom >"$OCI_WORK/small.$i"
      push_blob "$addr" stall/other "$OCI_WORK/small.$i"
      i=$((i + 1))
    done
  ) >"$OCI_WORK/pushes" 2>"$OCI_WORK/pushes.err" &
  local pusher=$! started ended
  sleep 0.3
  started=$(date +%s.%N)
  oci_put_manifest stall/big index "$OCI_WORK/index.json" application/vnd.oci.image.index.v1+json
  ended=$(date +%s.%N)
  oci_expect 201 "10,000-entry index"
  touch "$OCI_WORK/index.done"
  wait "$pusher"
  [[ -s "$OCI_WORK/pushes" ]] || tu_fail "no blob push completed: $(cat "$OCI_WORK/pushes.err")"
  printf '%.3f %.3f %.3f %s\n' "$(echo "$ended - $started" | bc -l)" \
    "$(sort -g "$OCI_WORK/pushes" | tail -1)" \
    "$(sort -g "$OCI_WORK/pushes" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "$(wc -l <"$OCI_WORK/pushes")"
}

# run_memory ADDR PID: prints the peak MB after six concurrent nested-array PUTs.
run_memory() {
  local addr=$1 pid=$2 i
  for i in 1 2 3 4 5 6; do
    curl -s -o /dev/null -X PUT -H "Content-Type: $OCI_MANIFEST" \
      --data-binary "@$OCI_WORK/nested.json" "http://$addr/v2/mem/nested/manifests/n$i" &
  done
  wait
  peak_mb "$pid"
}

tu_start_satellite ours "$TU_DIR/ours"
ours_addr=$SAT_ADDR ours_pid=$SAT_PID
tu_start_docker_registry docker
docker_addr=$REG_ADDR docker_pid=$REG_PID
ours_idle=$(peak_mb "$ours_pid") docker_idle=$(peak_mb "$docker_pid")

read -r ours_index ours_push ours_median ours_n < <(run_stall "$ours_addr" "$OCI_WORK/big7.json")
read -r docker_index docker_push docker_median docker_n < <(run_stall "$docker_addr" "$OCI_WORK/big4.json")
ours_stalled=$(peak_mb "$ours_pid") docker_stalled=$(peak_mb "$docker_pid")
ours_peak=$(run_memory "$ours_addr" "$ours_pid")
docker_peak=$(run_memory "$docker_addr" "$docker_pid")

ratio() { echo "scale=2; $1 / $2" | bc -l; }
printf '\n| | ours | docker-registry | ours/docker |\n|---|---:|---:|---:|\n'
printf '| 10,000-entry index PUT beside a 7 MB (ours) / 4 MB (docker: its limit) manifest, s | %s | %s | %s |\n' \
  "$ours_index" "$docker_index" "$(ratio "$ours_index" "$docker_index")"
printf '| slowest / median 100-byte blob push meanwhile, s (%s / %s pushes) | %s / %s | %s / %s | %s |\n' \
  "$ours_n" "$docker_n" "$ours_push" "$ours_median" "$docker_push" "$docker_median" \
  "$(ratio "$ours_push" "$docker_push")"
printf '| VmHWM idle, MB | %s | %s | |\n' "$ours_idle" "$docker_idle"
printf '| VmHWM after the big manifests and the index, MB | %s | %s | |\n' "$ours_stalled" "$docker_stalled"
printf '| VmHWM after 6 concurrent 8 MiB nested-array PUTs, MB | %s | %s | %s |\n' \
  "$ours_peak" "$docker_peak" "$(ratio "$ours_peak" "$docker_peak")"
