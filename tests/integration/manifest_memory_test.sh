#!/usr/bin/env bash
# Memory stays bounded whatever the manifests: with the default limits, six concurrent 8 MiB
# manifests of nested arrays, a stream of 7 MB manifests pushed and then pulled by 24 slow
# clients at once keep the satellite's peak resident memory within a few tens of MB. Pulls
# beyond the manifest memory budget get 429 with Retry-After, never a crash, and every pull
# that is answered 200 has the pushed bytes.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/oci.sh"
source "$(dirname "$0")/../testutil/storage.sh"

tu_start_satellite sat "$TU_DIR/data"
OCI_WORK=$TU_DIR/work
mkdir -p "$OCI_WORK"
peak_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SAT_PID/status"; }
tu_log "idle peak $(($(peak_kb) / 1024)) MB"

tu_log "six concurrent 8 MiB manifests of nested arrays"
{
  printf '{"schemaVersion":2,"x":'
  head -c $((4 * 1024 * 1024 - 16)) /dev/zero | tr '\0' '['
  head -c $((4 * 1024 * 1024 - 16)) /dev/zero | tr '\0' ']'
  printf '}'
} >"$TU_DIR/nested.json"
pids=()
for i in 1 2 3 4 5 6; do
  curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "Content-Type: $OCI_MANIFEST" \
    --data-binary "@$TU_DIR/nested.json" "http://$SAT_ADDR/v2/mem/nested/manifests/n$i" \
    >"$TU_DIR/nested.$i" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for i in 1 2 3 4 5 6; do
  status=$(cat "$TU_DIR/nested.$i")
  [[ "$status" == 400 || "$status" == 429 ]] || tu_fail "nested manifest $i: status $status"
done
tu_log "peak after nested manifests $(($(peak_kb) / 1024)) MB"

tu_log "eight 7 MB manifests pushed"
config=$(oci_blob_file config '{"architecture":"amd64","os":"linux"}')
layer=$(oci_blob_file layer 'layer bytes')
st_push_blob "$SAT_ADDR" mem/big "$config" >/dev/null
st_push_blob "$SAT_ADDR" mem/big "$layer" >/dev/null
padding=$(head -c $((7 * 1000 * 1000)) /dev/zero | tr '\0' 'a')
for i in 1 2 3 4 5 6 7 8; do
  oci_image_manifest "$OCI_WORK/big$i.json" "$OCI_MANIFEST" \
    "$(oci_descriptor application/vnd.oci.image.config.v1+json "$config")" \
    "[$(oci_descriptor application/vnd.oci.image.layer.v1.tar "$layer")]" \
    "{\"annotations\":{\"n\":\"$i\"}}"
  # The padding goes in with sed, not jq: a 7 MB argument is past ARG_MAX.
  printf '%s' "$padding" >"$OCI_WORK/padding"
  python3 - "$OCI_WORK/big$i.json" "$OCI_WORK/padding" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["annotations"]["padding"] = open(sys.argv[2]).read()
json.dump(doc, open(sys.argv[1], "w"))
PY
  oci_put_manifest mem/big "t$i" "$OCI_WORK/big$i.json" "$OCI_MANIFEST"
  oci_expect 201 "push 7 MB manifest $i"
done
tu_log "peak after the pushes $(($(peak_kb) / 1024)) MB"

tu_log "24 slow clients pull them at once"
pids=()
for c in $(seq 1 24); do
  i=$(((c - 1) % 8 + 1))
  curl -s -o "$TU_DIR/pull.$c" -D "$TU_DIR/pull.$c.headers" -w '%{http_code}' --limit-rate 4M \
    "http://$SAT_ADDR/v2/mem/big/manifests/t$i" >"$TU_DIR/pull.$c.status" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
ok=0 shed=0
for c in $(seq 1 24); do
  i=$(((c - 1) % 8 + 1))
  case "$(cat "$TU_DIR/pull.$c.status")" in
    200)
      cmp -s "$TU_DIR/pull.$c" "$OCI_WORK/big$i.json" || tu_fail "pull $c: bytes differ from t$i"
      ok=$((ok + 1))
      ;;
    429)
      grep -qi '^Retry-After:' "$TU_DIR/pull.$c.headers" || tu_fail "pull $c: 429 without Retry-After"
      shed=$((shed + 1))
      ;;
    *) tu_fail "pull $c: status $(cat "$TU_DIR/pull.$c.status")" ;;
  esac
done
peak=$(($(peak_kb) / 1024))
tu_log "$ok pulls answered, $shed shed with 429; peak resident memory $peak MB"
((ok >= 4)) || tu_fail "only $ok of 24 pulls were answered" # 32 MiB holds four at once
((peak <= 80)) || tu_fail "peak resident memory $peak MB"
tu_assert_eq 200 "$(tu_status GET "http://$SAT_ADDR/v2/mem/big/manifests/t1")" "a pull afterwards"
echo ok
