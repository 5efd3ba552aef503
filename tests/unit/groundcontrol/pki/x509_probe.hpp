// X509Probe: a certificate parsed back with OpenSSL, with its fields read the plain way, so
// the PKI tests check what a peer would see rather than what the CA meant to write.
#pragma once

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/crypto/certificate_request.hpp"
#include "common/crypto/openssl_handles.hpp"

namespace groundcontrol::pki::testing {

class X509Probe {
 public:
  explicit X509Probe(const std::string& pem) {
    auto bio = common::crypto::memory_bio(pem);
    cert_.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    EXPECT_NE(cert_, nullptr) << pem;
  }
  X509* get() const { return cert_.get(); }

  std::string subject_cn() const {
    return common::crypto::common_name_of(X509_get_subject_name(get()));
  }
  std::string issuer_cn() const {
    return common::crypto::common_name_of(X509_get_issuer_name(get()));
  }
  int subject_entries() const { return X509_NAME_entry_count(X509_get_subject_name(get())); }

  // Names of one GENERAL_NAME type (GEN_URI, GEN_DNS; GEN_IPADD as raw bytes).
  std::vector<std::string> sans(int type) const {
    std::vector<std::string> out;
    auto* names = static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(get(), NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type != type) continue;
      const ASN1_STRING* text = type == GEN_IPADD ? name->d.iPAddress : name->d.ia5;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<std::size_t>(ASN1_STRING_length(text)));
    }
    GENERAL_NAMES_free(names);
    return out;
  }
  int san_count() const {
    auto* names = static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(get(), NID_subject_alt_name, nullptr, nullptr));
    const int count = names != nullptr ? sk_GENERAL_NAME_num(names) : 0;
    GENERAL_NAMES_free(names);
    return count;
  }

  // basicConstraints: {present and critical, CA, pathlen (-1 when absent)}.
  struct Basic {
    bool critical = false;
    bool ca = false;
    long pathlen = -1;
  };
  Basic basic_constraints() const {
    int critical = -1;
    common::crypto::BasicConstraintsPtr basic(static_cast<BASIC_CONSTRAINTS*>(
        X509_get_ext_d2i(get(), NID_basic_constraints, &critical, nullptr)));
    if (!basic) return {};
    return {critical == 1, basic->ca != 0,
            basic->pathlen != nullptr ? ASN1_INTEGER_get(basic->pathlen) : -1};
  }
  bool critical(int nid) const {
    const int at = X509_get_ext_by_NID(get(), nid, -1);
    return at >= 0 && X509_EXTENSION_get_critical(X509_get_ext(get(), at)) == 1;
  }
  bool has(int nid) const { return X509_get_ext_by_NID(get(), nid, -1) >= 0; }
  std::uint32_t key_usage() const { return X509_get_key_usage(get()); }
  // The extendedKeyUsage OIDs as NIDs, in order.
  std::vector<int> extended_key_usage() const {
    std::vector<int> out;
    common::crypto::ExtendedKeyUsagePtr usage(static_cast<EXTENDED_KEY_USAGE*>(
        X509_get_ext_d2i(get(), NID_ext_key_usage, nullptr, nullptr)));
    for (int i = 0; usage && i < sk_ASN1_OBJECT_num(usage.get()); ++i)
      out.push_back(OBJ_obj2nid(sk_ASN1_OBJECT_value(usage.get(), i)));
    return out;
  }
  std::string subject_key_id() const { return octets(X509_get0_subject_key_id(get())); }
  std::string authority_key_id() const { return octets(X509_get0_authority_key_id(get())); }

  std::chrono::system_clock::time_point not_before() const {
    return time(X509_get0_notBefore(get()));
  }
  std::chrono::system_clock::time_point not_after() const {
    return time(X509_get0_notAfter(get()));
  }

  // The serial as unsigned big-endian bytes, and whether it is negative.
  std::string serial_bytes() const {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(get());
    return octets(serial);
  }
  bool serial_negative() const {
    return ASN1_STRING_type(X509_get0_serialNumber(get())) == V_ASN1_NEG_INTEGER;
  }

  // True when `issuer`'s public key verifies the signature.
  bool signed_by(EVP_PKEY* issuer) const { return X509_verify(get(), issuer) == 1; }
  EVP_PKEY* public_key() const { return X509_get0_pubkey(get()); }

 private:
  static std::string octets(const ASN1_STRING* value) {
    if (value == nullptr) return {};
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
            static_cast<std::size_t>(ASN1_STRING_length(value))};
  }
  static std::chrono::system_clock::time_point time(const ASN1_TIME* value) {
    std::tm parts{};
    EXPECT_EQ(ASN1_TIME_to_tm(value, &parts), 1);
    return std::chrono::system_clock::from_time_t(::timegm(&parts));
  }
  common::crypto::X509Ptr cert_;
};

// Whether `leaf` chains to `ca` for `purpose` (X509_PURPOSE_SSL_CLIENT, …) at `at`, as a
// TLS peer verifying it then would; the X509_V_ERR code otherwise.
inline int verify_chain(const X509Probe& leaf, const X509Probe& ca, int purpose,
                        std::chrono::system_clock::time_point at) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx),
                             std::chrono::system_clock::to_time_t(at));
  const int result = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return result;
}

}  // namespace groundcontrol::pki::testing
