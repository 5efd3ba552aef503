#include "common/sql/timed_database.hpp"

#include <chrono>
#include <utility>

namespace common::sql {

TimedDatabase::TimedDatabase(std::unique_ptr<Database> inner) : inner_(std::move(inner)) {}

Status TimedDatabase::transact(const TxFunction& fn, const TxOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto status = inner_->transact(fn, options);
  (options.read_only ? reads_ : writes_).record(std::chrono::steady_clock::now() - start);
  return status;
}

Result<Subscription> TimedDatabase::listen(std::string channel, PayloadCallback on_payload,
                                           ResyncCallback on_resync) {
  return inner_->listen(std::move(channel), std::move(on_payload), std::move(on_resync));
}

}  // namespace common::sql
