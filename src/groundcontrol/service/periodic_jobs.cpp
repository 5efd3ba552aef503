#include "groundcontrol/service/periodic_jobs.hpp"

#include "common/time_format.hpp"

namespace groundcontrol::service {

void PeriodicJobs::add(PeriodicJob job) {
  auto scheduled = std::make_unique<Scheduled>();
  scheduled->job = std::move(job);
  jobs_.push_back(std::move(scheduled));
}

std::vector<std::pair<std::string, common::Error>> PeriodicJobs::run_due() {
  std::vector<std::pair<std::string, common::Error>> failures;
  for (auto& scheduled : jobs_) {
    const auto steady = clock_.steady_now();
    if (steady < scheduled->next) continue;
    auto& job = scheduled->job;
    scheduled->next = steady + job.interval;
    const auto ttl = std::max<std::chrono::milliseconds>(3 * job.interval, kMinLease);
    if (steady >= scheduled->lease_check) {
      if (auto taken = take_lease(*scheduled, ttl); !taken) {
        failures.emplace_back(job.name, taken.error());
        continue;
      }
      scheduled->lease_check = steady + ttl / 3;
    }
    if (!scheduled->held) continue;
    scheduled->runs.fetch_add(1, std::memory_order_relaxed);
    if (auto ok = job.run(); !ok) failures.emplace_back(job.name, ok.error());
  }
  return failures;
}

common::Status PeriodicJobs::take_lease(Scheduled& scheduled, std::chrono::milliseconds ttl) {
  const auto now = clock_.now();
  bool held = false;
  auto taken = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto got = leases_.acquire(db, scheduled.job.name, holder_, common::format_rfc3339(now),
                                   common::format_rfc3339(now + ttl));
        if (!got) return common::fail(got.error());
        held = *got;
        return {};
      },
      {.unqueued = true});  // a lease is no resource: no queue behind resource writers
  scheduled.held = taken && held;
  return taken;
}

std::chrono::steady_clock::time_point PeriodicJobs::next_due() const {
  auto next = std::chrono::steady_clock::time_point::max();
  for (const auto& scheduled : jobs_) next = std::min(next, scheduled->next);
  return next;
}

void PeriodicJobs::release_all() {
  for (auto& scheduled : jobs_) {
    if (!scheduled->held) continue;
    (void)db_.transact(
        [&](common::sql::Connection& db) {
          return leases_.release(db, scheduled->job.name, holder_);
        },
        {.unqueued = true});
    scheduled->held = false;
  }
}

std::vector<std::pair<std::string, double>> PeriodicJobs::runs() const {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& scheduled : jobs_)
    out.emplace_back(scheduled->job.name,
                     static_cast<double>(scheduled->runs.load(std::memory_order_relaxed)));
  return out;
}

std::vector<std::pair<std::string, double>> PeriodicJobs::holds() const {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& scheduled : jobs_)
    out.emplace_back(scheduled->job.name, scheduled->held ? 1 : 0);
  return out;
}

}  // namespace groundcontrol::service
