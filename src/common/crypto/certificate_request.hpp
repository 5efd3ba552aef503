// CertificateRequest: a PKCS#10 certificate signing request (OpenSSL X509_REQ). The device
// makes one from its KeyPair with a subject CN and sends the PEM at enrollment; the CA
// reads it back, checks its self-signature (proof the sender holds the private key) and
// takes only the public key from it: whatever subject or extensions a request asks for,
// the CA decides the certificate's own.
// Move-only owner of the request. Thread-safety: immutable once made; const calls from any
// thread.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/key_pair.hpp"
#include "common/crypto/openssl_handles.hpp"
#include "common/result.hpp"

namespace common::crypto {

class CertificateRequest {
 public:
  // Largest PEM from_pem reads: requests come from unauthenticated peers.
  static constexpr std::size_t kMaxPemBytes = 16 * 1024;
  // Longest subject CN (RFC 5280 ub-common-name), in bytes.
  static constexpr std::size_t kMaxCommonName = 64;

  // A request for `key`'s public key with subject CN=`common_name`, signed by `key`
  // (signing_digest). kInvalidArgument for an empty CN, one over 64 bytes or one holding NUL;
  // kInternal when OpenSSL fails.
  [[nodiscard]] static Result<CertificateRequest> create(const KeyPair& key,
                                                         std::string_view common_name);
  // The request in `pem` ("BEGIN CERTIFICATE REQUEST"). kInvalidArgument when it is not
  // one or exceeds kMaxPemBytes. Does not check the signature: see signature_valid().
  [[nodiscard]] static Result<CertificateRequest> from_pem(std::string_view pem);

  // The request as PEM. kInternal only when out of memory.
  [[nodiscard]] Result<std::string> pem() const;
  // The subject's CN as UTF-8; empty when there is none.
  std::string common_name() const;
  // True when the request is signed by the private half of the public key it carries.
  bool signature_valid() const noexcept;
  // The public key the request carries, borrowed; null when it has none that OpenSSL reads.
  EVP_PKEY* public_key() const noexcept;

  // The request, borrowed, for OpenSSL calls.
  X509_REQ* native() const noexcept { return request_.get(); }

 private:
  explicit CertificateRequest(X509ReqPtr request) : request_(std::move(request)) {}
  X509ReqPtr request_;
};

// The digest to sign with `key`: SHA-256, or none for Ed25519/Ed448 (which hash by
// themselves).
const EVP_MD* signing_digest(EVP_PKEY* key) noexcept;

// The UTF-8 text of the first CN in `name`; empty when there is none. (Shared by the CSR,
// the CA and certificate checks, as PeerIdentity reads it.)
std::string common_name_of(const X509_NAME* name);

}  // namespace common::crypto
