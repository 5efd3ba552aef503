// write_nats_server_config: the block `nats-server.conf` includes to run the NATS command
// channel (docs/nats.md): operator mode from NatsAuthority (operator and account JWTs, the
// MEMORY resolver), and, when `server_names` are given, a TLS block with a server
// certificate for them from ground control's active CA (under <data_dir>/nats/tls), which
// satellites trust already. Written atomically at each start.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"
#include "groundcontrol/service/nats_authority.hpp"

namespace groundcontrol::app {

[[nodiscard]] common::Status write_nats_server_config(const service::NatsAuthority& authority,
                                                      const service::CaSet& cas,
                                                      const std::string& data_dir,
                                                      const std::vector<std::string>& server_names,
                                                      const std::string& path);

}  // namespace groundcontrol::app
