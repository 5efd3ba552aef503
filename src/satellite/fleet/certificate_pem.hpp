// Reading the certificates ground control hands the satellite (its client certificate, its
// registry's serving certificate): the PEM parsed, validity and SANs read back, and when to
// renew. Plain functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/openssl_handles.hpp"
#include "common/result.hpp"

namespace satellite::fleet {

struct CertificateValidity {
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// The first certificate in `pem`; kInvalidArgument "not a PEM certificate".
[[nodiscard]] common::Result<common::crypto::X509Ptr> parse_certificate_pem(std::string_view pem);
// Its notBefore and notAfter.
[[nodiscard]] CertificateValidity validity_of(const X509* cert);
// Its DNS and IP subjectAltNames (addresses as text, "10.0.0.5", "fd00::5"), in its order.
[[nodiscard]] std::vector<std::string> subject_alt_names(const X509* cert);

// True once two thirds of the certificate's lifetime have passed: time to renew.
[[nodiscard]] bool needs_renewal(const CertificateValidity& validity,
                                 std::chrono::system_clock::time_point now);

}  // namespace satellite::fleet
