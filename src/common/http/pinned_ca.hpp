// Trust in ground control by a pinned fingerprint (`--ca-fingerprint sha256:…` of the
// satellite and of gcctl), for a client that has no copy of ground control's CA
// certificate: one TLS handshake without verification, only to read the certificate chain
// the server presents, and the CA certificate in that chain whose SHA-256 (of its DER
// bytes) is the pin becomes the trust anchor. Nothing is sent over that connection. No pin,
// no CA file: no trust (never trust on first use). Pure function over one connection.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::http {

// Normalises "sha256:AB:cd…" or "sha256:abcd…" to 64 lowercase hex digits;
// kInvalidArgument otherwise.
[[nodiscard]] Result<std::string> parse_fingerprint(std::string_view text);

// The PEM of the CA certificate that `url`'s server (https://HOST:PORT) presents and whose
// fingerprint is `fingerprint` (as parse_fingerprint gives it). kPermissionDenied when no
// certificate in the chain matches (the message lists what was presented), kUnavailable
// when the handshake fails.
[[nodiscard]] Result<std::string> fetch_pinned_ca(std::string_view url,
                                                  std::string_view fingerprint);

}  // namespace common::http
