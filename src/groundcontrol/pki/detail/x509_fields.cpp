#include "groundcontrol/pki/detail/x509_fields.hpp"

#include <openssl/pem.h>

#include <cctype>
#include <ctime>

#include "common/crypto/base64.hpp"
#include "common/crypto/openssl_error.hpp"

namespace groundcontrol::pki::detail {

using common::ErrorCode;
using common::fail;
using namespace common::crypto;

common::Result<X509Ptr> parse_certificate(std::string_view pem) {
  if (pem.size() > kMaxCertPemBytes)
    return fail(ErrorCode::kInvalidArgument, "certificate PEM is larger than 1 MiB");
  auto bio = memory_bio(pem);
  if (!bio) return fail(openssl_error(ErrorCode::kInternal, "out of memory"));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return fail(openssl_error(ErrorCode::kInvalidArgument, "not a PEM certificate"));
  return cert;
}

common::Result<std::string> certificate_pem(X509* cert) {
  auto bio = memory_bio();
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot write the certificate"));
  return bio_contents(bio.get());
}

std::string serial_hex(const X509* cert) {
  BignumPtr number(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!number) return {};
  char* hex = BN_bn2hex(number.get());
  std::string text = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string fingerprint_sha256(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) != 1) return {};
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

std::string subject_text(const X509* cert) {
  auto bio = common::crypto::memory_bio();
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0)
    return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::chrono::system_clock::time_point time_of(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return {};
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

bool is_ca(X509* cert) {
  const uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_CA) == 0) return false;
  return (flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(cert) & KU_KEY_CERT_SIGN) != 0;
}

}  // namespace groundcontrol::pki::detail
