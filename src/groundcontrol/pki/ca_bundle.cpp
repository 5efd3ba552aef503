#include "groundcontrol/pki/ca_bundle.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>

#include "common/crypto/openssl_error.hpp"
#include "groundcontrol/pki/detail/x509_fields.hpp"

namespace groundcontrol::pki {
namespace {

using common::ErrorCode;
using common::fail;
using namespace common::crypto;

struct Parsed {
  std::string pem;
  std::string fingerprint;
};

common::Result<std::vector<Parsed>> read_all(std::string_view text) {
  if (text.size() > detail::kMaxCertPemBytes)
    return fail(ErrorCode::kInvalidArgument, "CA bundle is larger than 1 MiB");
  auto bio = memory_bio(text);
  if (!bio) return fail(openssl_error(ErrorCode::kInternal, "out of memory"));
  std::vector<Parsed> certs;
  for (;;) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    if (!detail::is_ca(cert.get()))
      return fail(ErrorCode::kInvalidArgument, "the CA bundle holds a certificate that is not a CA",
                  "sha256 " + detail::fingerprint_sha256(cert.get()));
    auto pem = detail::certificate_pem(cert.get());
    if (!pem) return fail(pem.error());
    certs.push_back({std::move(*pem), detail::fingerprint_sha256(cert.get())});
  }
  // The reader stops with "no start line" at the end of the text; anything else is a block
  // that did not parse.
  const unsigned long last = ERR_peek_last_error();
  if (last != 0 && ERR_GET_REASON(last) != PEM_R_NO_START_LINE)
    return fail(openssl_error(ErrorCode::kInvalidArgument, "malformed certificate in CA bundle"));
  clear_openssl_errors();
  if (certs.empty()) return fail(ErrorCode::kInvalidArgument, "the CA bundle holds no certificate");
  return certs;
}

}  // namespace

common::Result<CaBundle> CaBundle::parse(std::string_view pem) {
  CaBundle bundle;
  if (auto added = bundle.add(pem); !added) return fail(added.error());
  return bundle;
}

common::Status CaBundle::add(std::string_view pem) {
  auto certs = read_all(pem);
  if (!certs) return fail(certs.error());
  for (auto& cert : *certs)
    if (!contains(cert.fingerprint))
      entries_.push_back({std::move(cert.pem), std::move(cert.fingerprint)});
  return {};
}

void CaBundle::merge(const CaBundle& other) {
  for (const auto& entry : other.entries_)
    if (!contains(entry.fingerprint)) entries_.push_back(entry);
}

bool CaBundle::remove(std::string_view fingerprint) {
  return std::erase_if(entries_, [&](const Entry& e) { return e.fingerprint == fingerprint; }) > 0;
}

bool CaBundle::contains(std::string_view fingerprint) const noexcept {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return e.fingerprint == fingerprint; });
}

std::vector<std::string> CaBundle::fingerprints() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) out.push_back(entry.fingerprint);
  return out;
}

std::string CaBundle::pem() const {
  std::string out;
  for (const auto& entry : entries_) out += entry.pem;
  return out;
}

}  // namespace groundcontrol::pki
