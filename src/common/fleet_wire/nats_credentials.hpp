// NATS credentials (docs/adr/0008): what a satellite asks ground control for over its mTLS
// channel (`POST /satellite/v1/nats/credentials`) and what it gets. The satellite makes its
// own user nkey on the device and sends only the public half; the answer is a user JWT for
// that key allowing only the satellite's own subjects, where to connect, and the names it
// binds to. A reader ignores fields it does not know.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace common::fleet_wire {

struct NatsCredentialsRequest {
  std::string public_key;  // the satellite's user nkey, "U…"
};

struct NatsCredentials {
  std::string jwt;                   // the user JWT, signed by ground control's account key
  std::string expires_at;            // RFC 3339: connect again with a new one before this
  std::vector<std::string> servers;  // NATS URLs ground control advertises (may be empty:
                                     // the satellite's own --nats then)
  std::string inbox_prefix;          // "_INBOX_<sat>": the only subjects it may subscribe to
  std::string stream;                // "SATELLITE_COMMANDS"
  std::string consumer;              // "sat-<sat>": its durable pull consumer
};

[[nodiscard]] std::string to_json(const NatsCredentialsRequest& request);
// kInvalidArgument naming the field.
[[nodiscard]] Result<NatsCredentialsRequest> parse_nats_credentials_request(std::string_view json);

[[nodiscard]] std::string to_json(const NatsCredentials& credentials);
[[nodiscard]] Result<NatsCredentials> parse_nats_credentials(std::string_view json);

}  // namespace common::fleet_wire
