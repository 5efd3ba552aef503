// The NATS names both sides agree on (docs/adr/0008-nats-command-channel.md): subjects in
// steward's `<node>.<command|event>.<method>.<domain>` scheme, the JetStream streams and
// consumers, each satellite's inbox prefix, and the subjects a satellite's user JWT allows.
// One owner of the naming, so ground control's permissions and the satellite's client can
// never disagree. Satellite names are DNS labels: one subject token, no wildcard characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/fleet_wire/command.hpp"

namespace common::fleet_wire::nats_subjects {

inline constexpr std::string_view kCommandStream = "SATELLITE_COMMANDS";
inline constexpr std::string_view kEventStream = "SATELLITE_EVENTS";
// The durable consumer of kEventStream that every ground-control replica pulls from.
inline constexpr std::string_view kGroundControlConsumer = "ground-control";

// "<sat>.command.sync.state"
[[nodiscard]] std::string command_subject(std::string_view satellite, CommandType type);
// "<sat>.event.sync.completed"; kCommandAnswered: "<sat>.event.command.acknowledged"
[[nodiscard]] std::string event_subject(std::string_view satellite, EventType type);
// "*.command.>" and "*.event.>": what each stream holds.
[[nodiscard]] std::string all_commands();
[[nodiscard]] std::string all_events();
// "<sat>.command.>": the filter of the satellite's consumer.
[[nodiscard]] std::string commands_of(std::string_view satellite);
// "sat-<sat>": the satellite's durable consumer on kCommandStream.
[[nodiscard]] std::string command_consumer(std::string_view satellite);
// The satellite whose consumer `durable` is; none for a name command_consumer never makes.
[[nodiscard]] std::optional<std::string> consumer_satellite(std::string_view durable);
// "_INBOX_<sat>": replies to the satellite (pull batches, publish acks) arrive under it.
[[nodiscard]] std::string inbox_prefix(std::string_view satellite);

// The satellite a subject belongs to and the <method>.<domain> tail, of an event subject
// ("sat-1.event.sync.completed" → {"sat-1", "sync.completed"}); nullopt for anything else.
struct EventSubject {
  std::string satellite;
  std::string name;
};
[[nodiscard]] std::optional<EventSubject> parse_event_subject(std::string_view subject);

// What a satellite's user JWT allows: nothing of another satellite's.
struct Permissions {
  std::vector<std::string> publish;
  std::vector<std::string> subscribe;
};
[[nodiscard]] Permissions satellite_permissions(std::string_view satellite);

}  // namespace common::fleet_wire::nats_subjects
