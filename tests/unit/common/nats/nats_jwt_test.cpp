#include "common/nats/nats_jwt.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/crypto/base64.hpp"
#include "common/nats/detail/go_json.hpp"

namespace common::nats {
namespace {

using std::chrono::seconds;

const TimePoint kIssuedAt{seconds(1'700'000'000)};

std::vector<std::string> parts_of(const std::string& jwt) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = jwt.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(jwt.substr(start, dot - start));
  }
  parts.push_back(jwt.substr(start));
  return parts;
}

// The decoded text of part `index` (0 header, 1 claims).
std::string part_text(const std::string& jwt, std::size_t index) {
  auto text = crypto::base64url_decode(parts_of(jwt).at(index));
  EXPECT_TRUE(text);
  return text.value_or("");
}

// The jti nats-io/jwt computes for these standard claims (see ClaimsIdMatchesGoReference).
std::string jti_of(const std::string& standard_json) {
  auto id = detail::claims_id(nlohmann::ordered_json::parse(standard_json));
  EXPECT_TRUE(id);
  return id.value_or("");
}

// A token made of `header` and `claims` texts, signed by `signer` over "header.claims".
std::string hand_made_jwt(const std::string& header, const std::string& claims,
                          const Nkey& signer) {
  const std::string signed_part =
      crypto::base64url_encode(header) + "." + crypto::base64url_encode(claims);
  return signed_part + "." + crypto::base64url_encode(signer.sign(signed_part));
}

TEST(GoJson, ClaimsIdMatchesGoReference) {
  // The jti of nkeys' creds_utils_test.go credsJwt, whose claims without jti are these.
  EXPECT_EQ(
      jti_of(
          R"({"iat":1590781593,"iss":"AADWLTHICV4SUAGF6EKNVEW5BBP7YRDIBGWGGHZ5JBDOQYA7GUFM6AQU",)"
          R"("name":"OPERATOR","sub":"UDE6WTGLTTPCRJRJCKBJRGVNZTLIVR7LEEELR4CYWWWBKJS7XYIKXDUU"})"),
      "GT4NUNMEF7ZMWCRBXVVUDKQT6ZYPZ77W4JRQXD3L24HKUJECQH7Q");
}

TEST(GoJson, EscapesHtmlCharactersAndLineSeparatorsLikeGo) {
  nlohmann::ordered_json value = {{"b", "a<b>&c\u2028\u2029\n\"é"}, {"a", 1}};
  auto text = detail::go_json(value);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, R"({"b":"a\u003cb\u003e\u0026c\u2028\u2029\n\"é","a":1})");
}

TEST(GoJson, RejectsInvalidUtf8) {
  auto text = detail::go_json(nlohmann::ordered_json{{"name", std::string("\xff\xfe")}});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), ErrorCode::kInvalidArgument);
}

// Go escapes '>' (and '<', '&') in strings: subjects' full wildcard reads "\u003e".
TEST(NatsJwt, UserJwtHasGoHeaderFieldOrderAndJti) {
  const Nkey signing_key = Nkey::generate(NkeyType::kAccount);
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  const Nkey user = Nkey::generate(NkeyType::kUser);
  UserClaims claims;
  claims.subject = user.public_key();
  claims.meta.name = "sat-a";
  claims.meta.expires = kIssuedAt + seconds(86400);
  claims.permissions.pub.allow = {"sat-a.event.>"};
  claims.permissions.sub.allow = {"_INBOX_sat-a.>"};
  claims.permissions.sub.deny = {"sat-b.>"};
  claims.issuer_account = account.public_key();
  auto jwt = encode_jwt(claims, signing_key, kIssuedAt);
  ASSERT_TRUE(jwt) << jwt.error().message();

  EXPECT_EQ(part_text(*jwt, 0), R"({"typ":"JWT","alg":"ed25519-nkey"})");
  const std::string standard = R"({"exp":1700086400,"iat":1700000000,"iss":")" +
                               signing_key.public_key() + R"(","name":"sat-a","sub":")" +
                               user.public_key() + R"("})";
  const std::string expected = R"({"exp":1700086400,"jti":")" + jti_of(standard) +
                               R"(","iat":1700000000,"iss":")" + signing_key.public_key() +
                               R"(","name":"sat-a","sub":")" + user.public_key() +
                               R"(","nats":{"pub":{"allow":["sat-a.event.\u003e"]},)"
                               R"("sub":{"allow":["_INBOX_sat-a.\u003e"],"deny":["sat-b.\u003e"]},)"
                               R"("subs":-1,"data":-1,"payload":-1,"issuer_account":")" +
                               account.public_key() + R"(","type":"user","version":2}})";
  EXPECT_EQ(part_text(*jwt, 1), expected);
  auto signature = crypto::base64url_decode(parts_of(*jwt).at(2));
  ASSERT_TRUE(signature);
  EXPECT_TRUE(Nkey::verify(signing_key.public_key(),
                           parts_of(*jwt).at(0) + "." + parts_of(*jwt).at(1), *signature));
}

TEST(NatsJwt, UserJwtWithoutNameOrExpiryOmitsThem) {
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  const Nkey user = Nkey::generate(NkeyType::kUser);
  UserClaims claims;
  claims.subject = user.public_key();
  auto jwt = encode_jwt(claims, account, kIssuedAt);
  ASSERT_TRUE(jwt);
  const std::string standard = R"({"iat":1700000000,"iss":")" + account.public_key() +
                               R"(","sub":")" + user.public_key() + R"("})";
  EXPECT_EQ(part_text(*jwt, 1),
            R"({"jti":")" + jti_of(standard) + R"(","iat":1700000000,"iss":")" +
                account.public_key() + R"(","sub":")" + user.public_key() +
                R"(","nats":{"pub":{},"sub":{},"subs":-1,"data":-1,"payload":-1,)"
                R"("type":"user","version":2}})");
}

TEST(NatsJwt, SameClaimsKeyAndTimeGiveTheSameToken) {
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  UserClaims claims;
  claims.subject = Nkey::generate(NkeyType::kUser).public_key();
  auto first = encode_jwt(claims, account, kIssuedAt);
  auto again = encode_jwt(claims, account, kIssuedAt);
  auto later = encode_jwt(claims, account, kIssuedAt + seconds(1));
  ASSERT_TRUE(first && again && later);
  EXPECT_EQ(*first, *again);
  EXPECT_NE(*first, *later);
}

TEST(NatsJwt, OperatorJwtCarriesSigningKeysAndSystemAccount) {
  const Nkey op = Nkey::generate(NkeyType::kOperator);
  const Nkey op_signing = Nkey::generate(NkeyType::kOperator);
  const Nkey sys = Nkey::generate(NkeyType::kAccount);
  OperatorClaims claims;
  claims.subject = op.public_key();
  claims.meta.name = "ground-control";
  claims.signing_keys = {op_signing.public_key()};
  claims.system_account = sys.public_key();
  auto jwt = encode_jwt(claims, op, kIssuedAt);
  ASSERT_TRUE(jwt) << jwt.error().message();
  const std::string standard = R"({"iat":1700000000,"iss":")" + op.public_key() +
                               R"(","name":"ground-control","sub":")" + op.public_key() + R"("})";
  EXPECT_EQ(part_text(*jwt, 1), R"({"jti":")" + jti_of(standard) + R"(","iat":1700000000,"iss":")" +
                                    op.public_key() + R"(","name":"ground-control","sub":")" +
                                    op.public_key() + R"(","nats":{"signing_keys":[")" +
                                    op_signing.public_key() + R"("],"system_account":")" +
                                    sys.public_key() + R"(","type":"operator","version":2}})");
}

TEST(NatsJwt, AccountJwtHasLimitsJetStreamSortedSigningKeysAndDefaults) {
  const Nkey op = Nkey::generate(NkeyType::kOperator);
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  std::vector<std::string> keys = {Nkey::generate(NkeyType::kAccount).public_key(),
                                   Nkey::generate(NkeyType::kAccount).public_key()};
  AccountClaims claims;
  claims.subject = account.public_key();
  claims.meta.name = "SATELLITES";
  claims.signing_keys = {keys[0], keys[1]};
  claims.limits.jetstream.disk_storage = 1 << 30;
  claims.default_permissions.sub.deny = {">"};
  std::sort(keys.begin(), keys.end());
  auto jwt = encode_jwt(claims, op, kIssuedAt);
  ASSERT_TRUE(jwt) << jwt.error().message();
  const std::string text = part_text(*jwt, 1);
  const std::string nats = text.substr(text.find(R"("nats":)"));
  EXPECT_EQ(nats, R"("nats":{"limits":{"subs":-1,"data":-1,"payload":-1,"imports":-1,)"
                  R"("exports":-1,"wildcards":true,"conn":-1,"leaf":-1,"mem_storage":-1,)"
                  R"("disk_storage":1073741824,"streams":-1,"consumer":-1},"signing_keys":[")" +
                      keys[0] + R"(",")" + keys[1] +
                      R"("],"default_permissions":{"pub":{},"sub":{"deny":["\u003e"]}},)"
                      R"("authorization":{},"type":"account","version":2}})");
}

TEST(NatsJwt, DisabledJetStreamLeavesItsZeroLimitsOut) {
  const Nkey op = Nkey::generate(NkeyType::kOperator);
  AccountClaims claims;
  claims.subject = Nkey::generate(NkeyType::kAccount).public_key();
  claims.limits.jetstream = {0, 0, 0, 0};
  auto jwt = encode_jwt(claims, op, kIssuedAt);
  ASSERT_TRUE(jwt);
  EXPECT_EQ(part_text(*jwt, 1).find("storage"), std::string::npos);
}

void expect_invalid(const Result<std::string>& jwt, std::string_view message_part) {
  ASSERT_FALSE(jwt);
  EXPECT_EQ(jwt.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(jwt.error().message().find(message_part), std::string::npos) << jwt.error().message();
}

TEST(NatsJwt, EncodeRejectsKeysOfTheWrongKind) {
  const Nkey op = Nkey::generate(NkeyType::kOperator);
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  const Nkey user = Nkey::generate(NkeyType::kUser);

  OperatorClaims operator_claims{.subject = account.public_key()};
  expect_invalid(encode_jwt(operator_claims, op, kIssuedAt), "subject");
  operator_claims.subject = op.public_key();
  expect_invalid(encode_jwt(operator_claims, account, kIssuedAt), "signed by an operator");
  operator_claims.signing_keys = {account.public_key()};
  expect_invalid(encode_jwt(operator_claims, op, kIssuedAt), "signing key");
  operator_claims.signing_keys = {};
  operator_claims.system_account = op.public_key();
  expect_invalid(encode_jwt(operator_claims, op, kIssuedAt), "system_account");

  AccountClaims account_claims{.subject = user.public_key()};
  expect_invalid(encode_jwt(account_claims, op, kIssuedAt), "subject");
  account_claims.subject = account.public_key();
  expect_invalid(encode_jwt(account_claims, account, kIssuedAt), "signed by an operator");
  account_claims.signing_keys = {op.public_key()};
  expect_invalid(encode_jwt(account_claims, op, kIssuedAt), "signing key");

  UserClaims user_claims{.subject = account.public_key()};
  expect_invalid(encode_jwt(user_claims, account, kIssuedAt), "subject");
  user_claims.subject = user.public_key();
  expect_invalid(encode_jwt(user_claims, op, kIssuedAt), "signed by an account");
  user_claims.issuer_account = "A-not-a-key";
  expect_invalid(encode_jwt(user_claims, account, kIssuedAt), "issuer_account");
  user_claims.issuer_account = {};
  user_claims.meta.name = "\xc3";
  expect_invalid(encode_jwt(user_claims, account, kIssuedAt), "UTF-8");
}

TEST(NatsJwt, DecodeAndVerifyReturnsClaimsOfEachKind) {
  const Nkey op = Nkey::generate(NkeyType::kOperator);
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  const Nkey user = Nkey::generate(NkeyType::kUser);

  auto operator_jwt = encode_jwt(OperatorClaims{.subject = op.public_key()}, op, kIssuedAt);
  auto account_jwt = encode_jwt(AccountClaims{.subject = account.public_key()}, op, kIssuedAt);
  UserClaims user_claims{.subject = user.public_key()};
  user_claims.meta.expires = kIssuedAt + seconds(60);
  user_claims.permissions.pub.allow = {"sat-a.event.>"};
  auto user_jwt = encode_jwt(user_claims, account, kIssuedAt);
  ASSERT_TRUE(operator_jwt && account_jwt && user_jwt);

  auto decoded = decode_and_verify(*operator_jwt);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->type, "operator");
  EXPECT_EQ(decoded->issuer, op.public_key());
  EXPECT_FALSE(decoded->expires);
  EXPECT_FALSE(decoded->expired_at(kIssuedAt + seconds(1'000'000'000)));

  decoded = decode_and_verify(*account_jwt);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->type, "account");
  EXPECT_EQ(decoded->subject, account.public_key());
  EXPECT_EQ(decoded->claims["nats"]["limits"]["mem_storage"], -1);

  decoded = decode_and_verify(*user_jwt);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->type, "user");
  EXPECT_EQ(decoded->issuer, account.public_key());
  EXPECT_EQ(decoded->subject, user.public_key());
  EXPECT_EQ(decoded->claims["iat"], 1'700'000'000);
  EXPECT_EQ(decoded->claims["nats"]["pub"]["allow"][0], "sat-a.event.>");
  ASSERT_TRUE(decoded->expires);
  EXPECT_FALSE(decoded->expired_at(kIssuedAt + seconds(60)));
  EXPECT_TRUE(decoded->expired_at(kIssuedAt + seconds(61)));
}

void expect_refused(std::string_view jwt, ErrorCode code, std::string_view message_part) {
  auto decoded = decode_and_verify(jwt);
  ASSERT_FALSE(decoded) << jwt;
  EXPECT_EQ(decoded.error().code(), code);
  EXPECT_NE(decoded.error().message().find(message_part), std::string::npos)
      << decoded.error().message();
}

TEST(NatsJwt, DecodeRefusesATamperedOrForeignSignature) {
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  auto jwt = encode_jwt(UserClaims{.subject = Nkey::generate(NkeyType::kUser).public_key()},
                        account, kIssuedAt);
  ASSERT_TRUE(jwt);
  auto parts = parts_of(*jwt);
  // Claims swapped for others (same issuer) under the original signature.
  auto other = encode_jwt(UserClaims{.subject = Nkey::generate(NkeyType::kUser).public_key()},
                          account, kIssuedAt);
  ASSERT_TRUE(other);
  expect_refused(parts[0] + "." + parts_of(*other)[1] + "." + parts[2], ErrorCode::kUnauthenticated,
                 "signature");
  // Signed by another key than the one "iss" names.
  const Nkey impostor = Nkey::generate(NkeyType::kAccount);
  const std::string signed_part = parts[0] + "." + parts[1];
  expect_refused(signed_part + "." + crypto::base64url_encode(impostor.sign(signed_part)),
                 ErrorCode::kUnauthenticated, "signature");
}

TEST(NatsJwt, DecodeRefusesTheGoV1SignedReferenceToken) {
  // nkeys' credsJwt says version 2 but is signed over its claims alone (the v1 way); jwt v2's
  // Decode refuses it for the same reason.
  expect_refused(
      "eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJHVDROVU5NRUY3Wk1XQ1JCWFZWVURLUVQ2"
      "WllQWjc3VzRKUlFYRDNMMjRIS1VKRUNRSDdRIiwiaWF0IjoxNTkwNzgxNTkzLCJpc3MiOiJBQURXTFRISUNWNFNV"
      "QUdGNkVLTlZFVzVCQlA3WVJESUJHV0dHSFo1SkJET1FZQTdHVUZNNkFRVSIsIm5hbWUiOiJPUEVSQVRPUiIsInN1"
      "YiI6IlVERTZXVEdMVFRQQ1JKUkpDS0JKUkdWTlpUTElWUjdMRUVFTFI0Q1lXV1dCS0pTN1hZSUtYRFVVIiwibmF0"
      "cyI6eyJwdWIiOnt9LCJzdWIiOnt9LCJ0eXBlIjoidXNlciIsInZlcnNpb24iOjJ9fQ.c_XQT04wEoVVNDRjPHeKw"
      "e17BOrSpQTcftwIbB7KoNEIz6peZCJDc4-J3emVepHofUOWy7IAo9TlLwYhuGHWAQ",
      ErrorCode::kUnauthenticated, "signature");
}

TEST(NatsJwt, DecodeRefusesMalformedTokens) {
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  const Nkey op = Nkey::generate(NkeyType::kOperator);
  const std::string user = Nkey::generate(NkeyType::kUser).public_key();
  const std::string header = R"({"typ":"JWT","alg":"ed25519-nkey"})";
  const std::string claims = R"({"iss":")" + account.public_key() + R"(","sub":")" + user +
                             R"(","nats":{"type":"user","version":2}})";
  ASSERT_TRUE(decode_and_verify(hand_made_jwt(header, claims, account)));

  expect_refused("a.b", ErrorCode::kInvalidArgument, "3 parts");
  expect_refused("a.b.c.d", ErrorCode::kInvalidArgument, "3 parts");
  expect_refused("!!.e30.AA", ErrorCode::kInvalidArgument, "header is not base64url");
  expect_refused(hand_made_jwt("[1]", claims, account), ErrorCode::kInvalidArgument,
                 "header is not a JSON object");
  expect_refused(hand_made_jwt(R"({"typ":"JWS","alg":"ed25519-nkey"})", claims, account),
                 ErrorCode::kInvalidArgument, "type");
  expect_refused(hand_made_jwt(R"({"typ":"jwt","alg":"ed25519"})", claims, account),
                 ErrorCode::kInvalidArgument, "algorithm");
  expect_refused(hand_made_jwt(header, "not json", account), ErrorCode::kInvalidArgument,
                 "claims is not a JSON object");
  const std::string v1 = R"({"iss":")" + account.public_key() + R"(","sub":")" + user +
                         R"(","type":"user","nats":{}})";
  expect_refused(hand_made_jwt(header, v1, account), ErrorCode::kInvalidArgument, "version 2");
  const std::string bad_issuer =
      R"({"iss":"Anot","sub":")" + user + R"(","nats":{"type":"user","version":2}})";
  expect_refused(hand_made_jwt(header, bad_issuer, account), ErrorCode::kInvalidArgument, "issuer");
  const std::string user_by_operator = R"({"iss":")" + op.public_key() + R"(","sub":")" + user +
                                       R"(","nats":{"type":"user","version":2}})";
  expect_refused(hand_made_jwt(header, user_by_operator, op), ErrorCode::kInvalidArgument,
                 "may not issue");
  auto good = hand_made_jwt(header, claims, account);
  expect_refused(good + "!", ErrorCode::kInvalidArgument, "signature is not base64url");
  expect_refused(std::string(1024 * 1024 + 1, 'a'), ErrorCode::kInvalidArgument, "too large");
}

}  // namespace
}  // namespace common::nats
