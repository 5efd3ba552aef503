#!/usr/bin/env bash
# `satellite mirror-config` makes a real containerd pull the upstream's image from the
# satellite. An upstream docker-registry holds an image; a satellite (`run`, headless)
# replicates it; mirror-config writes containerd's certs.d/<upstream>/hosts.toml and the
# CRI config_path under a private root; the upstream stops. `ctr --hosts-dir` pulls the
# image by its upstream name, and the satellite's access log shows it served the manifest
# and every blob. Negative control: the same pull without the written hosts dir fails. Then
# podman (rootful, private storage) pulls the same name through the registries.conf drop-in
# mirror-config writes for CRI-O and podman, and not without it; that drop-in is written from
# what the satellite recorded in its data dir (`--data-dir`, no --mirror/--upstream).
# --undo restores the config.toml it changed byte for byte and removes what it created.
source "$(dirname "$0")/../testutil/lib.sh"
source "$(dirname "$0")/../testutil/containerd.sh"


tu_start_containerd "$TU_DIR/ctd" || {
  tail -20 "$TU_DIR/ctd.log" >&2 2>/dev/null || true
  tu_fail "containerd cannot run here: $CTR_SKIP_REASON"
}
tu_start_docker_registry upstream
UP=$REG_ADDR
UP_PID=$REG_PID
image=$(tu_gen_image "$TU_DIR/app" v1 --layers 2 --layer-size 256K --seed 61)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/app:v1" "docker://$UP/site/app:v1"
printf '{"artifacts":[{"repository":"site/app","tag":["v1"],"digest":"%s"}]}' "$image" \
  >"$TU_DIR/state.json"
TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --access-log
SAT=$SAT_ADDR
tu_wait_for_output 30 "$image" tu_raw_digest "$SAT/site/app:v1" || tu_fail "the satellite did not replicate site/app"

ROOT=$TU_DIR/root
mkdir -p "$ROOT/etc/containerd"
printf 'version = 2\nroot = "/var/lib/containerd"\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n' \
  >"$ROOT/etc/containerd/config.toml"
cp "$ROOT/etc/containerd/config.toml" "$TU_DIR/config.toml.orig"
"$SATELLITE" mirror-config --runtime containerd --root "$ROOT" --mirror "$SAT" \
  --upstream "http://$UP" >"$TU_DIR/mirror.out"
grep -q "containerd: created .*/certs.d/$UP/hosts.toml" "$TU_DIR/mirror.out" || {
  cat "$TU_DIR/mirror.out" >&2
  tu_fail "mirror-config did not write hosts.toml"
}
grep -q 'config_path = "/etc/containerd/certs.d"' "$ROOT/etc/containerd/config.toml" ||
  tu_fail "mirror-config did not set the CRI plugin's config_path"
"$SATELLITE" mirror-config --runtime containerd --root "$ROOT" --mirror "$SAT" \
  --upstream "http://$UP" | grep -q "unchanged .*hosts.toml" || tu_fail "a second run changed files"

kill "$UP_PID"
wait "$UP_PID" 2>/dev/null || true
# Negative control first: without the written hosts dir the upstream name cannot be pulled.
if tu_ctr images pull --plain-http "$UP/site/app:v1" >"$TU_DIR/pull-direct.log" 2>&1; then
  tu_fail "the upstream is down, yet containerd pulled without the mirror config"
fi
before=$(wc -l <"$TU_DIR/sat.log")
tu_ctr images pull --hosts-dir "$ROOT/etc/containerd/certs.d" "$UP/site/app:v1" \
  >"$TU_DIR/pull.log" 2>&1 || {
  cat "$TU_DIR/pull.log" >&2
  tu_fail "containerd did not pull $UP/site/app:v1 through the satellite"
}
tu_assert_eq "$image" "$(tu_ctr_image_digest "$UP/site/app:v1")" "digest containerd recorded"
served=$(tail -n +"$((before + 1))" "$TU_DIR/sat.log" | grep -c 'GET /v2/site/app/blobs/' || true)
((served >= 3)) || tu_fail "the satellite's log shows $served blob GETs, expected config and 2 layers"
tu_log "containerd pulled $UP/site/app:v1 from the satellite ($served blobs in its log)"

# --- podman (and the file format CRI-O reads) ---------------------------------------------------
# This time without --mirror and --upstream: `--data-dir` takes what the running satellite
# recorded when it took its upstream (the way the privileged one-shot unit runs it).
tu_assert_eq "$SAT http://$UP" "$(jq -r '"\(.mirror) \(.upstream)"' "$TU_DIR/sat/runtime/mirror.json")" \
  "the mirror target the satellite recorded"
"$SATELLITE" mirror-config --runtime podman --root "$ROOT" --data-dir "$TU_DIR/sat" >/dev/null
if "$SATELLITE" mirror-config --runtime podman --root "$ROOT" --data-dir "$TU_DIR/none" \
  2>"$TU_DIR/no-target.err"; then
  tu_fail "mirror-config succeeded with a data dir that holds no recorded target"
fi
grep -q "give --mirror and --upstream" "$TU_DIR/no-target.err" ||
  tu_fail "mirror-config without a recorded target: $(cat "$TU_DIR/no-target.err")"
P=$TU_DIR/podman
mkdir -p "$P/graph" "$P/run" "$P/tmp" "$P/net"
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' "$P" "$P" >"$P/storage.conf"
printf '[engine]\ntmp_dir = "%s/tmp"\nevents_logger = "file"\nevents_logfile_path = "%s/events.log"\n[network]\nnetwork_config_dir = "%s/net"\n' \
  "$P" "$P" "$P" >"$P/containers.conf"
: >"$P/empty-registries.conf"
podman_pull() {  # REGISTRIES_CONF
  CONTAINERS_STORAGE_CONF=$P/storage.conf CONTAINERS_CONF=$P/containers.conf \
    CONTAINERS_REGISTRIES_CONF=$1 timeout 60 podman pull -q "$UP/site/app:v1"
}
if podman_pull "$P/empty-registries.conf" >"$TU_DIR/podman-direct.log" 2>&1; then
  tu_fail "the upstream is down, yet podman pulled without the mirror config"
fi
before=$(wc -l <"$TU_DIR/sat.log")
podman_pull "$ROOT/etc/containers/registries.conf.d/50-satellite.conf" >"$TU_DIR/podman.log" 2>&1 || {
  cat "$TU_DIR/podman.log" >&2
  tu_fail "podman did not pull $UP/site/app:v1 through the satellite"
}
served=$(tail -n +"$((before + 1))" "$TU_DIR/sat.log" | grep -c 'GET /v2/site/app/manifests/' || true)
((served >= 1)) || tu_fail "the satellite's log shows no manifest served to podman"
tu_log "podman pulled $UP/site/app:v1 from the satellite through the registries.conf drop-in"

"$SATELLITE" mirror-config --runtime containerd --root "$ROOT" --mirror "$SAT" \
  --upstream "http://$UP" --undo >/dev/null
cmp -s "$TU_DIR/config.toml.orig" "$ROOT/etc/containerd/config.toml" ||
  tu_fail "--undo did not restore config.toml byte for byte"
[[ ! -e "$ROOT/etc/containerd/certs.d/$UP/hosts.toml" ]] || tu_fail "--undo left hosts.toml"
tu_log "--undo restored config.toml and removed hosts.toml"
echo ok
