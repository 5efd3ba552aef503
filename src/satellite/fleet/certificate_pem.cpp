#include "satellite/fleet/certificate_pem.hpp"

#include <arpa/inet.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace satellite::fleet {
namespace {

std::chrono::system_clock::time_point time_of(const ASN1_TIME* time) {
  std::tm tm{};
  ASN1_TIME_to_tm(time, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string address_text(const ASN1_OCTET_STRING* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const int length = ASN1_STRING_length(address);
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
  if (family == 0 || !inet_ntop(family, ASN1_STRING_get0_data(address), text, sizeof text))
    return {};
  return text;
}

}  // namespace

common::Result<common::crypto::X509Ptr> parse_certificate_pem(std::string_view pem) {
  auto bio = common::crypto::memory_bio(pem);
  common::crypto::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return common::fail(common::ErrorCode::kInvalidArgument, "not a PEM certificate");
  return cert;
}

CertificateValidity validity_of(const X509* cert) {
  return {time_of(X509_get0_notBefore(cert)), time_of(X509_get0_notAfter(cert))};
}

std::vector<std::string> subject_alt_names(const X509* cert) {
  common::crypto::GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const auto* text = name->d.dNSName;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<std::size_t>(ASN1_STRING_length(text)));
    } else if (name->type == GEN_IPADD) {
      if (auto text = address_text(name->d.iPAddress); !text.empty()) out.push_back(text);
    }
  }
  return out;
}

bool needs_renewal(const CertificateValidity& validity, std::chrono::system_clock::time_point now) {
  return now >= validity.not_before + (validity.not_after - validity.not_before) * 2 / 3;
}

}  // namespace satellite::fleet
