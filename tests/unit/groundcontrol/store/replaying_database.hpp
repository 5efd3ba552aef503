// ReplayingDatabase: a Database that runs every transaction's function twice, the first
// time in a transaction it then rolls back, as a serialization failure or a lost connection
// makes the real engines do now and then. A service whose closure accumulates into what it
// captured (a counter, a list) instead of overwriting it shows the doubled result on every
// call here, where on PostgreSQL it would show only under contention.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "common/sql/database.hpp"

namespace groundcontrol::store::test {

class ReplayingDatabase final : public common::sql::Database {
 public:
  explicit ReplayingDatabase(std::unique_ptr<common::sql::Database> inner)
      : inner_(std::move(inner)) {}

  common::sql::Dialect dialect() const noexcept override { return inner_->dialect(); }

  common::Status transact(const common::sql::TxFunction& fn,
                          const common::sql::TxOptions& options) override {
    auto once = options;
    once.max_attempts = 1;
    // The rehearsal's outcome is dropped: only its effect on what fn captured remains.
    (void)inner_->transact(
        [&](common::sql::Connection& db) -> common::Status {
          (void)fn(db);
          return common::fail(common::ErrorCode::kConflict, "rolled back to be replayed");
        },
        once);
    return inner_->transact(fn, options);
  }

  common::Result<common::sql::Subscription> listen(std::string channel,
                                                   common::sql::PayloadCallback on_payload,
                                                   common::sql::ResyncCallback on_resync) override {
    return inner_->listen(std::move(channel), std::move(on_payload), std::move(on_resync));
  }

 private:
  std::unique_ptr<common::sql::Database> inner_;
};

}  // namespace groundcontrol::store::test
