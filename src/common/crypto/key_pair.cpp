#include "common/crypto/key_pair.hpp"

#include <openssl/pem.h>

#include "common/crypto/openssl_error.hpp"
#include "common/fs/secret_file.hpp"

namespace common::crypto {
namespace {

// Refuses to prompt for a passphrase: an encrypted key simply does not load.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

Result<KeyPair> KeyPair::generate_p256() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return fail(openssl_error(ErrorCode::kInternal, "cannot make a P-256 key"));
  return KeyPair(std::move(key));
}

Result<KeyPair> KeyPair::from_pem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes)
    return fail(ErrorCode::kInvalidArgument, "private key PEM is too large");
  auto bio = memory_bio(pem);
  if (!bio) return fail(openssl_error(ErrorCode::kInternal, "out of memory"));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key)
    return fail(openssl_error(ErrorCode::kInvalidArgument, "not an unencrypted PEM private key"));
  return KeyPair(std::move(key));
}

Result<KeyPair> KeyPair::from_pkcs8_der(std::string_view der) {
  if (der.size() > kMaxPemBytes)
    return fail(ErrorCode::kInvalidArgument, "private key DER is too large");
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* next = in;
  PKCS8PrivKeyInfoPtr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &next, static_cast<long>(der.size())));
  if (!info || next != in + der.size())
    return fail(openssl_error(ErrorCode::kInvalidArgument, "not a PKCS#8 DER private key"));
  EvpPkeyPtr key(EVP_PKCS82PKEY(info.get()));
  if (!key)
    return fail(openssl_error(ErrorCode::kInvalidArgument, "not a usable PKCS#8 private key"));
  return KeyPair(std::move(key));
}

Result<KeyPair> KeyPair::load_private_key_file(const std::string& path, fs::FileSystem& fs) {
  auto pem = fs::read_secret_file(path, kMaxPemBytes, fs);
  if (!pem) return fail(pem.error());
  auto key = from_pem(*pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) return fail(key.error().code(), key.error().message(), path);
  return key;
}

Result<std::string> KeyPair::private_key_pem() const {
  auto bio = memory_bio();
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot write the private key"));
  return bio_contents(bio.get());
}

Result<std::string> KeyPair::private_key_der() const {
  PKCS8PrivKeyInfoPtr info(EVP_PKEY2PKCS8(key_.get()));
  if (!info) return fail(openssl_error(ErrorCode::kInternal, "cannot encode the private key"));
  unsigned char* out = nullptr;
  const int size = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &out);
  if (size <= 0) return fail(openssl_error(ErrorCode::kInternal, "cannot encode the private key"));
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
  OPENSSL_clear_free(out, static_cast<std::size_t>(size));
  return der;
}

Result<std::string> KeyPair::public_key_pem() const {
  auto bio = memory_bio();
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot write the public key"));
  return bio_contents(bio.get());
}

Status KeyPair::write_private_key_file(const std::string& path, fs::FileSystem& fs) const {
  auto pem = private_key_pem();
  if (!pem) return fail(pem.error());
  auto written = fs::write_secret_file(path, *pem, fs);
  OPENSSL_cleanse(pem->data(), pem->size());
  return written;
}

}  // namespace common::crypto
