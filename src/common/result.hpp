// Result<T>: the value-or-Error type every fallible call returns at a component boundary.
// An Error carries an ErrorCode (which decides the HTTP status at the edge), a message for
// humans and an optional detail. Values are plain data, safe to copy between threads.
#pragma once

#include <expected>
#include <string>
#include <utility>

#include "common/error_code.hpp"

namespace common {

class Error {
 public:
  Error(ErrorCode code, std::string message, std::string detail = {})
      : code_(code), message_(std::move(message)), detail_(std::move(detail)) {}

  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorCode code_;
  std::string message_;
  std::string detail_;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = Result<void>;

// fail(code, "why") builds the error side of any Result.
inline std::unexpected<Error> fail(ErrorCode code, std::string message, std::string detail = {}) {
  return std::unexpected<Error>(std::in_place, code, std::move(message), std::move(detail));
}

// Re-wraps the error of one Result as the error of another Result type.
inline std::unexpected<Error> fail(Error error) {
  return std::unexpected<Error>(std::move(error));
}

}  // namespace common
