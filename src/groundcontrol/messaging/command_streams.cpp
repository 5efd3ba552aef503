#include "groundcontrol/messaging/command_streams.hpp"

#include "common/fleet_wire/nats_subjects.hpp"
#include "groundcontrol/model/satellite_command.hpp"

namespace groundcontrol::messaging {

namespace subjects = common::fleet_wire::nats_subjects;
using common::nats::ConsumerSpec;
using common::nats::Retention;
using common::nats::Storage;
using common::nats::StreamSpec;

namespace {

// A day above the longest command lifetime (model::kMaxCommandTtl): ground control
// expires commands itself; this only bounds what a forgotten stream keeps.
constexpr auto kCommandMaxAge = model::kMaxCommandTtl + std::chrono::hours(24);
// Events wait this long for ground control to read them (all replicas down).
constexpr auto kEventMaxAge = std::chrono::hours(7 * 24);
// A satellite may publish on its own event subjects only, but as often as it likes and on
// as many subjects under its prefix: so that one (broken or hostile) cannot fill the store
// while ground control is away, the stream keeps 128 MiB (~400,000 events; nats-server
// reserves it, so its max_file_store must be larger), and each subject its newest 100, so
// that an honest but chatty satellite does not push out the others' events.
// Commands: ground control sends a handful per satellite, superseded syncs are deleted;
// the bound only stops a runaway caller.
constexpr std::int64_t kEventsPerSubject = 100;
constexpr std::int64_t kEventBytes = std::int64_t{128} << 20;
constexpr std::int64_t kCommandsPerSubject = 1000;
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
  commands.max_messages_per_subject = kCommandsPerSubject;
  if (auto ok = jetstream.ensure_stream(commands); !ok) return ok;
  StreamSpec events{std::string(subjects::kEventStream),
                    {subjects::all_events()},
                    Retention::kWorkQueue,
                    Storage::kFile,
                    std::chrono::duration_cast<std::chrono::seconds>(kEventMaxAge)};
  events.max_messages_per_subject = kEventsPerSubject;
  events.max_bytes = kEventBytes;
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
