// The JetStream layout of the command channel (docs/adr/0008-nats-command-channel.md), in
// one place: the commands stream with a durable consumer per satellite, and the events
// stream with the one consumer every ground-control replica pulls from. Declared
// idempotently, so every replica runs it at start and after each reconnect (a NATS server
// that lost its store gets it back). Blocking: one JetStream round trip per call.
#pragma once

#include <string_view>

#include "common/nats/jetstream.hpp"
#include "common/result.hpp"

namespace groundcontrol::messaging {

// Both streams and ground control's events consumer.
[[nodiscard]] common::Status ensure_streams(common::nats::JetStream& jetstream);
// The satellite's durable pull consumer `sat-<name>` on its own commands only.
[[nodiscard]] common::Status ensure_satellite_consumer(common::nats::JetStream& jetstream,
                                                       std::string_view satellite);

}  // namespace groundcontrol::messaging
