#include "common/crypto/certificate_request.hpp"

#include <openssl/pem.h>

#include "common/crypto/openssl_error.hpp"

namespace common::crypto {

const EVP_MD* signing_digest(EVP_PKEY* key) noexcept {
  const int type = EVP_PKEY_get_base_id(key);
  return type == EVP_PKEY_ED25519 || type == EVP_PKEY_ED448 ? nullptr : EVP_sha256();
}

std::string common_name_of(const X509_NAME* name) {
  const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at < 0) return {};
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
  if (length < 0) {
    clear_openssl_errors();
    return {};
  }
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return text;
}

Result<CertificateRequest> CertificateRequest::create(const KeyPair& key,
                                                      std::string_view common_name) {
  if (common_name.empty() || common_name.size() > kMaxCommonName ||
      common_name.find('\0') != std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument, "a CSR's common name is 1-64 bytes without NUL");
  X509ReqPtr request(X509_REQ_new());
  if (!request) return fail(openssl_error(ErrorCode::kInternal, "out of memory"));
  X509_NAME* subject = X509_REQ_get_subject_name(request.get());
  const bool built =
      X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) == 1 &&
      X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) == 1 &&
      X509_REQ_set_pubkey(request.get(), key.native()) == 1 &&
      X509_REQ_sign(request.get(), key.native(), signing_digest(key.native())) > 0;
  if (!built) return fail(openssl_error(ErrorCode::kInternal, "cannot build the CSR"));
  return CertificateRequest(std::move(request));
}

Result<CertificateRequest> CertificateRequest::from_pem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes)
    return fail(ErrorCode::kInvalidArgument, "CSR PEM is larger than 16 KiB");
  auto bio = memory_bio(pem);
  if (!bio) return fail(openssl_error(ErrorCode::kInternal, "out of memory"));
  X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request)
    return fail(openssl_error(ErrorCode::kInvalidArgument, "not a PEM certificate request"));
  return CertificateRequest(std::move(request));
}

Result<std::string> CertificateRequest::pem() const {
  auto bio = memory_bio();
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), request_.get()) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot write the CSR"));
  return bio_contents(bio.get());
}

std::string CertificateRequest::common_name() const {
  return common_name_of(X509_REQ_get_subject_name(request_.get()));
}

bool CertificateRequest::signature_valid() const noexcept {
  EVP_PKEY* key = public_key();
  const bool valid = key != nullptr && X509_REQ_verify(request_.get(), key) == 1;
  clear_openssl_errors();
  return valid;
}

EVP_PKEY* CertificateRequest::public_key() const noexcept {
  EVP_PKEY* key = X509_REQ_get0_pubkey(request_.get());
  if (key == nullptr) clear_openssl_errors();
  return key;
}

}  // namespace common::crypto
