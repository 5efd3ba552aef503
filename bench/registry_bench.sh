#!/usr/bin/env bash
# Side-by-side loopback benchmark: our satellite registry vs Debian's docker-registry (distribution
# 2.8) vs nginx serving the same bytes as static files. Same data, same URLs, same wrk settings.
# Method and reference figures: /work/shared/reference/performance.md.
#
# Usage: bench/registry_bench.sh [--out FILE]
# Env:   SATELLITE=path     our binary (default build/release/src/satellite/satellite); skipped if absent
#        DURATION=10        seconds per wrk run
#        NGINX_WORKERS=auto nginx worker_processes (auto = one per core = 2 here)
#        KEEP_WORK=1        keep the temp dir (data, logs, raw wrk output) for inspection
#
# Units: MB = MiB (1024*1024 bytes), as wrk prints Transfer/sec and as /proc reports kB.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SATELLITE="${SATELLITE:-$ROOT/build/release/src/satellite/satellite}"
DURATION="${DURATION:-10}"
NGINX_WORKERS="${NGINX_WORKERS:-auto}"
KEEP_WORK="${KEEP_WORK:-0}"
OUT_FILE=""

REPO="bench/app"
TAG="v1"
MANIFEST_MT="application/vnd.oci.image.manifest.v1+json"
CONFIG_MT="application/vnd.oci.image.config.v1+json"
LAYER_MT="application/vnd.oci.image.layer.v1.tar"
BLOB_BYTES=$((10 * 1024 * 1024))
SERVERS=(ours docker nginx)

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
  printf 'bench: ERROR: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($# > 0)); do
  case "$1" in
    --out)
      (($# >= 2)) || die "--out needs a file argument"
      OUT_FILE="$2"
      shift 2
      ;;
    --out=*)
      OUT_FILE="${1#--out=}"
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive integer (seconds), got '$DURATION'"
for tool in curl wrk nginx docker-registry sha256sum awk head; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; run $ROOT/scripts/bootstrap"
done

# ---------------------------------------------------------------------------------------------
# Work dir and cleanup: everything we start is recorded in PIDS and stopped on any exit.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/registry-bench.XXXXXX")"
declare -A PID=()
PIDS=()   # long-lived servers
WRK_PID="" # the wrk run in progress, if any (cleared once reaped so a reused pid is never hit)

stop_pid() {
  local pid="$1" i kids
  kill -0 "$pid" 2>/dev/null || return 0
  # Children first list (nginx workers) so a KILLed master cannot leave orphans behind.
  kids="$(pgrep -P "$pid" 2>/dev/null || true)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do # bounded: 5 s grace
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  local k
  for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  if [[ -n "$WRK_PID" ]]; then stop_pid "$WRK_PID"; fi
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  if [[ "$KEEP_WORK" == 1 ]]; then
    log "kept work dir $WORK"
  else
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Helpers.

# A free loopback port: bind port 0 and let the kernel choose (small race, fine for a bench).
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' && return 0
  fi
  # Fallback: probe random high ports with bash /dev/tcp; a refused connect means free.
  local p i
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

# curl that never goes through a proxy and never hangs forever.
hc() { curl -sS --noproxy '*' --connect-timeout 5 --max-time 60 "$@"; }

# Waits (bounded, 10 s) until http://127.0.0.1:PORT answers anything at all; checks the process lives.
wait_http() {
  local name="$1" port="$2" pid="$3" i code
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up; see logs in $WORK (rerun with KEEP_WORK=1)"
    code="$(hc -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null || true)"
    [[ "$code" != "" && "$code" != 000 ]] && return 0
    sleep 0.1
  done
  die "$name did not answer on 127.0.0.1:$port within 10 s"
}

sha256_hex() { sha256sum "$1" | awk '{print $1}'; }

# Prints "VmRSS_kB RssAnon_kB" for PID with bash builtins only (no fork: used while sampling).
mem_kb() {
  local pid="$1" k v _ rss=0 anon=0
  while read -r k v _; do
    case "$k" in
      VmRSS:) rss="$v" ;;
      RssAnon:) anon="$v" ;;
    esac
  done <"/proc/$pid/status"
  echo "$rss $anon"
}

kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

is_num() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

# ---------------------------------------------------------------------------------------------
# Data: a 10 MiB random layer, a small config blob, and an OCI manifest referencing both.
DATA="$WORK/data"
mkdir -p "$DATA"
head -c "$BLOB_BYTES" /dev/urandom >"$DATA/layer"
LAYER_HEX="$(sha256_hex "$DATA/layer")"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$LAYER_HEX" >"$DATA/config"
CONFIG_HEX="$(sha256_hex "$DATA/config")"
CONFIG_SIZE="$(stat -c %s "$DATA/config")"
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"%s","digest":"sha256:%s","size":%s}]}' \
  "$MANIFEST_MT" "$CONFIG_MT" "$CONFIG_HEX" "$CONFIG_SIZE" "$LAYER_MT" "$LAYER_HEX" "$BLOB_BYTES" >"$DATA/manifest"
MANIFEST_HEX="$(sha256_hex "$DATA/manifest")"
MANIFEST_PATH="/v2/$REPO/manifests/$TAG"
BLOB_PATH="/v2/$REPO/blobs/sha256:$LAYER_HEX"
log "data: layer sha256:$LAYER_HEX ($BLOB_BYTES B), manifest sha256:$MANIFEST_HEX"

# ---------------------------------------------------------------------------------------------
# Servers.
declare -A PORT=()
declare -A PRESENT=([ours]=0 [docker]=1 [nginx]=1)

# a. ours: binds port 0 itself and reports "listening on 127.0.0.1:PORT" on stdout.
if [[ -x "$SATELLITE" ]]; then
  PRESENT[ours]=1
  mkdir -p "$WORK/ours-data"
  "$SATELLITE" serve --data-dir "$WORK/ours-data" --listen 127.0.0.1:0 \
    >"$WORK/ours.stdout" 2>"$WORK/ours.stderr" &
  PID[ours]=$!
  PIDS+=("${PID[ours]}")
  for ((i = 0; i < 100; i++)); do # bounded: 10 s
    line="$(grep -m1 -oE 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/ours.stdout" 2>/dev/null || true)"
    if [[ -n "$line" ]]; then
      PORT[ours]="${line##*:}"
      break
    fi
    if ! kill -0 "${PID[ours]}" 2>/dev/null; then
      die "ours ($SATELLITE) exited during start-up: $(tail -n 5 "$WORK/ours.stderr" 2>/dev/null | tr '\n' ' ')"
    fi
    sleep 0.1
  done
  [[ -n "${PORT[ours]:-}" ]] || die "ours did not print 'listening on 127.0.0.1:PORT' on stdout within 10 s"
  wait_http ours "${PORT[ours]}" "${PID[ours]}"
  log "ours: pid ${PID[ours]} on 127.0.0.1:${PORT[ours]}"
else
  log "ours: SKIPPED — binary not found at $SATELLITE (build it, or set SATELLITE=path); 'ours' columns will be empty"
fi

# b. docker-registry: no auth, no access log, in-memory blob-descriptor cache as in Debian's
#    packaged config (the fair, default-like setup), no periodic storage health checks.
PORT[docker]="$(free_port)"
mkdir -p "$WORK/docker-data"
cat >"$WORK/docker-config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $WORK/docker-data
  delete:
    enabled: false
http:
  addr: 127.0.0.1:${PORT[docker]}
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
EOF
docker-registry serve "$WORK/docker-config.yml" >"$WORK/docker.log" 2>&1 &
PID[docker]=$!
PIDS+=("${PID[docker]}")
wait_http docker-registry "${PORT[docker]}" "${PID[docker]}"
log "docker-registry: pid ${PID[docker]} on 127.0.0.1:${PORT[docker]}"

# c. nginx: static files at the same URL paths. worker_processes auto = one worker per core (2 on
#    these machines), i.e. what a stock nginx does; it shares those cores with wrk, as ours does.
#    No open_file_cache, so each request does open/stat/sendfile (as in the reference figures).
PORT[nginx]="$(free_port)"
NGX="$WORK/nginx"
mkdir -p "$NGX/root/v2/$REPO/manifests" "$NGX/root/v2/$REPO/blobs" "$NGX/tmp" "$NGX/logs"
cp "$DATA/manifest" "$NGX/root$MANIFEST_PATH"
cp "$DATA/layer" "$NGX/root$BLOB_PATH"
cp "$DATA/config" "$NGX/root/v2/$REPO/blobs/sha256:$CONFIG_HEX"
# When started as root nginx workers run as 'nobody': let them traverse the (0700) temp dir.
chmod 0755 "$WORK" "$DATA"
chmod -R a+rX "$NGX/root"
cat >"$NGX/nginx.conf" <<EOF
daemon off;
worker_processes $NGINX_WORKERS;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log error;
events {
  worker_connections 1024;
}
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  server_tokens off;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  server {
    listen 127.0.0.1:${PORT[nginx]};
    root $NGX/root;
    location = /v2/ {
      default_type application/json;
      return 200 '{}';
    }
    # Empty types{} so default_type decides: file names carry no extension.
    location /v2/$REPO/manifests/ {
      types { }
      default_type $MANIFEST_MT;
    }
    location /v2/$REPO/blobs/ {
      types { }
      default_type application/octet-stream;
    }
  }
}
EOF
nginx -t -q -p "$NGX" -e "$NGX/logs/error.log" -c "$NGX/nginx.conf" 2>"$NGX/logs/configtest.log" ||
  die "nginx config test failed: $(cat "$NGX/logs/configtest.log")"
nginx -p "$NGX" -e "$NGX/logs/error.log" -c "$NGX/nginx.conf" >"$NGX/logs/stdout.log" 2>&1 &
PID[nginx]=$!
PIDS+=("${PID[nginx]}")
wait_http nginx "${PORT[nginx]}" "${PID[nginx]}"
log "nginx: pid ${PID[nginx]} on 127.0.0.1:${PORT[nginx]} (worker_processes $NGINX_WORKERS)"

# ---------------------------------------------------------------------------------------------
# Push through the OCI API: POST an upload session, PUT the bytes with ?digest=, PUT the manifest.
push_blob() {
  local name="$1" base="$2" file="$3" hex="$4" code loc url
  code="$(hc -o "$WORK/push.body" -D "$WORK/push.hdr" -w '%{http_code}' -X POST \
    -H 'Content-Length: 0' "$base/v2/$REPO/blobs/uploads/")" || die "$name: upload POST failed"
  [[ "$code" == 202 ]] || die "$name: POST /v2/$REPO/blobs/uploads/ returned $code: $(head -c 300 "$WORK/push.body")"
  loc="$(awk 'tolower($1) == "location:" { print $2 }' "$WORK/push.hdr" | tr -d '\r' | tail -n 1)"
  [[ -n "$loc" ]] || die "$name: upload POST returned no Location header"
  if [[ "$loc" == /* ]]; then loc="$base$loc"; fi # a relative Location is allowed by the spec
  if [[ "$loc" == *\?* ]]; then url="$loc&digest=sha256:$hex"; else url="$loc?digest=sha256:$hex"; fi
  # -T streams the file; an empty Expect avoids a 100-continue round trip some servers mishandle.
  code="$(hc -o "$WORK/push.body" -w '%{http_code}' -X PUT -T "$file" -H 'Expect:' \
    -H 'Content-Type: application/octet-stream' "$url")" || die "$name: blob PUT failed"
  [[ "$code" == 201 ]] || die "$name: blob PUT sha256:$hex returned $code: $(head -c 300 "$WORK/push.body")"
}

push_manifest() {
  local name="$1" base="$2" code
  code="$(hc -o "$WORK/push.body" -w '%{http_code}' -X PUT -H "Content-Type: $MANIFEST_MT" \
    --data-binary "@$DATA/manifest" "$base$MANIFEST_PATH")" || die "$name: manifest PUT failed"
  [[ "$code" == 201 ]] || die "$name: manifest PUT returned $code: $(head -c 300 "$WORK/push.body")"
}

for s in ours docker; do
  [[ "${PRESENT[$s]}" == 1 ]] || continue
  base="http://127.0.0.1:${PORT[$s]}"
  push_blob "$s" "$base" "$DATA/config" "$CONFIG_HEX"
  push_blob "$s" "$base" "$DATA/layer" "$LAYER_HEX"
  push_manifest "$s" "$base"
  log "$s: pushed config, layer and manifest"
done

# ---------------------------------------------------------------------------------------------
# Verify before timing: a fast 403/404 would otherwise look like a great rate.
verify_get() {
  local name="$1" url="$2" want="$3" accept="$4" code got ctype
  code="$(hc -o "$WORK/verify.body" -D "$WORK/verify.hdr" -w '%{http_code}' -H "Accept: $accept" "$url")" ||
    die "$name: GET $url failed"
  [[ "$code" == 2?? ]] || die "$name: GET $url returned HTTP $code (expected 2xx): $(head -c 300 "$WORK/verify.body")"
  got="$(sha256_hex "$WORK/verify.body")"
  [[ "$got" == "$want" ]] || die "$name: GET $url body sha256:$got, expected sha256:$want"
  ctype="$(awk 'tolower($1) == "content-type:" { print $2 }' "$WORK/verify.hdr" | tr -d '\r' | tail -n 1)"
  log "$name: verified $url ($code, $ctype)"
}

for s in "${SERVERS[@]}"; do
  [[ "${PRESENT[$s]}" == 1 ]] || continue
  base="http://127.0.0.1:${PORT[$s]}"
  verify_get "$s" "$base$MANIFEST_PATH" "$MANIFEST_HEX" "$MANIFEST_MT"
  verify_get "$s" "$base$BLOB_PATH" "$LAYER_HEX" '*/*'
done

# ---------------------------------------------------------------------------------------------
# Idle memory: data stored, verified once, then left alone for a moment.
declare -A R=() # results: R[server,metric]
sleep 2
for s in ours docker; do
  [[ "${PRESENT[$s]}" == 1 ]] || continue
  read -r rss anon < <(mem_kb "${PID[$s]}")
  R[$s,idle_rss]="$(kb_to_mb "$rss")"
  R[$s,idle_anon]="$(kb_to_mb "$anon")"
  R[$s,load_rss_kb]=0
  R[$s,load_anon_kb]=0
done

# ---------------------------------------------------------------------------------------------
# wrk runs. While wrk runs against ours/docker-registry we sample its memory (peak = "loaded").
NOTES=()

# Keeps the peak VmRSS / RssAnon (kB) seen under load for SERVER.
note_peak() {
  local s="$1" rss="$2" anon="$3" cur
  cur="${R[$s,load_rss_kb]}"
  if ((rss > cur)); then R[$s,load_rss_kb]="$rss"; fi
  cur="${R[$s,load_anon_kb]}"
  if ((anon > cur)); then R[$s,load_anon_kb]="$anon"; fi
}

# to_mbps "1.72GB" -> MiB/s. wrk prints binary units (1024) with suffix B/KB/MB/GB/TB.
to_mbps() {
  awk -v t="$1" 'BEGIN {
    if (!match(t, /^[0-9.]+/)) { print "?"; exit }
    n = substr(t, 1, RLENGTH); u = toupper(substr(t, RLENGTH + 1))
    f["B"] = 1 / 1048576; f[""] = f["B"]; f["KB"] = 1 / 1024; f["K"] = f["KB"]
    f["MB"] = 1; f["M"] = 1; f["GB"] = 1024; f["G"] = 1024; f["TB"] = 1048576; f["T"] = f["TB"]
    if (!(u in f)) { print "?"; exit }
    printf "%.1f", n * f[u]
  }'
}

run_wrk() {
  local s="$1" kind="$2" conns="$3" path="$4" out="$WORK/wrk-$1-$2.txt" wpid rc=0 i rss anon
  local -a hdr=()
  if [[ "$kind" == manifest ]]; then hdr=(-H "Accept: $MANIFEST_MT"); fi
  log "wrk $kind -> $s (-t2 -c$conns -d${DURATION}s)"
  wrk -t2 -c"$conns" -d"${DURATION}s" --timeout 10s "${hdr[@]}" "http://127.0.0.1:${PORT[$s]}$path" >"$out" 2>&1 &
  wpid=$!
  WRK_PID="$wpid"
  for ((i = 0; i < (DURATION + 30) * 5; i++)); do # bounded: duration + 30 s, 5 samples/s
    kill -0 "$wpid" 2>/dev/null || break
    if [[ "$s" != nginx ]] && kill -0 "${PID[$s]}" 2>/dev/null; then
      read -r rss anon < <(mem_kb "${PID[$s]}")
      note_peak "$s" "$rss" "$anon"
    fi
    sleep 0.2
  done
  if kill -0 "$wpid" 2>/dev/null; then
    stop_pid "$wpid"
    NOTES+=("$s $kind: wrk did not finish in time; result invalid")
    R[$s,$kind,valid]=0
  fi
  wait "$wpid" 2>/dev/null || rc=$?
  WRK_PID=""
  if ! kill -0 "${PID[$s]}" 2>/dev/null; then die "$s (pid ${PID[$s]}) died during the $kind run"; fi

  local rps tps sock
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
  tps="$(awk '/^Transfer\/sec:/ { print $2 }' "$out")"
  R[$s,$kind,rps]="${rps:-?}"
  R[$s,$kind,mbps]="$(to_mbps "${tps:-?}")"
  : "${R[$s,$kind,valid]:=1}"
  if ((rc != 0)) || [[ -z "$rps" ]]; then
    R[$s,$kind,valid]=0
    NOTES+=("$s $kind: wrk failed (exit $rc): $(tail -n 2 "$out" | tr '\n' ' ')")
  fi
  if grep -q 'Non-2xx or 3xx responses' "$out"; then
    R[$s,$kind,valid]=0
    NOTES+=("$s $kind: INVALID — $(grep 'Non-2xx or 3xx responses' "$out" | sed 's/^ *//')")
  fi
  sock="$(grep -m1 'Socket errors' "$out" | sed 's/^ *//' || true)"
  if [[ -n "$sock" ]]; then NOTES+=("$s $kind: $sock"); fi
  log "  $s $kind: ${rps:-?} req/s, ${tps:-?}/s"
}

for s in "${SERVERS[@]}"; do
  if [[ "${PRESENT[$s]}" == 1 ]]; then run_wrk "$s" manifest 50 "$MANIFEST_PATH"; fi
done
for s in "${SERVERS[@]}"; do
  if [[ "${PRESENT[$s]}" == 1 ]]; then run_wrk "$s" blob 8 "$BLOB_PATH"; fi
done

# End of load: memory right after the last run, next to the peak sampled during the runs.
for s in ours docker; do
  [[ "${PRESENT[$s]}" == 1 ]] || continue
  read -r rss anon < <(mem_kb "${PID[$s]}")
  R[$s,end_rss]="$(kb_to_mb "$rss")"
  note_peak "$s" "$rss" "$anon"
  R[$s,load_rss]="$(kb_to_mb "${R[$s,load_rss_kb]}")"
  R[$s,load_anon]="$(kb_to_mb "${R[$s,load_anon_kb]}")"
done

# ---------------------------------------------------------------------------------------------
# Report.

# cell SERVER KEY [DECIMALS]: the value, "—" if not measured, "*" suffix if the run was invalid.
val() { if [[ "${PRESENT[$1]}" == 1 ]]; then echo "${R[$1,$2]:-—}"; else echo "—"; fi; }
cell() {
  local v valid="" kind="${2%%,*}"
  v="$(val "$1" "$2")"
  if [[ "$2" == *,* ]]; then valid="${R[$1,$kind,valid]:-1}"; fi
  if is_num "$v"; then v="$(awk -v x="$v" -v d="${3:-1}" 'BEGIN { printf "%.*f", d, x }')"; fi
  if [[ "$valid" == 0 ]]; then v="$v (invalid)"; fi
  echo "$v"
}
ratio() {
  local a b
  a="$(val "$1" "$3")"
  b="$(val "$2" "$3")"
  if is_num "$a" && is_num "$b" && [[ "${R[$1,${3%%,*},valid]:-1}" != 0 && "${R[$2,${3%%,*},valid]:-1}" != 0 ]]; then
    awk -v a="$a" -v b="$b" 'BEGIN { if (b == 0) print "—"; else printf "%.2f×", a / b }'
  else
    echo "—"
  fi
}
row() { # label key decimals [nginx_has_it]
  local label="$1" key="$2" d="$3" ng="${4:-1}" nginx_cell="—" on="—"
  if [[ "$ng" == 1 ]]; then
    nginx_cell="$(cell nginx "$key" "$d")"
    on="$(ratio ours nginx "$key")"
  fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$(cell ours "$key" "$d")" "$(cell docker "$key" "$d")" \
    "$nginx_cell" "$(ratio ours docker "$key")" "$on"
}

# check LABEL OK?: PASS/FAIL line for a target, or "not measured" when ours is absent.
check() {
  local label="$1" expr="$2" res
  if [[ "${PRESENT[ours]}" != 1 ]]; then
    res="not measured (ours absent)"
  elif awk "BEGIN { exit !($expr) }" 2>/dev/null; then
    res="PASS"
  else
    res="FAIL"
  fi
  printf -- '- %s: %s\n' "$label" "$res"
}
num() { local v; v="$(val "$1" "$2")"; if is_num "$v" && [[ "${R[$1,${2%%,*},valid]:-1}" != 0 ]]; then echo "$v"; else echo -1; fi; }

report() {
  echo "## Registry benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, wrk -t2, ${DURATION}s per run)"
  echo
  echo "| metric | ours | docker-registry | nginx | ours/docker-registry | ours/nginx |"
  echo "|---|---:|---:|---:|---:|---:|"
  row "manifest GET/s (-c50)" manifest,rps 0
  row "blob MB/s (10 MiB, -c8)" blob,mbps 0
  row "idle VmRSS MB" idle_rss 1 0
  row "idle RssAnon MB" idle_anon 1 0
  row "loaded VmRSS MB (peak)" load_rss 1 0
  row "loaded RssAnon MB (peak)" load_anon 1 0
  row "VmRSS MB after load" end_rss 1 0
  echo
  echo "MB = MiB. Loaded = peak of 5 samples/s during all wrk runs plus one right after. nginx: worker_processes $NGINX_WORKERS, sendfile, no open_file_cache."
  [[ "${PRESENT[ours]}" == 1 ]] || echo "ours: not run (no binary at $SATELLITE)."
  local n
  for n in "${NOTES[@]}"; do echo "- note: $n"; done
  echo
  echo "Targets (ours):"
  local om od on ob nb ir ia lr
  om="$(num ours manifest,rps)"
  od="$(num docker manifest,rps)"
  on="$(num nginx manifest,rps)"
  ob="$(num ours blob,mbps)"
  nb="$(num nginx blob,mbps)"
  ir="$(num ours idle_rss)"
  ia="$(num ours idle_anon)"
  lr="$(num ours load_rss)"
  check "manifest GETs/s ≥ 20× docker-registry" "$om >= 0 && $od > 0 && $om >= 20 * $od"
  check "manifest GETs/s ≥ 1× nginx" "$om >= 0 && $on > 0 && $om >= $on"
  check "blob MB/s ≥ 90% of nginx" "$ob >= 0 && $nb > 0 && $ob >= 0.9 * $nb"
  check "idle VmRSS ≤ 10 MB and RssAnon ≤ 3 MB" "$ir >= 0 && $ia >= 0 && $ir <= 10 && $ia <= 3"
  check "loaded VmRSS ≤ 20 MB" "$lr >= 0 && $lr <= 20"
}

report >"$WORK/report.md"
cat "$WORK/report.md"
if [[ -n "$OUT_FILE" ]]; then
  cp "$WORK/report.md" "$OUT_FILE"
  log "wrote $OUT_FILE"
fi
