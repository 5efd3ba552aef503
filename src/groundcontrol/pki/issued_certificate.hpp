// What the CA is asked for and what it hands back: plain values, safe to copy between
// threads.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace groundcontrol::pki {

// The certificate a satellite gets at enrollment. Ground control decides every field; the
// CSR contributes only its public key.
struct ClientCertRequest {
  std::string name;       // subject CN: 1-64 bytes, no NUL (the satellite's name)
  std::string spiffe_id;  // the one URI SAN, "spiffe://<trust domain>/<path>" (spiffe_id.hpp)
  std::chrono::seconds validity{std::chrono::hours(24 * 30)};  // from now; > 0
};

// A TLS server certificate for a key its holder made (a satellite's local registry). Ground
// control decides every field; the CSR contributes only its public key.
struct ServerCertRequest {
  std::string common_name;             // subject CN, one of the names (the first a config lists);
                                       // dropped when over 64 bytes: the SANs say it
  std::vector<std::string> dns_names;  // SANs, as given (RFC 1123 host names)
  std::vector<std::string> ip_addresses;  // SANs, IPv4 or IPv6 text; at least one name in all
  std::chrono::seconds validity{std::chrono::hours(24 * 30)};  // from now; > 0
};

struct IssuedCertificate {
  std::string cert_pem;            // the certificate alone, PEM
  std::string serial_hex;          // lowercase hex, as PeerIdentity::serial_hex reports it
  std::string fingerprint_sha256;  // SHA-256 of the DER, lowercase hex, as PeerIdentity has it
  std::chrono::system_clock::time_point not_before;  // now - 5 minutes (edge clocks drift)
  std::chrono::system_clock::time_point not_after;   // now + validity, capped at the CA's end
};

// A TLS server's certificate and the key made for it (ground control's own listener, a
// satellite's local registry). The key is unencrypted PKCS#8 PEM: write it owner-only.
struct ServerCertificate {
  IssuedCertificate certificate;
  // The certificate followed by the CA's: what the listener's cert file holds, so that a
  // client pinning the CA by fingerprint (--ca-fingerprint sha256:…) before it has the CA
  // file sees the CA in the handshake.
  std::string chain_pem;
  std::string key_pem;
};

}  // namespace groundcontrol::pki
