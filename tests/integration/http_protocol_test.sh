#!/usr/bin/env bash
# HTTP/1.1 framing and protocol errors as a hostile client sends them: request smuggling,
# malformed and truncated bodies, unknown methods. The cases are in http_protocol.py (raw
# sockets are simpler in Python); this wrapper lets ctest find them like every other test.
set -euo pipefail
: "${SATELLITE:?SATELLITE must point at the satellite binary}"
exec python3 "$(dirname "$0")/http_protocol.py"
