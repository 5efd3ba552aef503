#!/usr/bin/env bash
# More idle clients than the satellite's file-descriptor limit allows: no accept spin, and
# service resumes once they leave. The case is in fd_exhaustion.py; this wrapper lets ctest
# find it like every other test.
set -euo pipefail
: "${SATELLITE:?SATELLITE must point at the satellite binary}"
exec python3 "$(dirname "$0")/fd_exhaustion.py"
