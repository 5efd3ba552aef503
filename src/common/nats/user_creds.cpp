#include "common/nats/user_creds.hpp"

#include <sodium.h>

#include "common/nats/nats_jwt.hpp"

namespace common::nats {

Result<std::string> format_user_creds(std::string_view jwt, const Nkey& user) {
  auto verified = decode_and_verify(jwt);
  if (!verified) {
    return fail(ErrorCode::kInvalidArgument, "not a valid user JWT: " + verified.error().message());
  }
  if (verified->type != "user") {
    return fail(ErrorCode::kInvalidArgument,
                "a " + verified->type + " JWT cannot be written as user credentials");
  }
  if (user.type() != NkeyType::kUser || verified->subject != user.public_key()) {
    return fail(ErrorCode::kInvalidArgument, "the nkey is not the user the JWT was issued to");
  }
  std::string text;
  text.append("-----BEGIN NATS USER JWT-----\n")
      .append(jwt)
      .append("\n------END NATS USER JWT------\n\n");
  text.append(
      "************************* IMPORTANT *************************\n"
      "NKEY Seed printed below can be used to sign and prove identity.\n"
      "NKEYs are sensitive and should be treated as secrets.\n\n"
      "-----BEGIN USER NKEY SEED-----\n");
  std::string seed = user.seed();
  text.append(seed);
  sodium_memzero(seed.data(), seed.size());  // the one copy left is the caller's text
  text.append(
      "\n------END USER NKEY SEED------\n\n"
      "*************************************************************\n");
  return text;
}

}  // namespace common::nats
