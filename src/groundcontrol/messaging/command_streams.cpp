#include "groundcontrol/messaging/command_streams.hpp"

#include "common/fleet_wire/nats_subjects.hpp"

namespace groundcontrol::messaging {

namespace subjects = common::fleet_wire::nats_subjects;
using common::nats::ConsumerSpec;
using common::nats::Retention;
using common::nats::Storage;
using common::nats::StreamSpec;

namespace {

// Above the longest command lifetime (30 days, model::parse_command_request): ground
// control expires commands itself; this only bounds what a forgotten stream keeps.
constexpr auto kCommandMaxAge = std::chrono::hours(31 * 24);
// Events wait this long for ground control to read them (all replicas down).
constexpr auto kEventMaxAge = std::chrono::hours(7 * 24);
// A sync command may take a while (a large pull); the satellite sends "in progress"
// meanwhile, every 10 s, so this only bounds how soon a crashed satellite's command comes
// again after it restarts.
constexpr auto kCommandAckWait = std::chrono::seconds(60);
constexpr auto kEventAckWait = std::chrono::seconds(30);

}  // namespace

common::Status ensure_streams(common::nats::JetStream& jetstream) {
  StreamSpec commands{std::string(subjects::kCommandStream),
                      {subjects::all_commands()},
                      Retention::kWorkQueue,
                      Storage::kFile,
                      std::chrono::duration_cast<std::chrono::seconds>(kCommandMaxAge)};
  if (auto ok = jetstream.ensure_stream(commands); !ok) return ok;
  StreamSpec events{std::string(subjects::kEventStream),
                    {subjects::all_events()},
                    Retention::kWorkQueue,
                    Storage::kFile,
                    std::chrono::duration_cast<std::chrono::seconds>(kEventMaxAge)};
  if (auto ok = jetstream.ensure_stream(events); !ok) return ok;
  return jetstream.ensure_consumer(
      subjects::kEventStream,
      ConsumerSpec{std::string(subjects::kGroundControlConsumer), "", kEventAckWait, -1});
}

common::Status ensure_satellite_consumer(common::nats::JetStream& jetstream,
                                         std::string_view satellite) {
  return jetstream.ensure_consumer(
      subjects::kCommandStream,
      ConsumerSpec{subjects::command_consumer(satellite), subjects::commands_of(satellite),
                   kCommandAckWait, -1});
}

}  // namespace groundcontrol::messaging
