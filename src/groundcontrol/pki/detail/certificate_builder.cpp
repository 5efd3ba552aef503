#include "groundcontrol/pki/detail/certificate_builder.hpp"

#include "common/crypto/certificate_request.hpp"
#include "common/crypto/openssl_error.hpp"
#include "common/crypto/random_bytes.hpp"

namespace groundcontrol::pki::detail {
namespace {

using common::ErrorCode;
using common::fail;
using namespace common::crypto;

constexpr std::size_t kSerialBytes = 16;

common::Status openssl_failure(std::string what) {
  return fail(openssl_error(ErrorCode::kInternal, "cannot build the certificate: " + what));
}

bool set_random_serial(X509* cert) {
  std::string bytes = random_bytes(kSerialBytes);
  bytes[0] = static_cast<char>(static_cast<unsigned char>(bytes[0]) | 0x80);
  BignumPtr number(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()), nullptr));
  return number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool set_times(X509* cert, const CertificateSpec& spec) {
  using std::chrono::system_clock;
  return ASN1_TIME_set(X509_getm_notBefore(cert), system_clock::to_time_t(spec.not_before)) &&
         ASN1_TIME_set(X509_getm_notAfter(cert), system_clock::to_time_t(spec.not_after));
}

// An extension from OpenSSL's value syntax: only for the fixed strings of this file.
bool add_extension(X509* cert, X509V3_CTX& ctx, int nid, const std::string& value) {
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

bool push_name(GENERAL_NAMES* names, int type, const std::string& text) {
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) return false;
  if (type == GEN_IPADD) {
    Asn1OctetStringPtr address(a2i_IPADDRESS(text.c_str()));
    if (!address) return false;
    GENERAL_NAME_set0_value(name.get(), type, address.release());
  } else {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr) return false;
    GENERAL_NAME_set0_value(name.get(), type, value);
    if (ASN1_STRING_set(value, text.data(), static_cast<int>(text.size())) != 1) return false;
  }
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) return false;
  name.release();
  return true;
}

common::Status add_subject_alt_names(X509* cert, const CertificateSpec& spec) {
  if (spec.uri_sans.empty() && spec.dns_sans.empty() && spec.ip_sans.empty()) return {};
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return openssl_failure("subjectAltName");
  for (const auto& uri : spec.uri_sans)
    if (!push_name(names.get(), GEN_URI, uri)) return openssl_failure("URI name");
  for (const auto& dns : spec.dns_sans)
    if (!push_name(names.get(), GEN_DNS, dns)) return openssl_failure("DNS name");
  for (const auto& ip : spec.ip_sans) {
    if (!push_name(names.get(), GEN_IPADD, ip)) {
      clear_openssl_errors();
      return fail(ErrorCode::kInvalidArgument, "not an IP address", ip);
    }
  }
  // RFC 5280 4.2.1.6: critical when the subject is empty.
  const int critical = spec.common_name.empty() ? 1 : 0;
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), critical, X509V3_ADD_DEFAULT) != 1)
    return openssl_failure("subjectAltName");
  return {};
}

common::Status add_extensions(X509* cert, const CertificateSpec& spec, X509* issuer_cert) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_cert != nullptr ? issuer_cert : cert, cert, nullptr, nullptr, 0);
  const std::string basic = spec.ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE";
  if (!add_extension(cert, ctx, NID_basic_constraints, basic))
    return openssl_failure("basicConstraints");
  if (!add_extension(cert, ctx, NID_key_usage, spec.key_usage)) return openssl_failure("keyUsage");
  if (!spec.extended_key_usage.empty() &&
      !add_extension(cert, ctx, NID_ext_key_usage, spec.extended_key_usage))
    return openssl_failure("extendedKeyUsage");
  if (!add_extension(cert, ctx, NID_subject_key_identifier, "hash"))
    return openssl_failure("subjectKeyIdentifier");
  if (issuer_cert != nullptr && X509_get0_subject_key_id(issuer_cert) != nullptr &&
      !add_extension(cert, ctx, NID_authority_key_identifier, "keyid:always"))
    return openssl_failure("authorityKeyIdentifier");
  return add_subject_alt_names(cert, spec);
}

}  // namespace

common::Result<X509Ptr> build_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key,
                                          X509* issuer_cert, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !set_random_serial(cert.get()))
    return fail(openssl_failure("serial").error());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (!spec.common_name.empty() &&
      X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.data()),
                                 static_cast<int>(spec.common_name.size()), -1, 0) != 1)
    return fail(openssl_failure("subject").error());
  X509_NAME* issuer = issuer_cert != nullptr ? X509_get_subject_name(issuer_cert) : subject;
  if (X509_set_issuer_name(cert.get(), issuer) != 1 || !set_times(cert.get(), spec) ||
      X509_set_pubkey(cert.get(), subject_key) != 1)
    return fail(openssl_failure("issuer, validity or key").error());
  if (auto added = add_extensions(cert.get(), spec, issuer_cert); !added)
    return fail(added.error());
  if (X509_sign(cert.get(), issuer_key, signing_digest(issuer_key)) <= 0)
    return fail(openssl_failure("signature").error());
  return cert;
}

}  // namespace groundcontrol::pki::detail
