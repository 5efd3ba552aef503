#include "groundcontrol/pki/certificate_authority.hpp"

#include <cctype>

#include "common/crypto/certificate_request.hpp"
#include "common/crypto/openssl_error.hpp"
#include "groundcontrol/pki/detail/certificate_builder.hpp"
#include "groundcontrol/pki/detail/x509_fields.hpp"
#include "groundcontrol/pki/spiffe_id.hpp"

namespace groundcontrol::pki {
namespace {

using common::ErrorCode;
using common::fail;
using common::crypto::CertificateRequest;
using common::crypto::KeyPair;
using common::crypto::X509Ptr;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::size_t kMaxCommonName = CertificateRequest::kMaxCommonName;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

bool valid_common_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxCommonName &&
         name.find('\0') == std::string_view::npos;
}

// Host names as RFC 1123 labels (1-63 of [A-Za-z0-9-], no '-' at either end), 253 bytes at
// most; the first label may be "*".
bool valid_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  bool first = true;
  while (true) {
    const auto dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    const bool wildcard = first && label == "*" && dot != std::string_view::npos;
    if (!wildcard) {
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
      for (const char c : label)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
    first = false;
  }
}

// The key types a satellite's CSR may carry.
common::Status check_csr_key(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) {
        common::crypto::clear_openssl_errors();
        return fail(ErrorCode::kInvalidArgument, "the CSR's EC key has no named curve");
      }
      const std::string_view name(group, length);
      if (name == "prime256v1" || name == "secp384r1") return {};
      return fail(ErrorCode::kInvalidArgument, "the CSR's EC key must be on P-256 or P-384",
                  std::string(name));
    }
    case EVP_PKEY_RSA: {
      const int bits = EVP_PKEY_get_bits(key);
      if (bits >= kMinRsaBits && bits <= kMaxRsaBits) return {};
      return fail(ErrorCode::kInvalidArgument, "the CSR's RSA key must have 2048-8192 bits",
                  std::to_string(bits));
    }
    default:
      return fail(ErrorCode::kInvalidArgument,
                  "the CSR's key type is refused: EC P-256/P-384 or RSA only",
                  OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
  }
}

// The CSR in `csr_pem` when it parses, carries an accepted key and verifies with it.
common::Result<CertificateRequest> checked_csr(std::string_view csr_pem) {
  auto csr = CertificateRequest::from_pem(csr_pem);
  if (!csr) return fail(csr.error());
  EVP_PKEY* key = csr->public_key();
  if (key == nullptr)
    return fail(ErrorCode::kInvalidArgument, "the CSR carries no public key OpenSSL can read");
  if (auto accepted = check_csr_key(key); !accepted) return fail(accepted.error());
  if (!csr->signature_valid())
    return fail(ErrorCode::kInvalidArgument,
                "the CSR's signature does not verify with the key it carries");
  return csr;
}

common::Result<IssuedCertificate> issued(X509* cert) {
  auto pem = detail::certificate_pem(cert);
  if (!pem) return fail(pem.error());
  return IssuedCertificate{
      std::move(*pem), detail::serial_hex(cert), detail::fingerprint_sha256(cert),
      detail::time_of(X509_get0_notBefore(cert)), detail::time_of(X509_get0_notAfter(cert))};
}

}  // namespace

CertificateAuthority::CertificateAuthority(X509Ptr cert, KeyPair key, std::string cert_pem,
                                           const common::Clock& clock)
    : cert_(std::move(cert)),
      key_(std::move(key)),
      cert_pem_(std::move(cert_pem)),
      fingerprint_(detail::fingerprint_sha256(cert_.get())),
      subject_(detail::subject_text(cert_.get())),
      not_before_(detail::time_of(X509_get0_notBefore(cert_.get()))),
      not_after_(detail::time_of(X509_get0_notAfter(cert_.get()))),
      clock_(&clock) {}

common::Result<CertificateAuthority> CertificateAuthority::create(std::string_view common_name,
                                                                  seconds validity,
                                                                  const common::Clock& clock) {
  if (!valid_common_name(common_name))
    return fail(ErrorCode::kInvalidArgument, "a CA's name is 1-64 bytes without NUL");
  if (validity <= seconds(0) || validity > kMaxValidity)
    return fail(ErrorCode::kInvalidArgument, "a CA's validity is positive and at most 100 years");
  auto key = KeyPair::generate_p256();
  if (!key) return fail(key.error());
  const auto now = clock.now();
  detail::CertificateSpec spec;
  spec.common_name = std::string(common_name);
  spec.ca = true;
  spec.key_usage = "critical,keyCertSign,cRLSign";
  spec.not_before = now - kClockSkewAllowance;
  spec.not_after = now + validity;
  auto cert = detail::build_certificate(spec, key->native(), nullptr, key->native());
  if (!cert) return fail(cert.error());
  auto pem = detail::certificate_pem(cert->get());
  if (!pem) return fail(pem.error());
  return CertificateAuthority(std::move(*cert), std::move(*key), std::move(*pem), clock);
}

common::Result<CertificateAuthority> CertificateAuthority::load(std::string_view cert_pem,
                                                                std::string_view key_pem,
                                                                const common::Clock& clock) {
  auto cert = detail::parse_certificate(cert_pem);
  if (!cert) return fail(cert.error().code(), "CA certificate: " + cert.error().message());
  auto key = KeyPair::from_pem(key_pem);
  if (!key) return fail(key.error().code(), "CA key: " + key.error().message());
  if (!detail::is_ca(cert->get()))
    return fail(ErrorCode::kInvalidArgument,
                "the CA certificate is not a CA (basicConstraints CA:TRUE, keyCertSign)");
  if (X509_check_private_key(cert->get(), key->native()) != 1) {
    common::crypto::clear_openssl_errors();
    return fail(ErrorCode::kInvalidArgument, "the CA key is not the CA certificate's");
  }
  auto pem = detail::certificate_pem(cert->get());  // normalised: the one certificate alone
  if (!pem) return fail(pem.error());
  return CertificateAuthority(std::move(*cert), std::move(*key), std::move(*pem), clock);
}

common::Result<std::string> CertificateAuthority::key_pem() const {
  return key_.private_key_pem();
}

common::Result<std::pair<TimePoint, TimePoint>> CertificateAuthority::validity_window(
    seconds validity) const {
  if (validity <= seconds(0))
    return fail(ErrorCode::kInvalidArgument, "a certificate's validity must be positive");
  const auto now = clock_->now();
  if (now >= not_after_)
    return fail(ErrorCode::kUnavailable, "the CA certificate has expired; rotate the CA");
  // Compared in seconds, so a huge validity cannot overflow the clock's nanoseconds.
  const auto left = std::chrono::duration_cast<seconds>(not_after_ - now);
  const TimePoint end = validity >= left ? not_after_ : now + validity;
  return std::pair{now - kClockSkewAllowance, end};
}

common::Status CertificateAuthority::check_client_csr(std::string_view csr_pem) {
  auto csr = checked_csr(csr_pem);
  if (!csr) return fail(csr.error());
  return {};
}

common::Result<IssuedCertificate> CertificateAuthority::sign_client_certificate(
    std::string_view csr_pem, const ClientCertRequest& request) const {
  if (!valid_common_name(request.name))
    return fail(ErrorCode::kInvalidArgument, "a client certificate's name is 1-64 bytes");
  if (auto valid = validate_spiffe_id(request.spiffe_id); !valid) return fail(valid.error());
  auto window = validity_window(request.validity);
  if (!window) return fail(window.error());
  auto csr = checked_csr(csr_pem);
  if (!csr) return fail(csr.error());
  EVP_PKEY* key = csr->public_key();

  detail::CertificateSpec spec;
  spec.common_name = request.name;
  spec.uri_sans = {request.spiffe_id};
  spec.key_usage = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA
                       ? "critical,digitalSignature,keyEncipherment"
                       : "critical,digitalSignature";
  spec.extended_key_usage = "clientAuth";
  spec.not_before = window->first;
  spec.not_after = window->second;
  auto cert = detail::build_certificate(spec, key, cert_.get(), key_.native());
  if (!cert) return fail(cert.error());
  return issued(cert->get());
}

common::Result<IssuedCertificate> CertificateAuthority::sign_server_certificate(
    std::string_view csr_pem, const ServerCertRequest& request) const {
  auto csr = checked_csr(csr_pem);
  if (!csr) return fail(csr.error());
  EVP_PKEY* key = csr->public_key();
  auto spec = server_spec(request, EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA
                                       ? "critical,digitalSignature,keyEncipherment"
                                       : "critical,digitalSignature");
  if (!spec) return fail(spec.error());
  auto cert = detail::build_certificate(*spec, key, cert_.get(), key_.native());
  if (!cert) return fail(cert.error());
  return issued(cert->get());
}

common::Result<ServerCertificate> CertificateAuthority::issue_server_certificate(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
    seconds validity) const {
  ServerCertRequest request{dns_names.empty() ? std::string() : dns_names.front(), dns_names,
                            ip_addresses, validity};
  if (request.common_name.empty() && !ip_addresses.empty())
    request.common_name = ip_addresses.front();
  auto spec = server_spec(request, "critical,digitalSignature");
  if (!spec) return fail(spec.error());
  auto key = KeyPair::generate_p256();
  if (!key) return fail(key.error());
  auto cert = detail::build_certificate(*spec, key->native(), cert_.get(), key_.native());
  if (!cert) return fail(cert.error());
  auto certificate = issued(cert->get());
  if (!certificate) return fail(certificate.error());
  auto key_pem = key->private_key_pem();
  if (!key_pem) return fail(key_pem.error());
  std::string chain = certificate->cert_pem + cert_pem_;
  return ServerCertificate{std::move(*certificate), std::move(chain), std::move(*key_pem)};
}

common::Result<detail::CertificateSpec> CertificateAuthority::server_spec(
    const ServerCertRequest& request, std::string key_usage) const {
  if (request.dns_names.empty() && request.ip_addresses.empty())
    return fail(ErrorCode::kInvalidArgument, "a server certificate needs a host name or an IP");
  for (const auto& name : request.dns_names)
    if (!valid_dns_name(name))
      return fail(ErrorCode::kInvalidArgument, "not a valid host name", name);
  auto window = validity_window(request.validity);
  if (!window) return fail(window.error());
  detail::CertificateSpec spec;
  spec.common_name = request.common_name;
  if (spec.common_name.size() > kMaxCommonName) spec.common_name.clear();  // the SANs say it
  spec.dns_sans = request.dns_names;
  spec.ip_sans = request.ip_addresses;
  spec.key_usage = std::move(key_usage);
  spec.extended_key_usage = "serverAuth";
  spec.not_before = window->first;
  spec.not_after = window->second;
  return spec;
}

}  // namespace groundcontrol::pki
