#include "groundcontrol/app/periodic_job_table.hpp"

#include <fmt/ranges.h>

namespace groundcontrol::app {
namespace {

// How often each job runs (on one replica at a time).
constexpr auto kRollupInterval = std::chrono::seconds(5);
constexpr auto kCommandExpiryInterval = std::chrono::seconds(10);
// How soon a changed desired state becomes a sync command to the satellites on NATS: a
// round with no state changed reads one counter (no database read), and the lease is still
// renewed once a second, so five rounds a second cost nothing (1 s rounds: the NATS
// command's p50 in the 10,000-satellite bench was 1.4–1.8 s, now 0.9–1.1 s; docs/benchmarks.md).
constexpr auto kStateChangeInterval = std::chrono::milliseconds(200);
constexpr auto kHousekeepingInterval = std::chrono::seconds(60);

}  // namespace

std::vector<service::PeriodicJob> periodic_job_table(const JobServices& services,
                                                     const GroundControlOptions& options,
                                                     common::log::Logger logger) {
  std::vector<service::PeriodicJob> jobs;
  jobs.push_back({"status-rollup", kRollupInterval, [s = services, logger]() -> common::Status {
                    auto moved = s.rollup.run();
                    if (!moved) return common::fail(moved.error());
                    if (*moved > 0) logger->debug("status roll-up: {} satellites moved", *moved);
                    return {};
                  }});
  jobs.push_back({"group-rules", options.rule_interval, [s = services, logger]() -> common::Status {
                    auto evaluated = s.group_rules.evaluate_all(service::Actor{"system:rules"});
                    if (!evaluated) return common::fail(evaluated.error());
                    for (const auto& e : *evaluated) {
                      if (e.error) {
                        logger->warn("group {}: rules not evaluated, its set kept: {}", e.group,
                                     *e.error);
                      } else if (e.added + e.removed + e.moved > 0) {
                        logger->info("group {}: rules added {}, removed {}, moved {}", e.group,
                                     e.added, e.removed, e.moved);
                      }
                    }
                    return {};
                  }});
  jobs.push_back(
      {"command-expiry", kCommandExpiryInterval, [s = services, logger]() -> common::Status {
         auto expired = s.commands.expire_due();
         if (!expired) return common::fail(expired.error());
         if (!expired->empty())
           logger->info("commands: {} sent ones expired unanswered", expired->size());
         if (s.nats != nullptr) s.nats->dispatcher().forget_expired(*expired);
         return {};
       }});
  if (services.nats != nullptr) {
    jobs.push_back(
        {"state-change-commands", kStateChangeInterval, [s = services, logger]() -> common::Status {
           auto round = s.nats->state_changes().run();
           if (!round) return common::fail(round.error());
           if (round->issued > 0) logger->info("NATS: {} sync commands issued", round->issued);
           s.nats->dispatcher().forget_expired(round->superseded);
           return {};
         }});
  }
  if (services.nats != nullptr) {
    jobs.push_back({"nats-consumer-sweep", options.nats_sweep_interval,
                    [s = services, logger]() -> common::Status {
                      auto round = s.nats->consumer_sweep().run();
                      if (!round) return common::fail(round.error());
                      // A failure is a removal or a re-creation, tried again next round.
                      for (const auto& failure : round->failures)
                        logger->warn("NATS consumer sweep: {}", failure);
                      if (!round->removed.empty())
                        logger->info(
                            "NATS: consumers and commands of {} deleted satellites "
                            "removed ({})",
                            round->removed.size(), fmt::join(round->removed, ", "));
                      if (!round->restored.empty())
                        logger->info("NATS: {} missing satellite consumers made again",
                                     round->restored.size());
                      return {};
                    }});
  }
  if (services.state_publication != nullptr) {
    jobs.push_back(
        {"state-publish", options.state_interval, [s = services, logger]() -> common::Status {
           auto round = s.state_publication->publish_changed();
           if (!round) return common::fail(round.error());
           for (const auto& error : round->errors) logger->warn("state not published: {}", error);
           for (const auto& warning : round->warnings) logger->warn("state retired: {}", warning);
           if (round->published > 0)
             logger->info("state published: {} changed, {} unchanged", round->published,
                          round->unchanged);
           if (round->retired > 0)
             logger->info("state retired: {} gone from the fleet, deleted from the registry",
                          round->retired);
           return {};
         }});
  }
  if (services.robots != nullptr) {
    jobs.push_back(
        {"robot-accounts", options.rule_interval, [s = services, logger]() -> common::Status {
           auto round = s.robots->reconcile();
           if (!round) return common::fail(round.error());
           for (const auto& error : round->errors)
             logger->warn("robot account not updated: {}", error);
           if (round->updated + round->removed > 0)
             logger->info("robot accounts: {} updated, {} removed", round->updated, round->removed);
           return {};
         }});
  }
  jobs.push_back(
      {"housekeeping", kHousekeepingInterval, [s = services, logger]() -> common::Status {
         auto done = s.housekeeping.run();
         if (!done) return common::fail(done.error());
         if (done->tokens + done->sessions + done->changes > 0)
           logger->info("housekeeping: {} expired tokens, {} sessions, {} old changes",
                        done->tokens, done->sessions, done->changes);
         return {};
       }});
  return jobs;
}

}  // namespace groundcontrol::app
