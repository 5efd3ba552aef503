// CertificateAuthority: ground control's built-in CA. It signs the mTLS client certificate
// each satellite gets at enrollment (subject CN = the satellite's name, one URI SAN = its
// SPIFFE ID, extendedKeyUsage clientAuth), the server certificates of its TLS listeners
// and those of satellites' local registries (for their CSRs' keys; serverAuth only).
// Its key is ECDSA P-256; its certificate is self-signed (basicConstraints critical
// CA:TRUE,pathlen:0; keyUsage critical keyCertSign,cRLSign; subjectKeyIdentifier).
// The CA decides every field of what it signs: from a CSR it takes only the public key,
// after checking the CSR's self-signature and the key's type (EC P-256/P-384, RSA 2048-8192).
// Every certificate's notBefore is 5 minutes before now, for edge devices whose clocks run
// behind; notAfter never passes the CA's own. Time comes from the injected Clock.
// Persistence is the caller's: cert_pem() is public, key_pem() is sealed (SecretBox) before
// it is stored, and load() takes both back.
// Move-only; owns its key and certificate, borrows the Clock (which must outlive it).
// Thread-safety: immutable once made; const calls from any number of threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto/key_pair.hpp"
#include "common/crypto/openssl_handles.hpp"
#include "common/result.hpp"
#include "groundcontrol/pki/issued_certificate.hpp"

namespace groundcontrol::pki {
namespace detail {
struct CertificateSpec;
}

// How far before now every certificate's notBefore is put.
inline constexpr std::chrono::minutes kClockSkewAllowance{5};

class CertificateAuthority {
 public:
  // Longest validity create() accepts.
  static constexpr std::chrono::hours kMaxValidity{24 * 365 * 100};

  // A new CA named `common_name` (1-64 bytes, no NUL), valid from now (less the skew
  // allowance) for `validity`. kInvalidArgument for a bad name or a validity <= 0 or over
  // kMaxValidity; kInternal when OpenSSL fails.
  [[nodiscard]] static common::Result<CertificateAuthority> create(std::string_view common_name,
                                                                   std::chrono::seconds validity,
                                                                   const common::Clock& clock);

  // The CA stored as `cert_pem` and `key_pem` (unencrypted PEM). kInvalidArgument when either
  // does not parse, the certificate is not a CA (basicConstraints CA:TRUE, keyCertSign) or
  // the key is not the certificate's. An expired CA loads: check not_after().
  [[nodiscard]] static common::Result<CertificateAuthority> load(std::string_view cert_pem,
                                                                 std::string_view key_pem,
                                                                 const common::Clock& clock);

  // The CA certificate, PEM: what clients and servers put in their trust bundle.
  const std::string& cert_pem() const noexcept { return cert_pem_; }
  // The CA's private key, unencrypted PKCS#8 PEM: seal it before storing it. kInternal only
  // when out of memory.
  [[nodiscard]] common::Result<std::string> key_pem() const;
  // SHA-256 of the CA certificate's DER, lowercase hex (PeerIdentity's form; a
  // "--ca-fingerprint sha256:<hex>" pin compares against it).
  const std::string& fingerprint_sha256() const noexcept { return fingerprint_; }
  // The CA's subject, RFC 2253 ("CN=example ground control CA").
  const std::string& subject() const noexcept { return subject_; }
  std::chrono::system_clock::time_point not_before() const noexcept { return not_before_; }
  std::chrono::system_clock::time_point not_after() const noexcept { return not_after_; }

  // A client certificate for the key in `csr_pem`, with the fields `request` names and
  // nothing from the CSR but its key. kInvalidArgument when the CSR does not parse, its
  // signature does not verify, its key is of a refused type or size, or `request` has a bad
  // name, SPIFFE ID or validity <= 0; kUnavailable when the CA has expired; kInternal when
  // OpenSSL fails.
  [[nodiscard]] common::Result<IssuedCertificate> sign_client_certificate(
      std::string_view csr_pem, const ClientCertRequest& request) const;

  // Whether sign_client_certificate would take the CSR's key: kInvalidArgument (as there)
  // when the CSR does not parse, its signature does not verify or its key is refused. For
  // requests stored before anyone signs them.
  [[nodiscard]] static common::Status check_client_csr(std::string_view csr_pem);

  // A server certificate for the key in `csr_pem` with the SANs `request` names and nothing
  // from the CSR but its key: CN as asked, extendedKeyUsage serverAuth only (so it
  // never passes as a client identity). kInvalidArgument as sign_client_certificate, and for
  // no names or a malformed host name or IP address; kUnavailable when the CA has expired;
  // kInternal when OpenSSL fails.
  [[nodiscard]] common::Result<IssuedCertificate> sign_server_certificate(
      std::string_view csr_pem, const ServerCertRequest& request) const;

  // A server certificate (alone, and as a chain with the CA's) and a fresh P-256 key for
  // it: SANs `dns_names` and `ip_addresses` (at least one name in all), CN the first of
  // them, extendedKeyUsage serverAuth. kInvalidArgument for no names, a malformed host
  // name or IP address, or validity <= 0; kUnavailable when the CA has expired; kInternal
  // when OpenSSL fails.
  [[nodiscard]] common::Result<ServerCertificate> issue_server_certificate(
      const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
      std::chrono::seconds validity) const;

 private:
  CertificateAuthority(common::crypto::X509Ptr cert, common::crypto::KeyPair key,
                       std::string cert_pem, const common::Clock& clock);
  // notBefore and notAfter for a certificate issued now for `validity`; kInvalidArgument
  // for validity <= 0, kUnavailable when the CA has expired.
  [[nodiscard]] common::Result<
      std::pair<std::chrono::system_clock::time_point, std::chrono::system_clock::time_point>>
  validity_window(std::chrono::seconds validity) const;
  // The fields of a server certificate `request` asks for, issued now with `key_usage`.
  // kInvalidArgument for no names or a malformed host name; errors as validity_window.
  [[nodiscard]] common::Result<detail::CertificateSpec> server_spec(
      const ServerCertRequest& request, std::string key_usage) const;

  common::crypto::X509Ptr cert_;
  common::crypto::KeyPair key_;
  std::string cert_pem_;
  std::string fingerprint_;
  std::string subject_;
  std::chrono::system_clock::time_point not_before_;
  std::chrono::system_clock::time_point not_after_;
  const common::Clock* clock_;
};

}  // namespace groundcontrol::pki
