#include "common/crypto/cosign_key.hpp"

#include <openssl/kdf.h>
#include <openssl/pem.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/crypto/base64.hpp"
#include "common/crypto/detail/sodium.hpp"
#include "common/crypto/openssl_error.hpp"
#include "common/crypto/random_bytes.hpp"

namespace common::crypto {
namespace {

using nlohmann::json;

constexpr std::string_view kSigstoreLabel = "ENCRYPTED SIGSTORE PRIVATE KEY";
constexpr std::string_view kCosignLabel = "ENCRYPTED COSIGN PRIVATE KEY";
constexpr std::size_t kPemLineLength = 64;
// scrypt needs about 128·N·r bytes and p times as much work: the per-parameter limits alone
// would still allow 4 GiB and minutes of CPU. cosign's own choice needs 64 MiB, once.
constexpr std::uint64_t kMaxScryptMemory = std::uint64_t{256} << 20;
constexpr std::uint64_t kMaxScryptWork = std::uint64_t{1} << 30;  // 128·N·r·p

static_assert(crypto_secretbox_KEYBYTES == 32);

// Wipes a string holding key material when it goes out of scope, whatever the exit path.
class Wiped {
 public:
  explicit Wiped(std::string& bytes) : bytes_(bytes) {}
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  ~Wiped() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

 private:
  std::string& bytes_;
};

Status check_scrypt(const ScryptParams& params) {
  if (params.n < 2 || (params.n & (params.n - 1)) != 0)
    return fail(ErrorCode::kInvalidArgument, "scrypt N must be a power of two above 1",
                std::to_string(params.n));
  if (params.n > CosignKey::kMaxScryptN || params.r == 0 || params.r > CosignKey::kMaxScryptR ||
      params.p == 0 || params.p > CosignKey::kMaxScryptP ||
      128 * params.n * params.r > kMaxScryptMemory ||
      128 * params.n * params.r * params.p > kMaxScryptWork)
    return fail(ErrorCode::kInvalidArgument, "scrypt parameters are beyond the accepted limits",
                "N=" + std::to_string(params.n) + " r=" + std::to_string(params.r) +
                    " p=" + std::to_string(params.p));
  return {};
}

// The 32-byte secretbox key scrypt derives from `passphrase`; `params` already checked.
Result<std::string> derive_key(std::string_view passphrase, std::string_view salt,
                               const ScryptParams& params) {
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), params.n,
                     params.r, params.p, kMaxScryptMemory + (std::uint64_t{1} << 20),
                     reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "scrypt failed"));
  return key;
}

// The base64 body between the BEGIN and END lines of the first block labelled `label`, with
// its line breaks removed; nullopt when `pem` holds no such block.
std::optional<std::string> pem_body(std::string_view pem, std::string_view label) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  const auto at = pem.find(begin);
  if (at == std::string_view::npos) return std::nullopt;
  const auto body_at = at + begin.size();
  const auto end_at = pem.find(end, body_at);
  if (end_at == std::string_view::npos) return std::nullopt;
  std::string body;
  for (char c : pem.substr(body_at, end_at - body_at))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') body.push_back(c);
  return body;
}

// A non-empty JSON string member `name` of `object` decoded from base64.
Result<std::string> base64_member(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string())
    return fail(ErrorCode::kInvalidArgument, "encrypted key lacks a base64 string", name);
  auto bytes = base64_decode(it->get_ref<const std::string&>());
  if (!bytes) return fail(ErrorCode::kInvalidArgument, "encrypted key has bad base64", name);
  return bytes;
}

Result<std::uint64_t> count_member(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_unsigned())
    return fail(ErrorCode::kInvalidArgument, "scrypt parameter is not a positive integer", name);
  return it->get<std::uint64_t>();
}

bool named(const json& object, std::string_view name) {
  const auto it = object.find("name");
  return it != object.end() && it->is_string() && it->get_ref<const std::string&>() == name;
}

// The fields of the JSON envelope, checked; the ciphertext still sealed.
struct Envelope {
  ScryptParams scrypt;
  std::string salt;
  std::string nonce;
  std::string ciphertext;
};

Result<Envelope> parse_envelope(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return fail(ErrorCode::kInvalidArgument, "encrypted key is not JSON");
  const auto kdf = doc.find("kdf");
  const auto cipher = doc.find("cipher");
  if (kdf == doc.end() || !kdf->is_object() || cipher == doc.end() || !cipher->is_object())
    return fail(ErrorCode::kInvalidArgument, "encrypted key lacks its kdf or cipher");
  if (!named(*kdf, "scrypt"))
    return fail(ErrorCode::kInvalidArgument, "encrypted key uses a kdf other than scrypt");
  if (!named(*cipher, "nacl/secretbox"))
    return fail(ErrorCode::kInvalidArgument,
                "encrypted key uses a cipher other than nacl/secretbox");
  const auto params = kdf->find("params");
  if (params == kdf->end() || !params->is_object())
    return fail(ErrorCode::kInvalidArgument, "encrypted key lacks the scrypt parameters");
  Envelope envelope;
  auto n = count_member(*params, "N");
  auto r = count_member(*params, "r");
  auto p = count_member(*params, "p");
  if (!n) return fail(n.error());
  if (!r) return fail(r.error());
  if (!p) return fail(p.error());
  envelope.scrypt = {*n, *r, *p};
  if (auto checked = check_scrypt(envelope.scrypt); !checked) return fail(checked.error());
  auto salt = base64_member(*kdf, "salt");
  auto nonce = base64_member(*cipher, "nonce");
  auto ciphertext = base64_member(doc, "ciphertext");
  if (!salt) return fail(salt.error());
  if (!nonce) return fail(nonce.error());
  if (!ciphertext) return fail(ciphertext.error());
  if (salt->empty()) return fail(ErrorCode::kInvalidArgument, "encrypted key has an empty salt");
  if (nonce->size() != crypto_secretbox_NONCEBYTES)
    return fail(ErrorCode::kInvalidArgument, "encrypted key's nonce is not 24 bytes");
  if (ciphertext->size() < crypto_secretbox_MACBYTES)
    return fail(ErrorCode::kInvalidArgument, "encrypted key's ciphertext is truncated");
  envelope.salt = std::move(*salt);
  envelope.nonce = std::move(*nonce);
  envelope.ciphertext = std::move(*ciphertext);
  return envelope;
}

std::string pem_block(std::string_view label, std::string_view bytes) {
  const std::string body = base64_encode(bytes);
  std::string pem = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t at = 0; at < body.size(); at += kPemLineLength)
    pem.append(body, at, kPemLineLength).push_back('\n');
  pem += "-----END " + std::string(label) + "-----\n";
  return pem;
}

}  // namespace

bool is_p256_key(const EVP_PKEY* key) noexcept {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  if (EVP_PKEY_get_group_name(key, group, sizeof group, nullptr) != 1) {
    clear_openssl_errors();
    return false;
  }
  return std::strcmp(group, "prime256v1") == 0;
}

Result<CosignPublicKey> CosignPublicKey::from_pem(std::string_view pem) {
  if (pem.size() > CosignKey::kMaxPemBytes)
    return fail(ErrorCode::kInvalidArgument, "public key PEM is too large");
  auto bio = memory_bio(pem);
  if (!bio) return fail(openssl_error(ErrorCode::kInternal, "out of memory"));
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return fail(openssl_error(ErrorCode::kInvalidArgument, "not a PEM public key"));
  if (!is_p256_key(key.get()))
    return fail(ErrorCode::kInvalidArgument, "public key is not an ECDSA P-256 key");
  return CosignPublicKey(std::move(key));
}

Result<std::string> CosignPublicKey::pem() const {
  auto bio = memory_bio();
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot write the public key"));
  return bio_contents(bio.get());
}

Result<CosignKey> CosignKey::generate() {
  auto key = KeyPair::generate_p256();
  if (!key) return fail(key.error());
  return CosignKey(std::move(*key));
}

Result<CosignKey> CosignKey::from_key_pair(KeyPair key) {
  if (!is_p256_key(key.native()))
    return fail(ErrorCode::kInvalidArgument, "private key is not an ECDSA P-256 key");
  return CosignKey(std::move(key));
}

Result<CosignKey> CosignKey::from_encrypted_pem(std::string_view pem, std::string_view passphrase) {
  if (pem.size() > kMaxPemBytes)
    return fail(ErrorCode::kInvalidArgument, "encrypted key file is too large");
  auto body = pem_body(pem, kSigstoreLabel);
  if (!body) body = pem_body(pem, kCosignLabel);
  if (!body)
    return fail(ErrorCode::kInvalidArgument,
                "not an ENCRYPTED SIGSTORE (or COSIGN) PRIVATE KEY PEM block");
  auto text = base64_decode(*body);
  if (!text) return fail(ErrorCode::kInvalidArgument, "encrypted key's PEM body is not base64");
  auto envelope = parse_envelope(*text);
  if (!envelope) return fail(envelope.error());

  auto box_key = derive_key(passphrase, envelope->salt, envelope->scrypt);
  if (!box_key) return fail(box_key.error());
  Wiped wipe_key(*box_key);
  detail::sodium_ready();
  std::string der(envelope->ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  Wiped wipe_der(der);
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(der.data()),
          reinterpret_cast<const unsigned char*>(envelope->ciphertext.data()),
          envelope->ciphertext.size(),
          reinterpret_cast<const unsigned char*>(envelope->nonce.data()),
          reinterpret_cast<const unsigned char*>(box_key->data())) != 0)
    return fail(ErrorCode::kPermissionDenied,
                "cannot open the encrypted key: wrong passphrase (or the file was altered)");
  auto key = KeyPair::from_pkcs8_der(der);
  if (!key) return fail(key.error());
  return from_key_pair(std::move(*key));
}

Result<std::string> CosignKey::encrypted_pem(std::string_view passphrase,
                                             ScryptParams scrypt) const {
  if (auto checked = check_scrypt(scrypt); !checked) return fail(checked.error());
  auto der = key_.private_key_der();
  if (!der) return fail(der.error());
  Wiped wipe_der(*der);
  const std::string salt = random_bytes(kSaltSize);
  const std::string nonce = random_bytes(crypto_secretbox_NONCEBYTES);
  auto box_key = derive_key(passphrase, salt, scrypt);
  if (!box_key) return fail(box_key.error());
  Wiped wipe_key(*box_key);
  detail::sodium_ready();
  std::string sealed(der->size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.data()),
                        reinterpret_cast<const unsigned char*>(der->data()), der->size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()),
                        reinterpret_cast<const unsigned char*>(box_key->data()));
  // Members in cosign's own order (Go struct order), so the file reads like one it wrote.
  nlohmann::ordered_json doc;
  doc["kdf"]["name"] = "scrypt";
  doc["kdf"]["params"]["N"] = scrypt.n;
  doc["kdf"]["params"]["r"] = scrypt.r;
  doc["kdf"]["params"]["p"] = scrypt.p;
  doc["kdf"]["salt"] = base64_encode(salt);
  doc["cipher"]["name"] = "nacl/secretbox";
  doc["cipher"]["nonce"] = base64_encode(nonce);
  doc["ciphertext"] = base64_encode(sealed);
  return pem_block(kSigstoreLabel, doc.dump());
}

Result<CosignPublicKey> CosignKey::public_key() const {
  auto pem = key_.public_key_pem();
  if (!pem) return fail(pem.error());
  return CosignPublicKey::from_pem(*pem);
}

Result<std::string> CosignKey::sign(std::string_view payload) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(payload.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.native()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, data, payload.size()) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot sign"));
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data,
                     payload.size()) != 1)
    return fail(openssl_error(ErrorCode::kInternal, "cannot sign"));
  signature.resize(size);  // DER ECDSA signatures vary in length
  return signature;
}

}  // namespace common::crypto
