// Reading and writing X.509 certificates for the CA and the bundle: PEM in and out, and the
// fields reported the way common::http::PeerIdentity reports them, so a certificate issued
// here and the identity the server extracts from it compare equal as strings.
// Thread-safety: pure functions over borrowed certificates.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/crypto/openssl_handles.hpp"
#include "common/result.hpp"

namespace groundcontrol::pki::detail {

// Largest certificate PEM read (one certificate, or a bundle).
inline constexpr std::size_t kMaxCertPemBytes = 1024 * 1024;

// The first certificate in `pem`; kInvalidArgument when there is none or it is malformed.
[[nodiscard]] common::Result<common::crypto::X509Ptr> parse_certificate(std::string_view pem);
// `cert` as PEM; kInternal only when out of memory.
[[nodiscard]] common::Result<std::string> certificate_pem(X509* cert);
// The serial number as lowercase hex without leading zeros (BN_bn2hex, lowercased:
// what `openssl x509 -serial` and PeerIdentity::serial_hex print).
std::string serial_hex(const X509* cert);
// SHA-256 of the DER encoding, lowercase hex (PeerIdentity::sha256_fingerprint).
std::string fingerprint_sha256(X509* cert);
// The subject name in RFC 2253 form ("CN=example ground control CA"); empty when OpenSSL
// cannot print it.
std::string subject_text(const X509* cert);
// An ASN1_TIME as a time point (seconds); the epoch when it cannot be read.
std::chrono::system_clock::time_point time_of(const ASN1_TIME* time);
// True when `cert` says it is a CA: basicConstraints CA:TRUE and, when keyUsage is present,
// keyCertSign.
bool is_ca(X509* cert);

}  // namespace groundcontrol::pki::detail
