// TimedDatabase: a Database that measures each transact() call, retries and waits for a
// connection included (what a request feels), into one LatencyHistogram for reads and one
// for writes, so /metrics shows when the database is what makes requests slow.
// Wrap a database after migrate(): the migration lock belongs to the engine's own handle.
// Ownership: owns the wrapped Database. Thread-safety: as Database; the histograms are
// lock-free.
#pragma once

#include <memory>
#include <string>

#include "common/latency_histogram.hpp"
#include "common/sql/database.hpp"

namespace common::sql {

class TimedDatabase final : public Database {
 public:
  explicit TimedDatabase(std::unique_ptr<Database> inner);

  Dialect dialect() const noexcept override { return inner_->dialect(); }
  [[nodiscard]] Status transact(const TxFunction& fn, const TxOptions& options) override;
  [[nodiscard]] Result<Subscription> listen(std::string channel, PayloadCallback on_payload,
                                            ResyncCallback on_resync) override;

  const LatencyHistogram& reads() const noexcept { return reads_; }
  const LatencyHistogram& writes() const noexcept { return writes_; }

 private:
  std::unique_ptr<Database> inner_;
  LatencyHistogram reads_;
  LatencyHistogram writes_;
};

}  // namespace common::sql
