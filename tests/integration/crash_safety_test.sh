#!/usr/bin/env bash
# Crash safety: rounds of concurrent pushes (skopeo copies, chunked curl uploads) against one
# data dir, each ended by a SIGKILL of the satellite at a random moment after the server
# acknowledged at least one chunk, and a restart on the same dir. Checks after each restart: the lock was released with the process; every upload
# the server had answered resumes from the Range GET reports (every acknowledged byte kept)
# and completes with a verified digest. Checks at the end: every file under blobs/ hashes to
# its name; every tag of every repository resolves and the blobs it references are served
# intact, also after an offline `satellite gc --gc-grace 0`.
# CRASH_SEED replays one run's kill timings; CRASH_ROUNDS changes the number of rounds.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/storage.sh"

seed=${CRASH_SEED:-$(($(date +%s%N) % 1000000))}
rounds=${CRASH_ROUNDS:-15}
RANDOM=$seed
tu_log "seed $seed (CRASH_SEED=$seed replays the kill timings), $rounds rounds"

data=$TU_DIR/data
images=$TU_DIR/images
for s in 1 2 3 4 5 6; do
  tu_gen_image "$images" "s$s" --layers 3 --layer-size 768K --seed "$s" >/dev/null
done
for c in 0 1; do head -c $((1536 * 1024 + c * 4099)) /dev/urandom >"$TU_DIR/payload$c"; done

# upload_client DIR REPO FILE MODE: uploads FILE in 256 KiB PATCHes, rate-limited so a kill
# lands mid-body; MODE "range" sends Content-Range and Content-Length, "stream" sends
# Transfer-Encoding: chunked without a range (as skopeo does). DIR records what the client
# was told: location, acked (bytes acknowledged by 202s), committing (PUT sent), done (201),
# error (an answer no crash explains).
upload_client() {
  local dir=$1 repo=$2 file=$3 mode=$4 size offset=0 end status location
  local chunk=$((256 * 1024))
  size=$(stat -c %s "$file")
  mkdir -p "$dir"
  location=$(curl -s -D - -o /dev/null --max-time 10 -X POST \
    "http://$SAT_ADDR/v2/$repo/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  [[ -n "$location" ]] || return 0
  echo "$location" >"$dir/location"
  echo 0 >"$dir/acked"
  while ((offset < size)); do
    end=$((offset + chunk - 1))
    ((end < size)) || end=$((size - 1))
    # dd, not tail | head: under pipefail head's early exit (SIGPIPE to tail) ends the client.
    dd if="$file" of="$dir/chunk" bs=64K iflag=skip_bytes,count_bytes skip="$offset" \
      count=$((end - offset + 1)) status=none
    local headers=(-H "Content-Range: $offset-$end")
    [[ "$mode" == stream ]] && headers=(-H 'Transfer-Encoding: chunked')
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --limit-rate 2M -X PATCH \
      -H 'Content-Type: application/octet-stream' "${headers[@]}" --data-binary "@$dir/chunk" \
      "http://$SAT_ADDR$location") || return 0
    [[ "$status" == 202 ]] || {
      echo "PATCH at $offset: $status" >"$dir/error"
      return 0
    }
    offset=$((end + 1))
    echo "$offset" >"$dir/acked"
  done
  touch "$dir/committing"
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT \
    "http://$SAT_ADDR$location?digest=$(tu_sha256 "$file")") || return 0
  if [[ "$status" == 201 ]]; then touch "$dir/done"; else echo "PUT: $status" >"$dir/error"; fi
}

# upload_range PATH: bytes the server holds for the upload at PATH (GET must answer 204).
# "0-0" means 0 or 1 bytes; a one-byte PATCH at offset 0 settles it at 1 either way.
upload_range() {
  local status end
  status=$(curl -s -D "$TU_DIR/range.headers" -o "$TU_DIR/range.body" -w '%{http_code}' \
    "http://$SAT_ADDR$1")
  [[ "$status" == 204 ]] || return 1
  end=$(tr -d '\r' <"$TU_DIR/range.headers" | sed -n 's/^[Rr]ange: 0-//p')
  [[ "$end" =~ ^[0-9]+$ ]] || tu_fail "upload $1: bad Range header"
  if ((end == 0)); then
    status=$(head -c 1 "$2" | curl -s -o /dev/null -w '%{http_code}' -X PATCH \
      -H 'Content-Range: 0-0' --data-binary @- "http://$SAT_ADDR$1")
    [[ "$status" == 202 || "$status" == 416 ]] || tu_fail "upload $1: probe PATCH $status"
  fi
  echo $((end + 1))
}

resumed=0
partial=0  # uploads resumed from an offset the server had acknowledged (> 0), not a probe
# finish_upload DIR REPO FILE: checks what the kill left of one client's upload and
# completes it.
finish_upload() {
  local dir=$1 repo=$2 file=$3 size digest location received status
  [[ ! -f "$dir/error" ]] || tu_fail "$dir: client was told $(cat "$dir/error")"
  [[ -f "$dir/location" ]] || return 0 # killed before the POST was answered
  size=$(stat -c %s "$file")
  digest=$(tu_sha256 "$file")
  location=$(cat "$dir/location")
  if [[ -f "$dir/done" ]]; then
    st_check_blob "$SAT_ADDR" "$repo" "$digest"
    return 0
  fi
  if ! received=$(upload_range "$location" "$file"); then
    tu_assert_eq 404 "$(tu_status GET "http://$SAT_ADDR$location")" "$dir: upload status"
    tu_assert_eq BLOB_UPLOAD_UNKNOWN "$(jq -r '.errors[0].code' "$TU_DIR/range.body")" \
      "$dir: error code"
    # Only a commit cut short may end a session: the blob is then published (and linked,
    # unless the kill fell between the two), never half there.
    [[ -f "$dir/committing" ]] || tu_fail "$dir: upload lost before its PUT"
    if [[ "$(tu_status HEAD "http://$SAT_ADDR/v2/$repo/blobs/$digest" -I)" != 200 ]]; then
      st_push_blob "$SAT_ADDR" "$repo" "$file" >/dev/null
    fi
    st_check_blob "$SAT_ADDR" "$repo" "$digest"
    return 0
  fi
  ((received >= $(cat "$dir/acked"))) ||
    tu_fail "$dir: server holds $received bytes but had acknowledged $(cat "$dir/acked")"
  ((received <= size)) || tu_fail "$dir: server holds $received of $size bytes"
  local acked
  acked=$(cat "$dir/acked")
  ((acked > 0 && received >= acked && received < size)) && partial=$((partial + 1))
  if ((received < size)); then
    tail -c +$((received + 1)) "$file" >"$dir/rest"
    status=$(curl -s -o "$dir/rest.body" -w '%{http_code}' -X PATCH \
      -H "Content-Range: $received-$((size - 1))" --data-binary "@$dir/rest" \
      "http://$SAT_ADDR$location")
    tu_assert_eq 202 "$status" "$dir: PATCH the rest from $received ($(cat "$dir/rest.body"))"
  fi
  status=$(curl -s -o "$dir/put.body" -w '%{http_code}' -X PUT "http://$SAT_ADDR$location?digest=$digest")
  tu_assert_eq 201 "$status" "$dir: PUT after resuming at $received ($(cat "$dir/put.body"))"
  st_check_blob "$SAT_ADDR" "$repo" "$digest"
  resumed=$((resumed + 1))
}

tu_start_satellite sat0 "$data" --gc-interval 0
skopeo copy -q --dest-tls-verify=false "oci:$images:s1" "docker://$SAT_ADDR/crash/base:v1"

for ((round = 1; round <= rounds; round++)); do
  clients=()
  for k in 1 2 3; do
    s=$(((round + k) % 6 + 1))
    timeout 30 skopeo copy -q --dest-tls-verify=false "oci:$images:s$s" \
      "docker://$SAT_ADDR/crash/img$k:r$round" >"$TU_DIR/skopeo-$round-$k.log" 2>&1 &
    clients+=($!)
  done
  upload_client "$TU_DIR/up/$round-0" crash/chunks "$TU_DIR/payload0" range &
  clients+=($!)
  upload_client "$TU_DIR/up/$round-1" crash/chunks "$TU_DIR/payload1" stream &
  clients+=($!)
  # Kill only once a chunk was acknowledged, so the resume below starts from a real offset
  # (a kill before any acknowledgement would only prove the one-byte probe).
  waited=0
  until [[ "$(cat "$TU_DIR/up/$round-0/acked" 2>/dev/null || echo 0)" -gt 0 ||
    "$(cat "$TU_DIR/up/$round-1/acked" 2>/dev/null || echo 0)" -gt 0 ]]; do
    ((waited++ < 250)) || tu_fail "round $round: no chunk acknowledged within 5 s"
    sleep 0.02
  done
  sleep "0.$(printf '%03d' $((RANDOM % 201)))"
  kill -9 "$SAT_PID"
  wait "$SAT_PID" 2>/dev/null || true
  for pid in "${clients[@]}"; do wait "$pid" || true; done
  # The kernel released the data-dir lock with the process: the restart must not fail.
  tu_start_satellite "sat$round" "$data" --gc-interval 0
  for c in 0 1; do finish_upload "$TU_DIR/up/$round-$c" crash/chunks "$TU_DIR/payload$c"; done
  # The next round's uploads are new sessions; their blobs are stored already.
  for c in 0 1; do
    head -c $((1536 * 1024 + c * 4099)) /dev/urandom >"$TU_DIR/payload$c"
  done
done
tu_log "$resumed uploads resumed after a kill ($partial from an acknowledged offset)"
((partial >= rounds / 2)) ||
  tu_fail "only $partial of $rounds rounds resumed from an acknowledged offset"

blobs=$(st_check_blob_tree "$data")
read -r tags referenced < <(st_check_all_tags "$SAT_ADDR")
tu_log "$blobs blobs on disk; $tags tags referencing $referenced blobs, all intact"
((tags >= 1)) || tu_fail "no tag survived"
base=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$SAT_ADDR/crash/base:v1")
tu_assert_eq "$(skopeo inspect --format '{{.Digest}}' "oci:$images:s1")" "$base" "base image"

# Offline GC after all those crashes keeps everything a tag references.
kill -9 "$SAT_PID" && wait "$SAT_PID" 2>/dev/null || true
st_check_database "$data"
"$SATELLITE" gc --data-dir "$data" --gc-grace 0 >"$TU_DIR/gc.out" 2>&1 ||
  tu_fail "gc: $(cat "$TU_DIR/gc.out")"
tu_start_satellite final "$data" --gc-interval 0
read -r tags_after referenced_after < <(st_check_all_tags "$SAT_ADDR")
tu_assert_eq "$tags $referenced" "$tags_after $referenced_after" "tags and blobs after gc"
st_check_blob_tree "$data" >/dev/null
echo "ok"
