// ConsumerSweep: keeps the satellites' consumers on the commands stream in line with ground
// control's database, both ways. Deleting a satellite removes its rows (its commands among
// them) in one transaction, but NATS cannot join that transaction (it may be down then, the
// replica may die right after the commit); and a NATS server that lost its store comes back
// with the streams (NatsLink declares them again) but without the satellites' consumers. So,
// run under the job lease, a round lists the stream's consumers and
//  - removes those of satellites that no longer exist, their stored commands first (so a
//    failure leaves the consumer for the next round to find); a consumer goes only when
//    `exists` says no: an error counts as yes;
//  - makes again those of satellites holding NATS credentials (`holders`) that lack one;
//    their pull, which retries its bind, then takes commands again.
// Blocking (NATS, and what the two functions read): call from the job runner.
// Thread-safety: one run at a time (the job runner's).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "groundcontrol/messaging/nats_link.hpp"

namespace groundcontrol::messaging {

// Whether satellite `name` exists (ground control's database is the truth).
using SatelliteExists = std::function<common::Result<bool>(std::string_view name)>;
// The satellites that hold NATS credentials still valid.
using ConsumerHolders = std::function<common::Result<std::vector<std::string>>()>;

struct ConsumerSweepRound {
  std::size_t consumers = 0;          // satellites' consumers found
  std::vector<std::string> removed;   // satellites whose consumer and commands went
  std::vector<std::string> restored;  // satellites whose missing consumer was made again
  std::vector<std::string> failures;  // "<satellite>: why", tried again next round
};

class ConsumerSweep {
 public:
  // Borrows `link`.
  ConsumerSweep(NatsLink& link, SatelliteExists exists, ConsumerHolders holders)
      : link_(link), exists_(std::move(exists)), holders_(std::move(holders)) {}

  // kUnavailable while NATS is down; the listing's (or `holders`') error otherwise.
  [[nodiscard]] common::Result<ConsumerSweepRound> run();

 private:
  void remove_orphan(common::nats::JetStream& jetstream, const std::string& durable,
                     const std::string& satellite, ConsumerSweepRound& round);

  NatsLink& link_;
  SatelliteExists exists_;
  ConsumerHolders holders_;
};

}  // namespace groundcontrol::messaging
