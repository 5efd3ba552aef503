#!/usr/bin/env bash
# Connection limits as a client sees them: a connection cap answered with 503, idle and
# slow (slowloris) clients disconnected after the idle timeout, and the server still
# serving everyone else.
source "$(dirname "$0")/../testutil/lib.sh"

tu_start_satellite sat "$TU_DIR/data" --max-connections 3 --idle-timeout 2s --threads 1
host=${SAT_ADDR%:*}
port=${SAT_ADDR##*:}

tu_log "connections over the cap get 503 and are closed"
exec 3<>"/dev/tcp/$host/$port" 4<>"/dev/tcp/$host/$port" 5<>"/dev/tcp/$host/$port"
sleep 0.3
tu_assert_eq 503 "$(tu_status GET "http://$SAT_ADDR/v2/")" "fourth connection"
exec 3>&- 4>&- 5>&-
sleep 0.3
tu_assert_eq 200 "$(tu_status GET "http://$SAT_ADDR/v2/")" "after the others closed"

tu_log "a client that sends half a header is cut off after the idle timeout"
exec 6<>"/dev/tcp/$host/$port"
printf 'GET /v2/ HTTP/1.1\r\nHost: x\r\n' >&6
started=$SECONDS
# read returns (EOF) when the server closes the connection; bound the wait.
if ! timeout 10 bash -c 'cat <&6 >/dev/null' 6<&6; then tu_fail "slow client was not disconnected"; fi
elapsed=$((SECONDS - started))
((elapsed <= 6)) || tu_fail "slow client held for ${elapsed}s with a 2s idle timeout"
exec 6>&-

tu_log "an idle keep-alive connection is closed too, and others keep working"
exec 7<>"/dev/tcp/$host/$port"
printf 'GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n' >&7
if ! timeout 10 bash -c 'cat <&7 >"$0"' "$TU_DIR/keepalive.out" 7<&7; then tu_fail "idle connection not closed"; fi
grep -q '200 OK' "$TU_DIR/keepalive.out" || tu_fail "no response before the idle close"
exec 7>&-
tu_assert_eq 200 "$(tu_status GET "http://$SAT_ADDR/healthz")" "healthz after the slow clients"
echo ok
