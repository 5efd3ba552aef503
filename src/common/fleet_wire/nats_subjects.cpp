#include "common/fleet_wire/nats_subjects.hpp"

namespace common::fleet_wire::nats_subjects {
namespace {

std::string join(std::string_view a, std::string_view b) {
  std::string out(a);
  out += '.';
  out += b;
  return out;
}

}  // namespace

std::string command_subject(std::string_view satellite, CommandType type) {
  return join(join(satellite, "command"), command_type_name(type));
}

std::string event_subject(std::string_view satellite, EventType type) {
  return join(join(satellite, "event"), event_type_name(type));
}

std::string all_commands() {
  return "*.command.>";
}
std::string all_events() {
  return "*.event.>";
}
std::string commands_of(std::string_view satellite) {
  return join(satellite, "command.>");
}
std::string command_consumer(std::string_view satellite) {
  return "sat-" + std::string(satellite);
}
std::optional<std::string> consumer_satellite(std::string_view durable) {
  constexpr std::string_view kPrefix = "sat-";
  if (!durable.starts_with(kPrefix) || durable.size() == kPrefix.size()) return std::nullopt;
  return std::string(durable.substr(kPrefix.size()));
}
std::string inbox_prefix(std::string_view satellite) {
  return "_INBOX_" + std::string(satellite);
}

std::optional<EventSubject> parse_event_subject(std::string_view subject) {
  const auto first = subject.find('.');
  if (first == std::string_view::npos || first == 0) return std::nullopt;
  constexpr std::string_view kEvent = ".event.";
  if (subject.substr(first, kEvent.size()) != kEvent) return std::nullopt;
  const auto name = subject.substr(first + kEvent.size());
  if (name.empty()) return std::nullopt;
  return EventSubject{std::string(subject.substr(0, first)), std::string(name)};
}

Permissions satellite_permissions(std::string_view satellite) {
  const std::string stream(kCommandStream);
  const std::string consumer = command_consumer(satellite);
  return Permissions{
      .publish = {join(satellite, "event.>"), "$JS.API.CONSUMER.INFO." + stream + "." + consumer,
                  "$JS.API.CONSUMER.MSG.NEXT." + stream + "." + consumer,
                  // the same through a site's leaf node, addressed to the hub's domain
                  "$JS.*.API.CONSUMER.INFO." + stream + "." + consumer,
                  "$JS.*.API.CONSUMER.MSG.NEXT." + stream + "." + consumer,
                  "$JS.ACK." + stream + "." + consumer + ".>"},
      .subscribe = {inbox_prefix(satellite) + ".>"},
  };
}

}  // namespace common::fleet_wire::nats_subjects
