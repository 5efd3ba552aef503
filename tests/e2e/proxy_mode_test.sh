#!/usr/bin/env bash
# Proxy mode (use case 3): a satellite started with --proxy serves an image that no state
# names by fetching it from the upstream on demand (verified, stored, then served), only
# for the repositories it may proxy; two clients pulling the same image at once make the
# upstream send each blob once; a tag it fetched follows the upstream when moved there (a
# tag the desired state pins does not); once fetched, the image keeps being served with the
# upstream gone. Over the disk quota, the least recently pulled proxied image is evicted,
# while an image the state names is never.
source "$(dirname "$0")/../testutil/lib.sh"


tu_start_docker_registry upstream
UP=$REG_ADDR
UP_PID=$REG_PID
wanted=$(tu_gen_image "$TU_DIR/wanted" v1 --layers 1 --layer-size 1M --seed 21)
first=$(tu_gen_image "$TU_DIR/first" v1 --layers 2 --layer-size 1M --seed 22)
second=$(tu_gen_image "$TU_DIR/second" v1 --layers 2 --layer-size 1M --seed 23)
secret=$(tu_gen_image "$TU_DIR/secret" v1 --layers 1 --layer-size 64K --seed 24)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/wanted:v1" "docker://$UP/library/wanted:v1"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/first:v1" "docker://$UP/library/first:v1"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/second:v1" "docker://$UP/library/second:v1"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/secret:v1" "docker://$UP/private/secret:v1"

printf '{"artifacts":[{"repository":"library/wanted","tag":["v1"],"digest":"%s"}]}' "$wanted" \
  >"$TU_DIR/state.json"
# The quota holds the wanted image and one proxied image (each ~0.35 MiB compressed per
# layer), not two.
TU_SAT_COMMAND=run tu_start_satellite sat "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --proxy --proxy-repository library/ --proxy-disk-quota 1200K \
  --gc-grace 0s --resync-interval 1s --proxy-tag-ttl 0s
SAT=$SAT_ADDR
tu_wait_for_output 30 "$wanted" tu_raw_digest "$SAT/library/wanted:v1" ||
  tu_fail "the satellite did not hold the wanted image"

# Two clients at once pull an image no state names.
skopeo copy -q --src-tls-verify=false "docker://$SAT/library/first:v1" "oci:$TU_DIR/pull-a:x" &
a=$!
skopeo copy -q --src-tls-verify=false "docker://$SAT/library/first:v1" "oci:$TU_DIR/pull-b:x" &
b=$!
wait "$a" || tu_fail "the first client's pull through the proxy"
wait "$b" || tu_fail "the second client's pull through the proxy"
tu_assert_eq "$first" "$(skopeo inspect --format '{{.Digest}}' "oci:$TU_DIR/pull-a:x")" \
  "digest pulled through the proxy"
for layer in $(tu_layout_layers "$TU_DIR/first"); do
  tu_assert_eq 1 "$(tu_satellite_blob_gets "$TU_DIR/upstream.log" "$layer")" "upstream GETs of $layer for two concurrent pulls"
done
tu_log "an image no state names was fetched on demand, each blob once for two clients"

# Not a repository the proxy may fetch: unknown, and nothing asked of the upstream.
if skopeo inspect --raw --tls-verify=false "docker://$SAT/private/secret:v1" >/dev/null 2>&1; then
  tu_fail "the proxy fetched private/secret, which --proxy-repository does not allow"
fi
tu_assert_eq 0 "$(grep -c 'private/secret.*harbor-satellite' "$TU_DIR/upstream.log" || true)" \
  "the satellite's upstream requests for private/secret"

# The tag moves upstream: the next pull follows it (--proxy-tag-ttl 0s: checked on every
# pull). Negative control: the wanted tag, moved upstream too, stays where the state pins it.
moved=$(tu_gen_image "$TU_DIR/moved" v1 --layers 1 --layer-size 64K --seed 25)
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/moved:v1" "docker://$UP/library/first:v1"
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/moved:v1" "docker://$UP/library/wanted:v1"
tu_assert_eq "$moved" "$(tu_raw_digest "$SAT/library/first:v1")" "the proxied tag after it moved upstream"
tu_assert_eq "$wanted" "$(tu_raw_digest "$SAT/library/wanted:v1")" "the desired tag after it moved upstream"
tu_log "a proxied tag followed the upstream; the tag the state pins did not"

# Upstream gone: what was fetched is served, the tag where it was last seen.
kill "$UP_PID"
wait "$UP_PID" 2>/dev/null || true
tu_assert_eq "$moved" "$(tu_raw_digest "$SAT/library/first:v1")" "proxied tag with the upstream down"
tu_assert_eq "$first" "$(tu_raw_digest "$SAT/library/first@$first")" "proxied image with the upstream down"
tu_log "the proxied images are served with the upstream down"

# Upstream back; a second proxied image passes the quota: the first (least recently used)
# is evicted, the wanted image stays.
tu_start_docker_registry upstream2
UP=$REG_ADDR
skopeo copy -q --dest-tls-verify=false "oci:$TU_DIR/second:v1" "docker://$UP/library/second:v1"
kill "$SAT_PID"
wait "$SAT_PID" 2>/dev/null || true
TU_SAT_COMMAND=run tu_start_satellite sat2 "$TU_DIR/sat" --state-file "$TU_DIR/state.json" \
  --upstream "http://$UP" --proxy --proxy-repository library/ --proxy-disk-quota 1200K \
  --gc-grace 0s --resync-interval 1s --proxy-tag-ttl 0s --listen "$SAT"
tu_assert_eq "$second" "$(tu_raw_digest "$SAT/library/second:v1")" "second proxied image"
evicted() { ! skopeo inspect --raw --tls-verify=false "docker://$SAT/library/first@$first" >/dev/null 2>&1; }
tu_wait_for 20 evicted || tu_fail "the least recently used proxied image was not evicted"
tu_assert_eq "$wanted" "$(tu_raw_digest "$SAT/library/wanted:v1")" "the wanted image after eviction"
tu_log "over the quota the least recently used proxied image went; the wanted image stayed"
echo ok
