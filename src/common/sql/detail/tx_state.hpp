// TxState: the bookkeeping of one transaction attempt that every backend connection keeps:
// the first failed call (which dooms the transaction, see Connection) and whether it is
// worth running the transaction again. Used by one thread at a time, like its connection.
#pragma once

#include <optional>
#include <utility>

#include "common/result.hpp"

namespace common::sql::detail {

class TxState {
 public:
  // A new attempt begins: forget the previous one.
  void reset() noexcept {
    first_error_.reset();
    retryable_ = false;
  }
  // Records a failed call and returns its error for the caller; the first failure dooms
  // the transaction and decides whether it is retryable.
  Error record(Error error, bool retryable) {
    if (!first_error_) {
      first_error_ = error;
      retryable_ = retryable;
    }
    return error;
  }
  // OK while nothing failed; else an error of the first failure's code saying so.
  Status check() const {
    if (!first_error_) return {};
    return fail(first_error_->code(), "transaction aborted by an earlier error",
                first_error_->message() + ": " + first_error_->detail());
  }
  const std::optional<Error>& first_error() const noexcept { return first_error_; }
  bool retryable() const noexcept { return retryable_; }

 private:
  std::optional<Error> first_error_;
  bool retryable_ = false;
};

}  // namespace common::sql::detail
