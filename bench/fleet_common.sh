# Shell helpers shared by the fleet benchmarks (fleet_bench.sh, fleet_scale_bench.sh); sourced,
# not run. The caller sets BENCH_NAME (the prefix of log lines) and, before gc_login, CA.
# shellcheck shell=bash

log() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
die() {
  printf '%s: ERROR: %s\n' "$BENCH_NAME" "$*" >&2
  exit 1
}

# stop_pid PID: SIGTERM, up to 10 s for it to end, then SIGKILL.
stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# cpu_s PID...: user + system CPU seconds the processes have used.
# A process that ended meanwhile counts nothing.
cpu_s() { local p; for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null || true; done |
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { printf "%.3f", t / hz }'; }
# mem_kb PID: "VmRSS RssAnon" in kB.
mem_kb() { awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } END { print r, a }' "/proc/$1/status"; }

# result FILE PHASE KEY: a value from fleet-sim's "RESULT phase=… key=value" line.
result() { awk -v p="phase=$2" -v k="$3" '$1 == "RESULT" && $2 == p {
  for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"; }

# wait_printed FILE PID ERRLOG PATTERN...: until FILE holds a line matching every PATTERN
# (60 s); when PID exits first, the error names the last lines of ERRLOG.
wait_printed() {
  local file="$1" pid="$2" errlog="$3" i p missing
  shift 3
  for ((i = 0; i < 600; i++)); do
    missing=0
    for p in "$@"; do grep -q "$p" "$file" || missing=1; done
    ((missing == 0)) && return 0
    kill -0 "$pid" 2>/dev/null || die "pid $pid exited before printing '$*': $(tail -n 5 "$errlog")"
    sleep 0.1
  done
  die "pid $pid did not print '$*' within 60 s"
}

# gc_login MGMT PASSWORD: sets TOKEN, the admin's bearer token for api().
gc_login() {
  TOKEN="$(curl -sS --noproxy '*' --cacert "$CA" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$2\"}" "https://$1/api/v1/login" |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
  [[ -n "$TOKEN" ]] || die "admin login failed"
}
api() { curl -sS --noproxy '*' --max-time 120 --cacert "$CA" -H "Authorization: Bearer $TOKEN" "$@"; }

# gc_group MGMT NAME LABEL=VALUE STATE_FILE: creates the group (or finds it) and puts the state.
gc_group() {
  local mgmt="$1" name="$2" key="${3%%=*}" value="${3#*=}" code
  code="$(api -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"metadata\":{\"name\":\"$name\"},\"spec\":{\"selector\":{\"matchLabels\":{\"$key\":\"$value\"}}}}" \
    "https://$mgmt/api/v1/groups")"
  [[ "$code" == 201 || "$code" == 409 ]] || die "creating group $name returned $code"
  code="$(api -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data-binary "@$4" "https://$mgmt/api/v1/groups/$name/state?full=true")"
  [[ "$code" == 200 ]] || die "PUT $4 into group $name returned $code"
}

# gauge MGMT NAME: a /metrics value of ground control, as an integer.
gauge() { curl -sS --noproxy '*' --cacert "$CA" "https://$1/metrics" | awk -v g="$2" '$1 == g { print int($2) }'; }

# free_port: a loopback TCP port free now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
