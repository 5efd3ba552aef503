// PeerIdentity: who the client is, as its TLS certificate says, for a connection whose
// certificate chain the server verified against its client CA bundle (ServerConfig::tls).
// Extracted once per connection, after the handshake; every request on the connection sees
// the same object (Request::peer), which lives as long as the connection.
// Thread-safety: immutable once built.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace common::http {

struct PeerIdentity {
  std::string subject_cn;             // subject commonName; empty when the subject has none
  std::vector<std::string> uri_sans;  // URI subjectAltNames, e.g. a SPIFFE ID
  std::vector<std::string> dns_sans;  // DNS subjectAltNames
  std::string serial_hex;             // serial number, lowercase hex (as openssl x509 -serial)
  std::string sha256_fingerprint;     // SHA-256 of the certificate's DER, lowercase hex
  // SHA-256 (lowercase hex) of the trust anchor in the client CA bundle that the chain ends
  // in: which of several trusted CAs vouches for this client (ground control's own, or an
  // external one such as a SPIRE server's). Empty when no CA of the bundle does any more (a
  // session resumed after its CA left the bundle).
  std::string anchor_sha256;
  std::chrono::system_clock::time_point not_after;

  // The first URI SAN with the spiffe scheme ("spiffe://example.org/satellite/a"); empty
  // when there is none.
  std::string_view spiffe_id() const noexcept {
    for (const auto& uri : uri_sans)
      if (uri.starts_with("spiffe://")) return uri;
    return {};
  }
};

}  // namespace common::http
