#include "registry/http/authenticator.hpp"

#include <string>

#include "common/http/offload.hpp"

namespace registry::http {

namespace {

constexpr std::chrono::seconds kBusyRetryAfter{1};

std::chrono::seconds at_least_one_second(std::chrono::milliseconds wait) {
  return std::max(std::chrono::ceil<std::chrono::seconds>(wait), std::chrono::seconds(1));
}

// Holds one of the pending password-check slots until destroyed.
class PendingSlot {
 public:
  explicit PendingSlot(std::atomic<std::size_t>& pending) : pending_(pending) {}
  ~PendingSlot() { pending_.fetch_sub(1, std::memory_order_relaxed); }
  PendingSlot(const PendingSlot&) = delete;
  PendingSlot& operator=(const PendingSlot&) = delete;

 private:
  std::atomic<std::size_t>& pending_;
};

}  // namespace

Authenticator::Authenticator(HtpasswdAuth& auth, LoginRateLimiter& limiter,
                             boost::asio::thread_pool& pool, AuthenticatorConfig config)
    : auth_(auth), limiter_(limiter), pool_(pool), config_(config) {}

boost::asio::awaitable<Authenticator::Outcome> Authenticator::check(
    std::string_view authorization, std::string_view remote_address) {
  if (auto cached = auth_.check_cached(authorization)) {
    co_return Outcome{*cached ? Verdict::kAllowed : Verdict::kDenied};
  }
  // Copies: the check outlives the caller's first suspension.
  const std::string header(authorization);
  const std::string address(remote_address);
  const auto admission = limiter_.try_acquire(address);
  if (!admission.admitted) {
    co_return Outcome{Verdict::kThrottled, at_least_one_second(admission.retry_after)};
  }
  if (pending_.fetch_add(1, std::memory_order_relaxed) >= config_.max_pending) {
    pending_.fetch_sub(1, std::memory_order_relaxed);
    limiter_.refund(address);  // no check ran
    co_return Outcome{Verdict::kBusy, kBusyRetryAfter};
  }
  bool ok = false;
  {
    PendingSlot slot(pending_);
    // Runs on the password pool; resumes on this connection's executor.
    ok = co_await common::http::offload(pool_, [&] { return auth_.verify(header); });
  }
  if (!ok) co_return Outcome{Verdict::kDenied};
  limiter_.refund(address);
  co_return Outcome{Verdict::kAllowed};
}

}  // namespace registry::http
