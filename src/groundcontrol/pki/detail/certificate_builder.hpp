// build_certificate(): the one place an X.509 v3 certificate is assembled and signed, for
// the CA's own certificate, satellites' client certificates and server certificates. The
// caller decides every field through CertificateSpec; nothing is copied from a CSR. Serial
// numbers are 16 random bytes with the top bit set: positive, always 32 hex digits, 127
// random bits (CA/Browser Forum asks for at least 64). SANs are built as GENERAL_NAMEs,
// never through OpenSSL's config-string parser, so no name can smuggle in another.
// Thread-safety: a pure function over borrowed keys and certificates.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/crypto/openssl_handles.hpp"
#include "common/result.hpp"

namespace groundcontrol::pki::detail {

struct CertificateSpec {
  std::string common_name;            // subject CN; empty: an empty subject
  std::vector<std::string> uri_sans;  // e.g. the SPIFFE ID
  std::vector<std::string> dns_sans;  // host names, as given
  std::vector<std::string> ip_sans;   // IPv4 or IPv6 text
  bool ca = false;                    // basicConstraints critical, CA:TRUE,pathlen:0 or CA:FALSE
  std::string key_usage;              // OpenSSL's keyUsage value, e.g. "critical,digitalSignature"
  std::string extended_key_usage;     // e.g. "clientAuth"; empty: no extendedKeyUsage
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// A certificate for `subject_key` as `spec` says, issued and signed by `issuer_cert` with
// `issuer_key`, or self-signed with `issuer_key` (which must then be `subject_key`) when
// `issuer_cert` is null. Adds subjectKeyIdentifier, and authorityKeyIdentifier when the
// issuer has a key id. kInvalidArgument for an IP address that does not parse; kInternal
// when OpenSSL fails.
[[nodiscard]] common::Result<common::crypto::X509Ptr> build_certificate(const CertificateSpec& spec,
                                                                        EVP_PKEY* subject_key,
                                                                        X509* issuer_cert,
                                                                        EVP_PKEY* issuer_key);

}  // namespace groundcontrol::pki::detail
