// Keys of every type and CSRs that ask for more than they get, for the PKI tests. Built
// with OpenSSL directly, so a test can make what the product never would (RSA 1024, a CSR
// asking for CA:TRUE). Each call returns an owned object or aborts the test on failure.
#pragma once

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string>
#include <utility>
#include <vector>

#include "common/crypto/certificate_request.hpp"
#include "common/crypto/key_pair.hpp"
#include "common/crypto/openssl_handles.hpp"

namespace groundcontrol::pki::testing {

using common::crypto::CertificateRequest;
using common::crypto::KeyPair;

// "EC"/"P-384", "RSA"/"1024", "ED25519"/"", …
inline KeyPair key_of(const std::string& type, const std::string& parameter = {}) {
  common::crypto::EvpPkeyPtr key;
  if (type == "RSA")
    key.reset(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(std::stoul(parameter))));
  else if (type == "EC")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", parameter.c_str()));
  else
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, type.c_str()));
  EXPECT_NE(key, nullptr) << type << " " << parameter;
  auto bio = common::crypto::memory_bio();
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return KeyPair::from_pem(common::crypto::bio_contents(bio.get())).value();
}

inline std::string csr_pem(const KeyPair& key, const std::string& cn = "device") {
  return CertificateRequest::create(key, cn).value().pem().value();
}

// A CSR from `key` with subject CN=`cn` asking for `extensions` ({nid, OpenSSL value}).
inline std::string greedy_csr_pem(const KeyPair& key, const std::string& cn,
                                  const std::vector<std::pair<int, std::string>>& extensions) {
  auto csr = CertificateRequest::create(key, cn).value();
  X509_REQ* request = csr.native();
  STACK_OF(X509_EXTENSION)* stack = sk_X509_EXTENSION_new_null();
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str());
    EXPECT_NE(extension, nullptr) << value;
    sk_X509_EXTENSION_push(stack, extension);
  }
  EXPECT_EQ(X509_REQ_add_extensions(request, stack), 1);
  sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
  EXPECT_GT(X509_REQ_sign(request, key.native(), EVP_sha256()), 0);
  return csr.pem().value();
}

}  // namespace groundcontrol::pki::testing
