#include "common/fleet_wire/nats_credentials.hpp"

#include <nlohmann/json.hpp>

#include "common/fleet_wire/field_reader.hpp"

namespace common::fleet_wire {

using nlohmann::json;

namespace {
constexpr std::size_t kMaxKey = 64;
constexpr std::size_t kMaxJwt = 8 * 1024;
constexpr std::size_t kMaxText = 256;
}  // namespace

std::string to_json(const NatsCredentialsRequest& request) {
  return json{{"publicKey", request.public_key}}.dump();
}

Result<NatsCredentialsRequest> parse_nats_credentials_request(std::string_view text) {
  auto document = parse_wire_object(text, "NATS credentials request");
  if (!document) return fail(document.error());
  auto key = FieldReader(*document, "").text("publicKey", true, kMaxKey);
  if (!key) return fail(key.error());
  return NatsCredentialsRequest{std::move(*key)};
}

std::string to_json(const NatsCredentials& c) {
  return json{{"jwt", c.jwt},         {"expiresAt", c.expires_at},
              {"servers", c.servers}, {"inboxPrefix", c.inbox_prefix},
              {"stream", c.stream},   {"consumer", c.consumer}}
      .dump();
}

Result<NatsCredentials> parse_nats_credentials(std::string_view text) {
  auto document = parse_wire_object(text, "NATS credentials");
  if (!document) return fail(document.error());
  const FieldReader in(*document, "");
  NatsCredentials c;
  auto jwt = in.text("jwt", true, kMaxJwt);
  if (!jwt) return fail(jwt.error());
  c.jwt = std::move(*jwt);
  for (auto [key, out] :
       {std::pair{"expiresAt", &c.expires_at}, std::pair{"inboxPrefix", &c.inbox_prefix},
        std::pair{"stream", &c.stream}, std::pair{"consumer", &c.consumer}}) {
    auto value = in.text(key, true, kMaxText);
    if (!value) return fail(value.error());
    *out = std::move(*value);
  }
  auto servers = in.texts("servers");
  if (!servers) return fail(servers.error());
  c.servers = std::move(*servers);
  return c;
}

}  // namespace common::fleet_wire
