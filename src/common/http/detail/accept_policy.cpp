#include "common/http/detail/accept_policy.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>
#include <limits>

namespace common::http::detail {

std::size_t connections_within(std::uint64_t fd_limit) {
  constexpr std::uint64_t kReserve = 64;
  const auto budget = std::max(fd_limit - std::min(fd_limit, kReserve), fd_limit / 2);
  return static_cast<std::size_t>(
      std::clamp<std::uint64_t>(budget, 1, std::numeric_limits<std::size_t>::max()));
}

bool worth_backing_off(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  return ec == error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
         ec == error::no_buffer_space || ec == error::no_memory;
}

std::chrono::milliseconds backoff_delay(std::size_t failures) {
  const auto doublings = std::min<std::size_t>(failures, 7);
  return std::min(std::chrono::milliseconds(10 << doublings), std::chrono::milliseconds(1000));
}

}  // namespace common::http::detail
