#include "groundcontrol/messaging/consumer_sweep.hpp"

#include <fmt/format.h>

#include <set>

#include "common/fleet_wire/nats_subjects.hpp"
#include "groundcontrol/messaging/command_streams.hpp"

namespace groundcontrol::messaging {

namespace subjects = common::fleet_wire::nats_subjects;
using common::ErrorCode;

common::Result<ConsumerSweepRound> ConsumerSweep::run() {
  auto session = link_.session();
  if (!session) return common::fail(session.error());
  auto& jetstream = *(*session)->jetstream;
  auto names = jetstream.consumer_names(subjects::kCommandStream);
  if (!names) return common::fail(names.error());
  auto holders = holders_();
  if (!holders) return common::fail(holders.error());

  ConsumerSweepRound round;
  std::set<std::string, std::less<>> present;
  for (const auto& durable : *names) {
    auto satellite = subjects::consumer_satellite(durable);
    if (!satellite) continue;
    ++round.consumers;
    auto exists = exists_(*satellite);
    if (!exists) {
      round.failures.push_back(fmt::format("{}: {}", *satellite, exists.error().message()));
    } else if (!*exists) {
      remove_orphan(jetstream, durable, *satellite, round);
      continue;
    }
    present.insert(std::move(*satellite));
  }
  for (const auto& satellite : *holders) {
    if (present.contains(satellite)) continue;
    if (auto made = ensure_satellite_consumer(jetstream, satellite); !made) {
      round.failures.push_back(fmt::format("{}: {}", satellite, made.error().message()));
      continue;
    }
    round.restored.push_back(satellite);
  }
  return round;
}

void ConsumerSweep::remove_orphan(common::nats::JetStream& jetstream, const std::string& durable,
                                  const std::string& satellite, ConsumerSweepRound& round) {
  if (auto purged =
          jetstream.purge_subject(subjects::kCommandStream, subjects::commands_of(satellite));
      !purged) {
    round.failures.push_back(fmt::format("{}: {}", satellite, purged.error().message()));
    return;
  }
  auto deleted = jetstream.delete_consumer(subjects::kCommandStream, durable);
  // Another replica's round (a lease handed over mid-round) may have removed it first.
  if (!deleted && deleted.error().code() != ErrorCode::kNotFound) {
    round.failures.push_back(fmt::format("{}: {}", satellite, deleted.error().message()));
    return;
  }
  round.removed.push_back(satellite);
}

}  // namespace groundcontrol::messaging
