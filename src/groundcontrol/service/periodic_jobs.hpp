// PeriodicJobs: runs each periodic job (the status roll-up, expiry and clean-up) on one
// replica at a time (ADR 0006 §5). A replica takes or renews a job's lease (LeaseStore, one
// statement, so two replicas cannot both win) for three intervals, at least kMinLease, and
// again a third of that term later, not before every run; a replica that does not hold it
// skips the runs, and takes over once the holder has stopped renewing. A stopping replica
// releases its leases so another takes over at once (within a third of the term).
// Thread-safety: add() before run_due(); run_due() and release_all() from one thread (the
// app's job runner thread); runs() and holds() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/store/lease_store.hpp"

namespace groundcontrol::service {

struct PeriodicJob {
  std::string name;  // the lease's name too, e.g. "status-rollup"
  std::chrono::milliseconds interval;
  std::function<common::Status()> run;
};

class PeriodicJobs {
 public:
  // `holder` names this replica in the leases (unique per process).
  PeriodicJobs(common::sql::Database& db, const common::Clock& clock, std::string holder)
      : db_(db), clock_(clock), holder_(std::move(holder)) {}

  // A job run often holds its lease this long at least: a replica that dies holding it
  // delays that job this long, and a run that outlasts it may overlap the next holder's.
  static constexpr std::chrono::seconds kMinLease{3};

  void add(PeriodicJob job);
  // Runs every job that is due and whose lease this replica holds; returns the failures
  // (a lease that could not be taken, a job that failed), by job name.
  std::vector<std::pair<std::string, common::Error>> run_due();
  // When the next job falls due (steady clock); far in the future without jobs.
  std::chrono::steady_clock::time_point next_due() const;
  // Gives up every lease held (on stop).
  void release_all();

  // (job, runs on this replica) for /metrics.
  std::vector<std::pair<std::string, double>> runs() const;
  // (job, 1 when this replica holds its lease) for /metrics.
  std::vector<std::pair<std::string, double>> holds() const;
  const std::string& holder() const noexcept { return holder_; }

 private:
  struct Scheduled {
    PeriodicJob job;
    std::chrono::steady_clock::time_point next{};  // due at once
    // When to take or renew the lease again: a third of its term after the last time, so
    // a job run five times a second writes its lease once a second, and the holder renews
    // with two thirds of the term left.
    std::chrono::steady_clock::time_point lease_check{};
    std::atomic<std::uint64_t> runs{0};
    std::atomic<bool> held{false};
  };

  // Takes or renews `scheduled`'s lease for `ttl`; sets its `held`.
  common::Status take_lease(Scheduled& scheduled, std::chrono::milliseconds ttl);

  common::sql::Database& db_;
  const common::Clock& clock_;
  std::string holder_;
  store::LeaseStore leases_;
  std::vector<std::unique_ptr<Scheduled>> jobs_;
};

}  // namespace groundcontrol::service
