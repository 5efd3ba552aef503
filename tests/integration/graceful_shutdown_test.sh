#!/usr/bin/env bash
# SIGTERM stops accepting, lets a download in flight finish with the right bytes, closes idle
# keep-alive connections, and exits 0; the data is served again after a restart.
source "$(dirname "$0")/../testutil/lib.sh"

tu_start_satellite sat "$TU_DIR/data"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$TU_DIR/blob"
digest=$(tu_sha256 "$TU_DIR/blob")
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$TU_DIR/blob" \
  "http://$SAT_ADDR/v2/drain/app/blobs/uploads/?digest=$digest")
tu_assert_eq 201 "$status" "push blob"

tu_log "a slow download is in flight when SIGTERM arrives"
curl -s --limit-rate 1M -o "$TU_DIR/downloaded" "http://$SAT_ADDR/v2/drain/app/blobs/$digest" &
download=$!
host=${SAT_ADDR%:*}
port=${SAT_ADDR##*:}
exec 3<>"/dev/tcp/$host/$port" # an idle keep-alive connection
sleep 1
kill -TERM "$SAT_PID"
sleep 0.5
if curl -s --max-time 2 -o /dev/null "http://$SAT_ADDR/v2/"; then tu_fail "new connection accepted while draining"; fi
if ! timeout 5 cat <&3 >/dev/null; then tu_fail "idle connection not closed on SIGTERM"; fi
exec 3>&-
wait "$download" || tu_fail "in-flight download failed"
tu_assert_eq "$digest" "$(tu_sha256 "$TU_DIR/downloaded")" "bytes of the drained download"
wait "$SAT_PID" || tu_fail "satellite exited non-zero after SIGTERM"

tu_log "restart on the same data dir serves the blob"
tu_start_satellite again "$TU_DIR/data"
tu_assert_eq 200 "$(tu_status HEAD "http://$SAT_ADDR/v2/drain/app/blobs/$digest")" "blob after restart"
echo ok
