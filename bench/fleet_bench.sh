#!/usr/bin/env bash
# Fleet benchmark (issue 11): bench/fleet_sim (fleet-sim) against a real `ground-control serve`
# on SQLite, and against nginx answering the same conditional GET for a static file over the
# same mTLS (ssl_verify_client on, ground control's CA) to the same simulator code path.
# Prints a markdown table: ours, nginx, ours/nginx, target, PASS/FAIL.
#
# Steps: start ground control (data in /dev/shm); create group $GROUP selecting label
# bench=fleet with the sample Harbor state; register $REGISTER Satellite resources through the
# management API and enroll the first $SATELLITES (keys and CSRs made by the simulator);
# time GET /api/v1/fleet/summary; 304 polls (ours, nginx); heartbeats; a group change seen by
# $LONGPOLL long-polling satellites; memory of ground control with $HOLD connections held.
#
# Usage: bench/fleet_bench.sh
# Env:   GROUND_CONTROL=path  FLEET_SIM=path   (default build/release/…)
#        REGISTER=100000      Satellite resources in the database
#        SATELLITES=10000     enrolled (keys and certificates made); >= LONGPOLL, HOLD
#        POLL_CONNS=200       connections (one satellite each) of the poll and heartbeat runs
#        LONGPOLL=1000        satellites long-polling when the group changes
#        HOLD=10000           connections held for the memory reading
#        DURATION=10          seconds per poll / heartbeat run
#        HOLD_SECONDS=5       seconds the HOLD connections stay open
#        PIN=1                taskset: servers on CPU 0, the simulator on CPU 1 (0: unpinned)
#        SERVER_THREADS=      ground control's --threads (default: 1 pinned, 2 unpinned)
#        SIM_THREADS=         the simulator's threads (default: 1 pinned, 2 unpinned)
#        DATA_DIR=            keep ground control's data and the satellites' keys there and
#                             reuse them on the next run (default: a fresh dir in /dev/shm)
#        SMOKE=1              tiny sizes, 0.5 s runs, no targets: the ctest bench_smoke run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GROUND_CONTROL="${GROUND_CONTROL:-$ROOT/build/release/src/groundcontrol/ground-control}"
FLEET_SIM="${FLEET_SIM:-$ROOT/build/release/bench/fleet-sim}"
SMOKE="${SMOKE:-0}"
if [[ "$SMOKE" == 1 ]]; then
  : "${REGISTER:=40}" "${SATELLITES:=20}" "${POLL_CONNS:=20}" "${LONGPOLL:=20}" "${HOLD:=20}"
  : "${DURATION:=0.5}" "${HOLD_SECONDS:=1}" "${PIN:=0}"
fi
REGISTER="${REGISTER:-100000}"
SATELLITES="${SATELLITES:-10000}"
POLL_CONNS="${POLL_CONNS:-200}"
LONGPOLL="${LONGPOLL:-1000}"
HOLD="${HOLD:-10000}"
DURATION="${DURATION:-10}"
HOLD_SECONDS="${HOLD_SECONDS:-5}"
PIN="${PIN:-1}"
if [[ "$PIN" == 1 ]]; then default_threads=1; else default_threads=2; fi
SERVER_THREADS="${SERVER_THREADS:-$default_threads}"
SIM_THREADS="${SIM_THREADS:-$default_threads}"
GROUP=bench
SAMPLE="$ROOT/tests/data/harbor-state-sample.json"

BENCH_NAME=fleet-bench
# shellcheck source=bench/fleet_common.sh
source "$ROOT/bench/fleet_common.sh"
[[ -x "$GROUND_CONTROL" ]] || die "no ground-control at $GROUND_CONTROL (ninja -C build/release ground-control)"
[[ -x "$FLEET_SIM" ]] || die "no fleet-sim at $FLEET_SIM (ninja -C build/release fleet-sim)"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
for tool in curl awk taskset "$NGINX"; do command -v "$tool" >/dev/null || die "'$tool' not found"; done
((SATELLITES >= LONGPOLL && SATELLITES >= HOLD && SATELLITES >= POLL_CONNS)) ||
  die "SATELLITES ($SATELLITES) must be >= LONGPOLL, HOLD and POLL_CONNS"
((HOLD + 100 < $(ulimit -n))) || ulimit -n "$((HOLD + 1000))" 2>/dev/null ||
  die "HOLD=$HOLD needs more file descriptors than ulimit -n ($(ulimit -n))"

WORK="$(mktemp -d /dev/shm/fleet-bench.XXXXXX)"
DATA="${DATA_DIR:-$WORK/data}"
mkdir -p "$DATA/groundcontrol" "$DATA/satellites"
PIDS=()
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  rm -rf -- "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# "${ONCPU0[@]}" CMD…: CMD on CPU 0 when PIN=1 (taskset execs it: $! stays its pid).
if [[ "$PIN" == 1 ]]; then ONCPU0=(taskset -c 0) ONCPU1=(taskset -c 1); else ONCPU0=() ONCPU1=(); fi

# ---- ground control: prints its addresses, the admin password (first start) and the CA.
# Each simulated satellite polls in a closed loop, far above a real one's rate: the limits
# are raised (not switched off, so their cost per request is in the figures).
GC_OUT="$WORK/gc.out"
"${ONCPU0[@]}" "$GROUND_CONTROL" serve --data-dir "$DATA/groundcontrol" --management-listen 127.0.0.1:0 \
  --satellite-listen 127.0.0.1:0 --threads "$SERVER_THREADS" \
  --satellite-rate-limit 1000000 --user-rate-limit 1000000 >"$GC_OUT" 2>"$WORK/gc.err" &
GC_PID=$!
PIDS+=("$GC_PID")
wait_printed "$GC_OUT" "$GC_PID" "$WORK/gc.err" '^satellite listening on ' '^ca certificate '
MGMT="$(awk '/^management listening on / { print $4 }' "$GC_OUT")"
SAT="$(awk '/^satellite listening on / { print $4 }' "$GC_OUT")"
[[ -n "$MGMT" && -n "$SAT" ]] || die "ground-control did not print its addresses"
CA="$DATA/groundcontrol/tls/ca.crt"
PASSWORD_FILE="$DATA/admin-password"
pw="$(sed -n 's/^admin password (shown once): //p' "$GC_OUT")"
[[ -z "$pw" ]] || printf '%s' "$pw" >"$PASSWORD_FILE"
[[ -s "$PASSWORD_FILE" ]] || die "no admin password printed and none kept in $PASSWORD_FILE"
PASSWORD="$(cat "$PASSWORD_FILE")"
log "ground-control pid $GC_PID: management $MGMT, satellite $SAT (threads $SERVER_THREADS, pin $PIN)"

gc_login "$MGMT" "$PASSWORD"
gc_group "$MGMT" "$GROUP" bench=fleet "$SAMPLE"

SIM_COMMON=(--ca "$CA" --dir "$DATA/satellites" --threads "$SIM_THREADS")
sim() { "${ONCPU1[@]}" "$FLEET_SIM" "$@" "${SIM_COMMON[@]}"; }
declare -A R=()

# ---- register and enroll (skipped when a reused DATA_DIR already holds the fleet).
have="$(gauge "$MGMT" groundcontrol_satellites)"
if ((${have:-0} < REGISTER)); then
  log "registering $REGISTER satellites, enrolling $SATELLITES"
  sim --phase enroll --satellite-api "$SAT" --management "$MGMT" --admin-password "$PASSWORD" \
    --satellites "$SATELLITES" --register "$REGISTER" --api-connections 32 >"$WORK/enroll.out" ||
    die "enroll phase failed"
  R[register_s]="$(result "$WORK/enroll.out" register seconds)"
  R[register_rate]="$(result "$WORK/enroll.out" register rate)"
  R[enroll_s]="$(result "$WORK/enroll.out" enroll seconds)"
  R[enroll_rate]="$(result "$WORK/enroll.out" enroll rate)"
else
  log "reusing the $have satellites in $DATA"
fi
read -r R[idle_rss] R[idle_anon] < <(mem_kb "$GC_PID")

# ---- the fleet summary of the whole database: best and median of 5 timed GETs.
code="$(api -o "$WORK/summary.json" -w '%{http_code}' "https://$MGMT/api/v1/fleet/summary" || true)"
if [[ "$code" == 200 ]]; then
  for ((i = 0; i < 5; i++)); do
    api -o /dev/null -w '%{time_starttransfer} %{time_pretransfer}\n' "https://$MGMT/api/v1/fleet/summary"
  done | awk '{ print ($1 - $2) * 1000 }' | sort -n >"$WORK/summary.ms"
  R[summary_ms]="$(sed -n 3p "$WORK/summary.ms")"
else
  R[summary_ms]="not available"
  log "GET /api/v1/fleet/summary answered $code: not available"
fi

# ---- memory with HOLD connections held, each a parked long-poll: measured first, while
#      the heap holds only what registration left (later phases grow it and keep it).
read -r before_rss before_anon < <(mem_kb "$GC_PID")
"${ONCPU1[@]}" "$FLEET_SIM" --phase hold --satellite-api "$SAT" --management "$MGMT" \
  --satellites "$HOLD" --duration "$HOLD_SECONDS" "${SIM_COMMON[@]}" >"$WORK/hold.out" &
HOLD_PID=$!
for ((i = 0; i < 3000; i++)); do
  grep -q '^HELD ' "$WORK/hold.out" && break
  kill -0 "$HOLD_PID" 2>/dev/null || break
  sleep 0.1
done
grep -q '^HELD ' "$WORK/hold.out" || die "hold phase did not hold its connections"
read -r held_rss held_anon < <(mem_kb "$GC_PID")
read -r sim_rss _ < <(mem_kb "$HOLD_PID")
wait "$HOLD_PID" || die "hold phase failed"
# The simulator exits with every connection open: ground control notices the disconnects and
# ends the long-polls. Wait for that before measuring anything else (it loads the I/O thread).
drain_began="$(date +%s.%N)"
for ((i = 0; i < 1200; i++)); do
  (($(gauge "$MGMT" groundcontrol_long_polls_held) == 0)) && break
  sleep 0.1
done
R[drain_s]="$(awk -v a="$(date +%s.%N)" -v b="$drain_began" 'BEGIN { printf "%.1f", a - b }')"
R[hold_rss]="$held_rss"
R[hold_anon]="$held_anon"
R[per_conn_kb]="$(awk -v a="$held_rss" -v b="$before_rss" -v n="$HOLD" 'BEGIN { printf "%.1f", (a - b) / n }')"
R[sim_per_conn_kb]="$(awk -v a="$sim_rss" -v n="$HOLD" 'BEGIN { printf "%.1f", a / n }')"
kill -0 "$GC_PID" 2>/dev/null || die "ground-control died"

# ---- nginx: the same conditional GET for a static file (one satellite's state document),
#      same mTLS (ssl_verify_client on with ground control's CA), ground control's own server
#      certificate and key. One worker on CPU 0 when pinned, as ground control.
NGX="$WORK/nginx"
mkdir -p "$NGX/root/satellite/v1" "$NGX/tmp" "$NGX/logs"
curl -sS --noproxy '*' --cacert "$CA" --cert "$DATA/satellites/sat-000000.crt" \
  --key "$DATA/satellites/sat-000000.key" -o "$NGX/root/satellite/v1/state" "https://$SAT/satellite/v1/state"
chmod 0755 "$WORK" && chmod -R a+rX "$NGX/root"
NGX_PORT="$(free_port)"
if [[ "$PIN" == 1 ]]; then NGINX_WORKERS=1; else NGINX_WORKERS=auto; fi
cp "$DATA/groundcontrol/tls/server.crt" "$DATA/groundcontrol/tls/server.key" "$NGX/"
cat >"$NGX/nginx.conf" <<EOF
daemon off;
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile 65536;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log error;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_timeout 360;
  keepalive_requests 100000000;
  server_tokens off;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  server {
    listen 127.0.0.1:$NGX_PORT ssl;
    ssl_certificate $NGX/server.crt;
    ssl_certificate_key $NGX/server.key;
    ssl_client_certificate $CA;
    ssl_verify_client on;
    root $NGX/root;
    location / { types { } default_type application/json; etag on; }
  }
}
EOF
"${ONCPU0[@]}" "$NGINX" -p "$NGX" -e "$NGX/logs/error.log" -c "$NGX/nginx.conf" >"$NGX/logs/stdout.log" 2>&1 &
NGX_PID=$!
PIDS+=("$NGX_PID")
for ((i = 0; i < 100; i++)); do
  curl -s --noproxy '*' -o /dev/null --cacert "$CA" --cert "$DATA/satellites/sat-000000.crt" \
    --key "$DATA/satellites/sat-000000.key" "https://127.0.0.1:$NGX_PORT/satellite/v1/state" && break
  kill -0 "$NGX_PID" 2>/dev/null || die "nginx exited: $(cat "$NGX/logs/error.log")"
  sleep 0.1
done
log "nginx pid $NGX_PID on 127.0.0.1:$NGX_PORT (worker_processes $NGINX_WORKERS)"

# ---- 304 polls, ours then nginx, same satellites and connections.
# poll ADDRESS NAME PID...: a poll run, with the CPU the server's PIDs spent per answer.
poll() {
  local address="$1" name="$2" before after ok
  shift 2
  before="$(cpu_s "$@")"
  sim --phase poll --satellite-api "$address" --satellites "$POLL_CONNS" --duration "$DURATION" >"$WORK/poll-$name.out" ||
    die "poll against $name failed"
  after="$(cpu_s "$@")"
  ok="$(result "$WORK/poll-$name.out" poll ok)"
  R[poll_cpu_$name]="$(awk -v a="$after" -v b="$before" -v n="$ok" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')"
  R[poll_simcpu_$name]="$(awk -v c="$(result "$WORK/poll-$name.out" poll sim_cpu_s)" -v n="$ok" 'BEGIN { printf "%.1f", c * 1e6 / n }')"
  R[poll_$name]="$(result "$WORK/poll-$name.out" poll rate)"
  R[poll_p50_$name]="$(result "$WORK/poll-$name.out" poll p50_ms)"
  R[poll_p99_$name]="$(result "$WORK/poll-$name.out" poll p99_ms)"
}
poll "$SAT" ours "$GC_PID"
# shellcheck disable=SC2046 # one pid per nginx worker
poll "127.0.0.1:$NGX_PORT" nginx $(pgrep -P "$NGX_PID")

# ---- heartbeats.
before="$(cpu_s "$GC_PID")"
sim --phase heartbeat --satellite-api "$SAT" --satellites "$POLL_CONNS" --duration "$DURATION" \
  >"$WORK/heartbeat.out" || die "heartbeat phase failed"
R[beat_cpu]="$(awk -v a="$(cpu_s "$GC_PID")" -v b="$before" -v n="$(result "$WORK/heartbeat.out" heartbeat ok)" \
  'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')"
R[beat]="$(result "$WORK/heartbeat.out" heartbeat rate)"
R[beat_p99]="$(result "$WORK/heartbeat.out" heartbeat p99_ms)"

# ---- a group change seen by LONGPOLL long-polling satellites.
sim --phase longpoll --satellite-api "$SAT" --management "$MGMT" --admin-password "$PASSWORD" \
  --satellites "$LONGPOLL" --group "$GROUP" >"$WORK/longpoll.out" || die "longpoll phase failed"
for k in p50_ms p99_ms max_ms; do R[lp_$k]="$(result "$WORK/longpoll.out" longpoll "$k")"; done

# ---- report.
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "—"; else printf "%.2f×", a / b }'; }
verdict() { if [[ "$SMOKE" == 1 ]]; then echo "(smoke)"; elif awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
echo "## Fleet benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "$REGISTER satellites registered, $SATELLITES enrolled; ground control --threads $SERVER_THREADS," \
  "fleet-sim --threads $SIM_THREADS, $( [[ "$PIN" == 1 ]] && echo 'servers on CPU 0, simulator on CPU 1' || echo 'unpinned')."
[[ -z "${R[register_s]:-}" ]] || echo "Registration: ${R[register_s]} s (${R[register_rate]}/s); enrollment: ${R[enroll_s]} s (${R[enroll_rate]}/s)."
echo
echo "| metric | ours | nginx | ours/nginx | target | result |"
echo "|---|---:|---:|---:|---|---|"
echo "| 304 state polls/s ($POLL_CONNS conns, ${DURATION}s) | ${R[poll_ours]} | ${R[poll_nginx]} | $(ratio "${R[poll_ours]}" "${R[poll_nginx]}") | ≥ 20,000/s | $(verdict "${R[poll_ours]} >= 20000") |"
echo "| 304 poll p99 ms | ${R[poll_p99_ours]} | ${R[poll_p99_nginx]} | $(ratio "${R[poll_p99_ours]}" "${R[poll_p99_nginx]}") | < 20 ms | $(verdict "${R[poll_p99_ours]} < 20") |"
echo "| 304 poll p50 ms | ${R[poll_p50_ours]} | ${R[poll_p50_nginx]} | $(ratio "${R[poll_p50_ours]}" "${R[poll_p50_nginx]}") | | |"
echo "| server CPU µs per 304 (incl. connection set-up) | ${R[poll_cpu_ours]} | ${R[poll_cpu_nginx]} | $(ratio "${R[poll_cpu_ours]}" "${R[poll_cpu_nginx]}") | | |"
echo "| simulator CPU µs per 304 | ${R[poll_simcpu_ours]} | ${R[poll_simcpu_nginx]} | | | |"
echo "| heartbeats/s ($POLL_CONNS conns) | ${R[beat]} | — | — | ≥ 10,000/s | $(verdict "${R[beat]} >= 10000") |"
echo "| heartbeat p99 ms | ${R[beat_p99]} | — | — | | |"
echo "| server CPU µs per heartbeat | ${R[beat_cpu]} | — | — | | |"
echo "| group change seen by $LONGPOLL long-polls: p50 / p99 / max ms | ${R[lp_p50_ms]} / ${R[lp_p99_ms]} / ${R[lp_max_ms]} | — | — | p99 < 1,000 ms | $(verdict "${R[lp_p99_ms]} < 1000") |"
if [[ "${R[summary_ms]}" == "not available" ]]; then
  echo "| fleet summary of $REGISTER (median of 5) | not available | — | — | < 100 ms | — |"
else
  echo "| fleet summary of $REGISTER ms (median of 5) | ${R[summary_ms]} | — | — | < 100 ms | $(verdict "${R[summary_ms]} < 100") |"
fi
echo "| ground control VmRSS / RssAnon MB, idle with the fleet | $(mb "${R[idle_rss]}") / $(mb "${R[idle_anon]}") | — | — | | |"
echo "| … with $HOLD connections held (long-polls) | $(mb "${R[hold_rss]}") / $(mb "${R[hold_anon]}") | — | — | measured | ${R[per_conn_kb]} kB/conn |"
echo "| … long-polls ended after the $HOLD clients left, s | ${R[drain_s]} | — | — | | |"
echo "| fleet-sim VmRSS / held connection (Asio ssl::stream client, keys loaded) | ${R[sim_per_conn_kb]} kB | — | — | | |"
