#!/usr/bin/env bash
# Fleet at scale (issue 15): $SATELLITES simulated satellites held by two ground-control
# replicas on one PostgreSQL 15, each satellite on both channels at once — its state long-poll
# parked on a replica and its JetStream pull on nats-server (operator mode, JWTs, TLS) — then a
# desired-state change of one group of $MEMBERS, timed on both channels, twice: once
# undisturbed (target: p99 < 2 s on both channels), once with replica B SIGKILLed
# $KILL_AFTER_MS ms after the change (target: every acknowledgement still in the database, and
# every satellite B held re-homed on A; the latencies are shown). Before that, the
# per-request costs that docs/scale.md extrapolates from: ground control's and PostgreSQL's CPU
# and PostgreSQL transactions per 304 poll and per heartbeat, bytes on the wire of each.
# Prints a markdown table.
#
# Processes: PostgreSQL (throw-away cluster in /dev/shm), nats-server with JetStream, replica A
# (writes nats-server's operator block and TLS certificate), replica B (same database and
# master key), $PROCESSES fleet-sim converge processes (a process may hold 20,000 descriptors;
# each satellite holds two) and one fleet-sim change process.
#
# Usage: bench/fleet_scale_bench.sh
# Env:   GROUND_CONTROL=path  FLEET_SIM=path   (default build/release/…)
#        SATELLITES=10000  enrolled and held (indexes 0..N-1)
#        MEMBERS=1000      the changed group: satellites 0..MEMBERS-1 (label block=0; ≤ 1000)
#        PROCESSES=4       converge processes the satellites are split over
#        ENROLL_CONNS=32   concurrent enrollments
#        POLL_CONNS=200 DURATION=5   the cost runs (304 polls, heartbeats) against replica A
#        KILL_AFTER_MS=200 when replica B dies in the second run
#        CONVERGE_TIMEOUT=120  seconds a run may take after the change
#        KEEP_WORK=1       keep the work directory (logs) and print where it is
#        NATS_GCTRACE=1    nats-server logs each Go garbage collection (GODEBUG=gctrace=1)
#        PG_STATEMENTS=1   PostgreSQL loads pg_stat_statements; the statements each converge
#                          run issued most often go to WORK/NAME/statements.txt
#        PG_FLUSH_WAIT=11  seconds waited before PostgreSQL's commit counters are read
#        PG_SAMPLE=1       the commit counter every 0.5 s of a converge run, in
#                          WORK/NAME/xacts.log ("UNIX_SECONDS COMMITS"; each sample is a session)
#        SMOKE=1           tiny sizes, no targets: the ctest bench_smoke run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_NAME=fleet-scale
# shellcheck source=bench/fleet_common.sh
source "$ROOT/bench/fleet_common.sh"
GROUND_CONTROL="${GROUND_CONTROL:-$ROOT/build/release/src/groundcontrol/ground-control}"
FLEET_SIM="${FLEET_SIM:-$ROOT/build/release/bench/fleet-sim}"
NATS_SERVER="${NATS_SERVER:-/usr/sbin/nats-server}"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
SMOKE="${SMOKE:-0}"
if [[ "$SMOKE" == 1 ]]; then
  : "${SATELLITES:=20}" "${PROCESSES:=2}" "${POLL_CONNS:=10}" "${DURATION:=0.5}" "${CONVERGE_TIMEOUT:=60}"
fi
SATELLITES="${SATELLITES:-10000}"
MEMBERS="${MEMBERS:-$((SATELLITES < 1000 ? SATELLITES : 1000))}"
PROCESSES="${PROCESSES:-4}"
POLL_CONNS="${POLL_CONNS:-200}"
DURATION="${DURATION:-5}"
KILL_AFTER_MS="${KILL_AFTER_MS:-200}"
CONVERGE_TIMEOUT="${CONVERGE_TIMEOUT:-120}"
GROUP=scale
SAMPLE="$ROOT/tests/data/harbor-state-sample.json"

[[ -x "$GROUND_CONTROL" ]] || die "no ground-control at $GROUND_CONTROL (ninja -C build/release ground-control)"
[[ -x "$FLEET_SIM" ]] || die "no fleet-sim at $FLEET_SIM (ninja -C build/release fleet-sim)"
[[ -x "$NATS_SERVER" ]] || die "no nats-server at $NATS_SERVER (Debian package nats-server; scripts/bootstrap)"
for tool in initdb pg_ctl; do
  [[ -x "$PG_BINDIR/$tool" ]] || die "no $PG_BINDIR/$tool (Debian package postgresql; scripts/bootstrap)"
done
for tool in curl awk psql python3; do command -v "$tool" >/dev/null || die "'$tool' not found"; done
((MEMBERS <= 1000 && MEMBERS <= SATELLITES)) || die "MEMBERS ($MEMBERS) must be <= 1000 and <= SATELLITES"
# nats-server holds every satellite's connection, a replica half of them: raise the soft limit.
((SATELLITES + 500 < $(ulimit -n))) || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
((SATELLITES + 500 < $(ulimit -n))) || die "SATELLITES=$SATELLITES needs more descriptors than ulimit -n ($(ulimit -n))"
((SATELLITES * 2 / PROCESSES + 500 < $(ulimit -n))) || die "PROCESSES=$PROCESSES is too few for SATELLITES=$SATELLITES"

WORK="$(mktemp -d /dev/shm/fleet-scale.XXXXXX)"
chmod 0755 "$WORK"
PIDS=()
PG_STARTED=0
as_postgres() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  ((PG_STARTED == 0)) || as_postgres "$PG_BINDIR/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then log "work directory kept: $WORK"; else rm -rf -- "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- PostgreSQL 15: throw-away, durability off (the figures are of our queries, not fsync).
PG_EXTRA=""
[[ "${PG_STATEMENTS:-0}" != 1 ]] || PG_EXTRA=" -c shared_preload_libraries=pg_stat_statements"
mkdir -p "$WORK/pg"
((EUID != 0)) || chown postgres: "$WORK/pg"
as_postgres "$PG_BINDIR/initdb" -D "$WORK/pg/data" -A trust -U postgres -E UTF8 --locale=C \
  --no-sync --no-instructions >"$WORK/pg/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$WORK/pg/initdb.log")"
PG_PORT="$(free_port)"
as_postgres "$PG_BINDIR/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 30 -o \
  "-k $WORK/pg -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200 -c log_connections=on$PG_EXTRA" \
  start >/dev/null || die "PostgreSQL did not start: $(tail -n 5 "$WORK/pg/server.log")"
PG_STARTED=1
PG="postgres://postgres@127.0.0.1:$PG_PORT"
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG/$1" -c "$2"; }
sql postgres 'CREATE DATABASE gc' || die "CREATE DATABASE failed"
log "PostgreSQL on 127.0.0.1:$PG_PORT"

# ---- the replicas: one database, one master key (so one CA and one NATS account), each its
#      own data dir. A writes nats-server's operator block and a server certificate for
#      127.0.0.1 from the shared CA; B is told that CA for its own NATS connection.
NATS_PORT="$(free_port)"
NATS_URL="tls://127.0.0.1:$NATS_PORT"
PASSWORD="scale-$RANDOM$RANDOM"
mkdir -p "$WORK/nats" "$WORK/keys"
replica() {
  local name="$1"
  shift
  "$GROUND_CONTROL" serve --data-dir "$WORK/$name" --db "$PG/gc" --master-key-file "$WORK/master.key" \
    --management-listen 127.0.0.1:0 --satellite-listen 127.0.0.1:0 --admin-password "$PASSWORD" \
    --nats "$NATS_URL" --satellite-rate-limit 1000000 --user-rate-limit 1000000 "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PIDS+=($!)
  wait_printed "$WORK/$name.out" "$!" "$WORK/$name.err" '^management listening on ' '^satellite listening on '
}
replica a --nats-server-names 127.0.0.1 --nats-server-config "$WORK/nats/operator.conf"
A_PID="${PIDS[-1]}"
CA="$WORK/a/tls/ca.crt"
replica b --nats-ca-file "$CA"
B_PID="${PIDS[-1]}"
address() { awk -v k="$2" '$1 == k && $2 == "listening" { print $4 }' "$WORK/$1.out"; }
A_MGMT="$(address a management)" A_SAT="$(address a satellite)"
B_MGMT="$(address b management)" B_SAT="$(address b satellite)"
log "replica A pid $A_PID ($A_MGMT, $A_SAT); replica B pid $B_PID ($B_MGMT, $B_SAT)"

cat >"$WORK/nats/nats.conf" <<EOF
listen: 127.0.0.1:$NATS_PORT
max_connections: $((SATELLITES + 1000))
jetstream { store_dir: "$WORK/nats/jetstream" }
include operator.conf
EOF
nats_env=()
[[ "${NATS_GCTRACE:-0}" != 1 ]] || nats_env=(GODEBUG=gctrace=1)
env "${nats_env[@]}" "$NATS_SERVER" -c "$WORK/nats/nats.conf" >"$WORK/nats/nats.log" 2>&1 &
NATS_PID=$!
PIDS+=("$NATS_PID")
wait_printed "$WORK/nats/nats.log" "$NATS_PID" "$WORK/nats/nats.log" 'Server is ready'
log "nats-server pid $NATS_PID on $NATS_URL"

gc_login "$A_MGMT" "$PASSWORD"
gc_group "$A_MGMT" "$GROUP" block=0 "$SAMPLE"

# ---- enroll the fleet through A (keys made by the simulator, kept in $WORK/keys).
SIM_COMMON=(--ca "$CA" --dir "$WORK/keys")
"$FLEET_SIM" --phase enroll --satellite-api "$A_SAT" --management "$A_MGMT" --admin-password "$PASSWORD" \
  --satellites "$SATELLITES" --api-connections "${ENROLL_CONNS:-32}" --threads 2 "${SIM_COMMON[@]}" >"$WORK/enroll.out" ||
  die "enroll phase failed"
declare -A R=()
R[enroll_s]="$(result "$WORK/enroll.out" enroll seconds)"
R[enroll_rate]="$(result "$WORK/enroll.out" enroll rate)"

# ---- per-request costs against A: ground control's and PostgreSQL's CPU, PostgreSQL's
#      transactions (pg_stat_database; the stats collector flushes within ~0.5 s).
pg_pids() {
  local postmaster
  postmaster="$(head -n 1 "$WORK/pg/data/postmaster.pid")"
  echo "$postmaster" $(pgrep -P "$postmaster")
}
# A PostgreSQL 15 backend that flushed its counters less than a second ago holds the next
# ones until it has been idle 10 s (more under lock contention), so the commits are read
# once that has passed (docs/benchmarks.md, stop 38).
PG_FLUSH_WAIT=${PG_FLUSH_WAIT:-11}
pg_xacts() { pg_counters | cut -d'|' -f1; }
# "TRANSACTIONS|SESSIONS|ROLLBACKS" of the gc database so far: each session opened also commits a
# transaction or two of its own (authentication, catalog reads) with no statement of ours.
pg_counters() {
  sleep "$PG_FLUSH_WAIT"
  sql gc "SELECT xact_commit + xact_rollback, sessions, xact_rollback FROM pg_stat_database WHERE datname = 'gc'"
}
# cost KIND PHASE: R[KIND_*] from one fleet-sim request-loop run.
cost() {
  local kind="$1" phase="$2" gc0 pg0 x0 ok
  gc0="$(cpu_s "$A_PID")"
  # shellcheck disable=SC2046 # one pid per PostgreSQL process
  pg0="$(cpu_s $(pg_pids))"
  x0="$(pg_xacts)"
  "$FLEET_SIM" --phase "$phase" --satellite-api "$A_SAT" --satellites "$POLL_CONNS" --duration "$DURATION" \
    --threads 1 "${SIM_COMMON[@]}" >"$WORK/$kind.out" || die "$phase phase failed"
  ok="$(result "$WORK/$kind.out" "$phase" ok)"
  R[${kind}_rate]="$(result "$WORK/$kind.out" "$phase" rate)"
  R[${kind}_gc_us]="$(awk -v a="$(cpu_s "$A_PID")" -v b="$gc0" -v n="$ok" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')"
  # shellcheck disable=SC2046
  R[${kind}_pg_us]="$(awk -v a="$(cpu_s $(pg_pids))" -v b="$pg0" -v n="$ok" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')"
  R[${kind}_xacts]="$(awk -v a="$(pg_xacts)" -v b="$x0" -v n="$ok" 'BEGIN { printf "%.3f", (a - b) / n }')"
}
cost poll poll
cost beat heartbeat
# Bytes of one 304 poll and one heartbeat: HTTP request and response (curl's counts) on a
# kept-alive connection; TLS adds ~22 bytes per record (AES-GCM).
key0=(--cacert "$CA" --cert "$WORK/keys/sat-000000.crt" --key "$WORK/keys/sat-000000.key")
etag="$(curl -sS --noproxy '*' "${key0[@]}" -D - -o /dev/null "https://$A_SAT/satellite/v1/state" | tr -d '\r' |
  awk 'tolower($1) == "etag:" { print $2 }')"
R[poll_bytes]="$(curl -sS --noproxy '*' "${key0[@]}" -H "If-None-Match: $etag" -o /dev/null \
  -w '%{size_request} %{size_header} %{size_download}' "https://$A_SAT/satellite/v1/state" |
  awk '{ print $1 " / " $2 + $3 }')"
R[beat_bytes]="$(curl -sS --noproxy '*' "${key0[@]}" -H 'Content-Type: application/json' \
  -d '{"version":"0.1.0","uptimeSeconds":86400,"diskUsedBytes":1073741824,"diskFreeBytes":53687091200,"bytesTransferred":123456789,"stateDigest":"'"${etag//\"/}"'","time":"2026-01-01T00:00:00Z"}' -o /dev/null \
  -w '%{size_request} %{size_upload} %{size_header} %{size_download}' "https://$A_SAT/satellite/v1/heartbeat" |
  awk '{ print $1 + $2 " / " $3 + $4 }')"

# "COUNT: P50 / P99 / MAX" of the numbers on stdin, one per line; "none" without any.
percentiles() {
  sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "none"; exit }
    printf "%d: %.0f / %.0f / %.0f", NR, v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.99) + 1], v[NR] }'
}
# With PG_STATEMENTS=1: statement counts from the start of a run (pg_statements_begin DIR) to
# its end (pg_statements_end DIR), in DIR/statements.txt: pg_stat_statements counts each
# statement as it ends, so these need no wait (the commits per member do, pg_xacts).
pg_statements_begin() {
  [[ "${PG_STATEMENTS:-0}" == 1 ]] || return 0
  sql gc 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()' >/dev/null
}
pg_statements_end() {
  [[ "${PG_STATEMENTS:-0}" == 1 ]] || return 0
  sql gc "SELECT calls, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 160)
    FROM pg_stat_statements ORDER BY calls DESC LIMIT 25" >"$1/statements.txt"
}

# ---- a converge run: PROCESSES holders, then the change (optionally killing B).
# converge_run NAME [KILL_PID]
converge_run() {
  local name="$1" kill_pid="${2:-}" k count
  local dir="$WORK/$name" holders=() rc=0 x0 s0 r0 x1 s1 r1 cpu0
  mkdir -p "$dir"
  # Process k holds satellites k, k+PROCESSES, …: each holds its share of the members, so
  # that a failover's reconnects are not all queued on one process's thread.
  for ((k = 0; k < PROCESSES; k++)); do
    count=$(((SATELLITES - k + PROCESSES - 1) / PROCESSES))
    ((count > 0)) || continue
    "$FLEET_SIM" --phase converge --satellite-api "$A_SAT,$B_SAT" --nats "$NATS_URL" --first "$k" \
      --stride "$PROCESSES" --satellites "$count" --members "$MEMBERS" --change-file "$dir/change" --samples "$dir/samples.$k" \
      --duration "$CONVERGE_TIMEOUT" --threads 1 "${SIM_COMMON[@]}" >"$dir/converge.$k.out" 2>"$dir/converge.$k.err" &
    holders+=($!)
  done
  PIDS+=("${holders[@]}")
  local began=$SECONDS
  for ((k = 0; k < ${#holders[@]}; k++)); do
    while ! grep -q '^HELD ' "$dir/converge.$k.out"; do
      kill -0 "${holders[k]}" 2>/dev/null || die "$name: converge process $k exited: $(tail -n 3 "$dir/converge.$k.err")"
      ((SECONDS - began < 900)) || die "$name: converge process $k did not hold its satellites in 900 s"
      sleep 0.5
    done
  done
  R[${name}_hold_s]=$((SECONDS - began))
  R[${name}_held]="$(awk '$1 == "HELD" { n += $2 } END { print n }' "$dir"/converge.*.out)"
  read -r R[${name}_a_rss] _ < <(mem_kb "$A_PID")
  if kill -0 "$B_PID" 2>/dev/null; then read -r R[${name}_b_rss] _ < <(mem_kb "$B_PID"); else R[${name}_b_rss]=0; fi
  read -r R[${name}_nats_rss] _ < <(mem_kb "$NATS_PID")
  log "$name: ${R[${name}_held]} satellites hold both channels (${R[${name}_hold_s]} s); changing group $GROUP"
  IFS='|' read -r x0 s0 r0 < <(pg_counters)
  local sampler=""
  if [[ "${PG_SAMPLE:-0}" == 1 ]]; then
    while :; do
      echo "$(date +%s.%N) $(sql gc "SELECT xact_commit FROM pg_stat_database WHERE datname = 'gc'")"
      sleep 0.5
    done >"$dir/xacts.log" 2>/dev/null &
    sampler=$!
  fi
  pg_statements_begin "$dir"
  cpu0=("$(cpu_s "$A_PID")" "$(cpu_s "$B_PID")" "$(cpu_s "$NATS_PID")")
  local kill_args=()
  [[ -z "$kill_pid" ]] || kill_args=(--kill-pid "$kill_pid" --kill-after-ms "$KILL_AFTER_MS")
  local managers="$A_MGMT"
  ! kill -0 "$B_PID" 2>/dev/null || managers="$A_MGMT,$B_MGMT"
  "$FLEET_SIM" --phase change --satellite-api "$A_SAT" --management "$managers" --admin-password "$PASSWORD" \
    --group "$GROUP" --members "$MEMBERS" --expect-held "${R[${name}_held]}" --change-file "$dir/change" \
    --duration "$CONVERGE_TIMEOUT" "${kill_args[@]}" "${SIM_COMMON[@]}" >"$dir/change.out" 2>"$dir/change.err" || rc=1
  # CPU seconds each server spent from the change until the last holder ended (a killed
  # B: none counted). PostgreSQL's backends and the holders come and go: not summed here.
  local cpu1=("$(cpu_s "$A_PID")" "$(cpu_s "$B_PID")" "$(cpu_s "$NATS_PID")")
  for k in "${!holders[@]}"; do wait "${holders[k]}" || rc=1; done
  pg_statements_end "$dir"
  IFS='|' read -r x1 s1 r1 < <(pg_counters)
  [[ -z "$sampler" ]] || { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; }
  R[${name}_xacts]="$(awk -v a="$x1" -v b="$x0" -v n="$MEMBERS" 'BEGIN { printf "%.1f", (a - b) / n }')"
  R[${name}_sessions]=$((s1 - s0)) R[${name}_rollbacks]=$((r1 - r0))
  R[${name}_cpu]="$(awk -v a0="${cpu0[0]}" -v a1="${cpu1[0]}" -v b0="${cpu0[1]}" -v b1="${cpu1[1]}" \
    -v n0="${cpu0[2]}" -v n1="${cpu1[2]}" 'BEGIN { d = b1 - b0; if (d < 0) d = 0
      printf "A %.1f, B %.1f, nats-server %.1f", a1 - a0, d, n1 - n0 }')"
  R[${name}_done]="$(result "$dir/change.out" change done)"
  R[${name}_missing]="$(result "$dir/change.out" change missing)"
  R[${name}_recorded_ms]="$(result "$dir/change.out" change recorded_ms)"
  R[${name}_failovers]="$(for f in "$dir"/converge.*.out; do result "$f" converge failovers; done | awk '{ n += $1 } END { print n + 0 }')"
  R[${name}_resumed]="$(for f in "$dir"/converge.*.out; do result "$f" converge resumed; done | awk '{ n += $1 } END { print n + 0 }')"
  R[${name}_lost]="$(for f in "$dir"/converge.*.out; do result "$f" converge lost; done | awk '{ n += $1 } END { print n + 0 }')"
  local kind
  for kind in longpoll_seen longpoll_ack nats_command nats_ack; do
    R[${name}_$kind]="$(cat "$dir"/samples.* 2>/dev/null | awk -v k="$kind" '$1 == k { print $2 }' | percentiles)"
  done
  # Per failed-over member: from the lost connection to the next replica's answer (the
  # queue of reconnects, ground control's accept and TLS resumption, the simulator's own CPU).
  R[${name}_rehome]="$(cat "$dir"/samples.* 2>/dev/null | awk '$1 == "failover_lost" { lost[$3] = $2 }
      $1 == "failover_connected" { up[$3] = $2 }
      END { for (s in up) if (s in lost) print up[s] - lost[s] }' | percentiles)"
  ((rc == 0)) || log "$name: FAILED — $(tail -n 2 "$dir/change.err" | tr '\n' ' ')$(cat "$dir"/converge.*.err | grep -m 3 error || true)"
  return "$rc"
}

status=0
converge_run steady || status=1
converge_run kill "$B_PID" || status=1
kill -0 "$B_PID" 2>/dev/null && die "replica B (pid $B_PID) survived its SIGKILL"
wait "$B_PID" 2>/dev/null || true
kill -0 "$A_PID" 2>/dev/null || die "replica A died"

R[pg_bytes]="$(sql gc "SELECT pg_database_size('gc')")"
R[pg_empty]="$(sql gc "SELECT pg_database_size('template1')")"

# ---- report.
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
p99_of() { awk -F' / ' '{ print $2 }' <<<"$1"; }
verdict() { if [[ "$SMOKE" == 1 ]]; then echo "(smoke)"; elif awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
echo "## Fleet at scale ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "$SATELLITES satellites enrolled (${R[enroll_s]} s, ${R[enroll_rate]}/s) and held on both channels by" \
  "$PROCESSES fleet-sim processes; two ground-control replicas on one PostgreSQL 15; nats-server $("$NATS_SERVER" --version | awk '{ print $NF }')" \
  "with JetStream, operator mode, TLS. Group of $MEMBERS changed; times in ms from the PUT (count: p50 / p99 / max)."
echo
echo "| run | held | set-up s | long-poll 200 seen | long-poll ack (heartbeat) | NATS command received | NATS answer stored (JetStream ack) | all answers recorded ms | Done / missing | re-homed / lost their replica (TLS resumed) | PG xacts per member | target | result |"
echo "|---|---:|---:|---|---|---|---|---:|---|---:|---:|---|---|"
# The satellites B held: each process puts its k-th on replica k % 2.
on_b=0
for ((k = 0; k < PROCESSES; k++)); do on_b=$((on_b + (SATELLITES - k + PROCESSES - 1) / PROCESSES / 2)); done
# Issue 15's targets: the change acknowledged with p99 < 2 s on both channels; a replica
# killed mid-run loses no acknowledgement and every satellite it held moves to the other.
# The kill run's latencies are shown, not judged: they time the failover storm on 2 cores.
for run in steady kill; do
  lp99="$(p99_of "${R[${run}_longpoll_ack]#*: }")"
  np99="$(p99_of "${R[${run}_nats_ack]#*: }")"
  if [[ "$run" == steady ]]; then
    label="$run" target="both p99 < 2,000, missing 0"
    ok="${lp99:-1e9} < 2000 && ${np99:-1e9} < 2000 && ${R[${run}_missing]:-1} == 0"
  else
    label="B killed at $KILL_AFTER_MS ms" target="missing 0, all $on_b of B's re-homed"
    ok="${R[${run}_missing]:-1} == 0 && ${R[${run}_lost]:-0} == $on_b && ${R[${run}_failovers]:-0} == $on_b"
  fi
  echo "| $label | ${R[${run}_held]} | ${R[${run}_hold_s]} | ${R[${run}_longpoll_seen]} | ${R[${run}_longpoll_ack]} |" \
    "${R[${run}_nats_command]} | ${R[${run}_nats_ack]} | ${R[${run}_recorded_ms]} | ${R[${run}_done]} / ${R[${run}_missing]} |" \
    "${R[${run}_failovers]} / ${R[${run}_lost]} (${R[${run}_resumed]}) | ${R[${run}_xacts]} | $target |" \
    "$(verdict "$ok")"
done
echo
for run in steady kill; do
  echo "CPU seconds in the $run run, from the change to the end: ${R[${run}_cpu]}; PostgreSQL sessions opened ${R[${run}_sessions]}, transactions rolled back ${R[${run}_rollbacks]}."
done
echo "Members that failed over in the kill run, connection lost → next replica answered, ms (count: p50 / p99 / max): ${R[kill_rehome]}."
echo
echo "| with $SATELLITES held | replica A | replica B | nats-server |"
echo "|---|---:|---:|---:|"
echo "| VmRSS MB | $(mb "${R[steady_a_rss]}") | $(mb "${R[steady_b_rss]}") | $(mb "${R[steady_nats_rss]}") |"
echo
echo "PostgreSQL database after both runs: $(awk -v b="${R[pg_bytes]}" 'BEGIN { printf "%.1f", b / 1048576 }') MB" \
  "($(awk -v b="${R[pg_bytes]}" -v e="${R[pg_empty]}" -v n="$SATELLITES" 'BEGIN { printf "%.1f", (b - e) / n / 1024 }') kB per satellite above an empty database)."

echo
echo "| per request (replica A, PostgreSQL) | rate/s ($POLL_CONNS conns) | ground control CPU µs | PostgreSQL CPU µs | PG transactions | bytes up / down (HTTP) |"
echo "|---|---:|---:|---:|---:|---|"
echo "| 304 state poll | ${R[poll_rate]} | ${R[poll_gc_us]} | ${R[poll_pg_us]} | ${R[poll_xacts]} | ${R[poll_bytes]} |"
echo "| heartbeat | ${R[beat_rate]} | ${R[beat_gc_us]} | ${R[beat_pg_us]} | ${R[beat_xacts]} | ${R[beat_bytes]} |"
exit "$status"
