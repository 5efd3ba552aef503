#include "common/crypto/cosign_key.hpp"

#include <gtest/gtest.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "common/crypto/base64.hpp"
#include "common/crypto/random_bytes.hpp"

namespace common::crypto {
namespace {

// Cheap scrypt costs keep the tests fast; the file format is the same.
constexpr ScryptParams kFast{1024, 8, 1};

std::string pem_of(std::string_view label, std::string_view body_bytes) {
  return "-----BEGIN " + std::string(label) + "-----\n" + base64_encode(body_bytes) +
         "\n-----END " + std::string(label) + "-----\n";
}

// The JSON text in `pem`, decoded independently of the code under test.
std::string envelope_text(const std::string& pem) {
  const auto begin = pem.find('\n') + 1;
  const auto end = pem.find("-----END");
  std::string body;
  for (char c : pem.substr(begin, end - begin))
    if (c != '\n') body.push_back(c);
  return base64_decode(body).value();
}

nlohmann::json envelope_of(const std::string& pem) {
  return nlohmann::json::parse(envelope_text(pem));
}

// A key file built here with scrypt and secretbox directly, around `der`: checks that the
// reader follows the format rather than only its own writer, and makes hostile files.
std::string seal_by_hand(std::string_view der, std::string_view passphrase,
                         std::string_view label = "ENCRYPTED SIGSTORE PRIVATE KEY",
                         ScryptParams cost = kFast) {
  const std::string salt = random_bytes(32);
  const std::string nonce = random_bytes(24);
  unsigned char key[32];
  EXPECT_EQ(EVP_PBE_scrypt(passphrase.data(), passphrase.size(),
                           reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), cost.n,
                           cost.r, cost.p, std::uint64_t{64} << 20, key, sizeof key),
            1);
  std::string box(der.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(box.data()),
                        reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()), key);
  const nlohmann::json doc = {
      {"kdf",
       {{"name", "scrypt"},
        {"params", {{"N", cost.n}, {"r", cost.r}, {"p", cost.p}}},
        {"salt", base64_encode(salt)}}},
      {"cipher", {{"name", "nacl/secretbox"}, {"nonce", base64_encode(nonce)}}},
      {"ciphertext", base64_encode(box)}};
  return pem_of(label, doc.dump());
}

TEST(CosignKeyTest, EncryptedPemRoundTrip) {
  const auto key = CosignKey::generate().value();
  const auto pem = key.encrypted_pem("correct horse", kFast);
  ASSERT_TRUE(pem) << pem.error().message();
  EXPECT_TRUE(pem->starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")) << *pem;
  EXPECT_TRUE(pem->ends_with("\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")) << *pem;
  auto again = CosignKey::from_encrypted_pem(*pem, "correct horse");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(EVP_PKEY_eq(again->key_pair().native(), key.key_pair().native()), 1);
  EXPECT_EQ(again->public_key_pem().value(), key.public_key_pem().value());
}

TEST(CosignKeyTest, WritesCosignsEnvelopeWithItsDefaults) {
  const auto key = CosignKey::generate().value();
  const auto pem = key.encrypted_pem("pw").value();
  // 64-character base64 lines, as Go's pem.Encode writes them.
  const auto first_line = pem.substr(pem.find('\n') + 1, 65);
  EXPECT_EQ(first_line.find('\n'), 64u) << pem;
  const auto doc = envelope_of(pem);
  EXPECT_EQ(doc["kdf"]["name"], "scrypt");
  EXPECT_EQ(doc["kdf"]["params"], (nlohmann::json{{"N", 65536}, {"r", 8}, {"p", 1}}));
  EXPECT_EQ(base64_decode(doc["kdf"]["salt"].get<std::string>())->size(), 32u);
  EXPECT_EQ(doc["cipher"]["name"], "nacl/secretbox");
  EXPECT_EQ(base64_decode(doc["cipher"]["nonce"].get<std::string>())->size(), 24u);
  // cosign's member order: kdf (name, params, salt), cipher (name, nonce), ciphertext.
  const auto text = envelope_text(pem);
  EXPECT_TRUE(text.starts_with(
      R"({"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":")" +
      doc["kdf"]["salt"].get<std::string>() + R"("},"cipher":{"name":"nacl/secretbox","nonce":")" +
      doc["cipher"]["nonce"].get<std::string>() + R"("},"ciphertext":")"))
      << text;
  // Fresh salt and nonce every time.
  const auto other = envelope_of(key.encrypted_pem("pw").value());
  EXPECT_NE(other["kdf"]["salt"], doc["kdf"]["salt"]);
  EXPECT_NE(other["cipher"]["nonce"], doc["cipher"]["nonce"]);
  EXPECT_TRUE(CosignKey::from_encrypted_pem(pem, "pw"));
}

TEST(CosignKeyTest, ReadsAFileSealedByHandUnderBothLabels) {
  const auto key = CosignKey::generate().value();
  const auto der = key.key_pair().private_key_der().value();
  for (const char* label : {"ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"}) {
    auto loaded = CosignKey::from_encrypted_pem(seal_by_hand(der, "", label), "");
    ASSERT_TRUE(loaded) << label << ": " << loaded.error().message();
    EXPECT_EQ(EVP_PKEY_eq(loaded->key_pair().native(), key.key_pair().native()), 1);
  }
  // cosign before 2.5 wrote N=32768; other costs within the limits are read too.
  for (const ScryptParams cost : {ScryptParams{32768, 8, 1}, ScryptParams{2048, 4, 3}}) {
    auto loaded = CosignKey::from_encrypted_pem(
        seal_by_hand(der, "pw", "ENCRYPTED COSIGN PRIVATE KEY", cost), "pw");
    ASSERT_TRUE(loaded) << cost.n << ": " << loaded.error().message();
  }
  // Any other label is refused even with the right passphrase.
  auto other = CosignKey::from_encrypted_pem(seal_by_hand(der, "", "ENCRYPTED PRIVATE KEY"), "");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CosignKeyTest, WrongPassphraseIsPermissionDenied) {
  const auto pem = CosignKey::generate()->encrypted_pem("right", kFast).value();
  for (const char* wrong : {"wrong", "", "right "}) {
    auto loaded = CosignKey::from_encrypted_pem(pem, wrong);
    ASSERT_FALSE(loaded) << wrong;
    EXPECT_EQ(loaded.error().code(), ErrorCode::kPermissionDenied) << wrong;
  }
  EXPECT_TRUE(CosignKey::from_encrypted_pem(pem, "right"));
}

TEST(CosignKeyTest, AlteredCiphertextIsRefused) {
  const auto pem = CosignKey::generate()->encrypted_pem("pw", kFast).value();
  auto doc = envelope_of(pem);
  auto box = base64_decode(doc["ciphertext"].get<std::string>()).value();
  box[box.size() / 2] ^= 0x01;
  doc["ciphertext"] = base64_encode(box);
  auto loaded =
      CosignKey::from_encrypted_pem(pem_of("ENCRYPTED SIGSTORE PRIVATE KEY", doc.dump()), "pw");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::kPermissionDenied);
}

TEST(CosignKeyTest, KeysOfAnotherCurveOrKindAreRefused) {
  EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EvpPkeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(p384 && ed25519);
  for (EVP_PKEY* other : {p384.get(), ed25519.get()}) {
    EXPECT_FALSE(is_p256_key(other));
    auto bio = memory_bio();
    ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), other, nullptr, nullptr, 0, nullptr, nullptr), 1);
    auto pair = KeyPair::from_pem(bio_contents(bio.get())).value();
    const auto der = pair.private_key_der().value();
    auto wrapped = CosignKey::from_key_pair(std::move(pair));
    ASSERT_FALSE(wrapped);
    EXPECT_EQ(wrapped.error().code(), ErrorCode::kInvalidArgument);
    // Sealed correctly, opened with the right passphrase, and still refused.
    auto sealed = CosignKey::from_encrypted_pem(seal_by_hand(der, "pw"), "pw");
    ASSERT_FALSE(sealed);
    EXPECT_EQ(sealed.error().code(), ErrorCode::kInvalidArgument) << sealed.error().message();
    // Nor is such a public key a verification key.
    auto pub_bio = memory_bio();
    ASSERT_EQ(PEM_write_bio_PUBKEY(pub_bio.get(), other), 1);
    auto pub = CosignPublicKey::from_pem(bio_contents(pub_bio.get()));
    ASSERT_FALSE(pub);
    EXPECT_EQ(pub.error().code(), ErrorCode::kInvalidArgument);
  }
  // The control: a P-256 key passes the same path.
  const auto der = CosignKey::generate()->key_pair().private_key_der().value();
  EXPECT_TRUE(CosignKey::from_encrypted_pem(seal_by_hand(der, "pw"), "pw"));
}

// Replaces one member of a valid file's envelope, then reads it with the right passphrase.
Result<CosignKey> load_with(const std::function<void(nlohmann::json&)>& change) {
  const auto pem = CosignKey::generate()->encrypted_pem("pw", kFast).value();
  auto doc = envelope_of(pem);
  change(doc);
  return CosignKey::from_encrypted_pem(pem_of("ENCRYPTED SIGSTORE PRIVATE KEY", doc.dump()), "pw");
}

TEST(CosignKeyTest, HostileEnvelopesAreInvalidArguments) {
  using nlohmann::json;
  const std::vector<std::pair<std::string, std::function<void(json&)>>> cases = {
      {"huge N", [](json& d) { d["kdf"]["params"]["N"] = std::uint64_t{1} << 40; }},
      {"N just above the limit", [](json& d) { d["kdf"]["params"]["N"] = 1 << 21; }},
      {"N times r beyond the memory cap",
       [](json& d) {
         d["kdf"]["params"]["N"] = 1 << 20;
         d["kdf"]["params"]["r"] = 8;
       }},
      {"p times the memory beyond the work cap",
       [](json& d) {
         d["kdf"]["params"]["N"] = 1 << 18;
         d["kdf"]["params"]["r"] = 8;
         d["kdf"]["params"]["p"] = 8;
       }},
      {"N not a power of two", [](json& d) { d["kdf"]["params"]["N"] = 1000; }},
      {"huge r", [](json& d) { d["kdf"]["params"]["r"] = 1 << 30; }},
      {"huge p", [](json& d) { d["kdf"]["params"]["p"] = 1 << 30; }},
      {"zero p", [](json& d) { d["kdf"]["params"]["p"] = 0; }},
      {"negative N", [](json& d) { d["kdf"]["params"]["N"] = -1024; }},
      {"string N", [](json& d) { d["kdf"]["params"]["N"] = "1024"; }},
      {"missing params", [](json& d) { d["kdf"].erase("params"); }},
      {"other kdf", [](json& d) { d["kdf"]["name"] = "pbkdf2"; }},
      {"other cipher", [](json& d) { d["cipher"]["name"] = "aes-256-gcm"; }},
      {"no cipher", [](json& d) { d.erase("cipher"); }},
      {"short nonce", [](json& d) { d["cipher"]["nonce"] = base64_encode("12345678"); }},
      {"bad base64 nonce", [](json& d) { d["cipher"]["nonce"] = "!!!"; }},
      {"bad base64 salt", [](json& d) { d["kdf"]["salt"] = "not base64"; }},
      {"empty salt", [](json& d) { d["kdf"]["salt"] = ""; }},
      {"ciphertext shorter than the MAC",
       [](json& d) { d["ciphertext"] = base64_encode("0123456789"); }},
      {"ciphertext not a string", [](json& d) { d["ciphertext"] = 42; }},
      {"not an object",
       [](json& d) {
         d = json::array({1, 2});
       }},
  };
  for (const auto& [name, change] : cases) {
    auto loaded = load_with(change);
    ASSERT_FALSE(loaded) << name;
    EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument)
        << name << ": " << loaded.error().message();
  }
  // The control: the unchanged envelope loads.
  EXPECT_TRUE(load_with([](json&) {}));
}

TEST(CosignKeyTest, MalformedFilesAreInvalidArguments) {
  const auto pem = CosignKey::generate()->encrypted_pem("pw", kFast).value();
  const std::string truncated = pem.substr(0, pem.size() / 2);
  const std::string label = "ENCRYPTED SIGSTORE PRIVATE KEY";
  for (const std::string& bad :
       {std::string(), std::string("garbage"), truncated, pem_of(label, "not json at all"),
        pem_of(label, "{\"kdf\":"),
        "-----BEGIN " + label + "-----\n%%%%\n-----END " + label + "-----\n",
        CosignKey::generate()->public_key_pem().value(),
        std::string(CosignKey::kMaxPemBytes + 1, 'A')}) {
    auto loaded = CosignKey::from_encrypted_pem(bad, "pw");
    ASSERT_FALSE(loaded) << bad;
    EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  // The control: the same envelope, re-wrapped by the test's own helper, loads.
  auto doc = envelope_of(pem);
  EXPECT_TRUE(CosignKey::from_encrypted_pem(pem_of(label, doc.dump()), "pw"));
}

TEST(CosignKeyTest, SealedGarbageIsNotAKey) {
  auto loaded = CosignKey::from_encrypted_pem(seal_by_hand("not a DER key", "pw"), "pw");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CosignKeyTest, WritingRefusesCostsItCouldNotReadBack) {
  const auto key = CosignKey::generate().value();
  for (const ScryptParams& bad : {ScryptParams{1000, 8, 1}, ScryptParams{1 << 21, 8, 1},
                                  ScryptParams{1024, 0, 1}, ScryptParams{1024, 8, 17}}) {
    auto pem = key.encrypted_pem("pw", bad);
    ASSERT_FALSE(pem);
    EXPECT_EQ(pem.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(CosignKeyTest, PublicKeyPemRoundTrip) {
  const auto key = CosignKey::generate().value();
  const auto pem = key.public_key_pem().value();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
  auto pub = CosignPublicKey::from_pem(pem);
  ASSERT_TRUE(pub) << pub.error().message();
  EXPECT_EQ(pub->pem().value(), pem);
  for (const std::string& bad :
       {std::string(), std::string("garbage"), key.encrypted_pem("pw", kFast).value()}) {
    auto refused = CosignPublicKey::from_pem(bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace common::crypto
