#include "groundcontrol/service/login_throttle.hpp"

#include <algorithm>

namespace groundcontrol::service {

std::string LoginThrottle::key(std::string_view user, std::string_view address) {
  std::string out(user);
  out.push_back('\n');
  out.append(address);
  return out;
}

std::chrono::seconds LoginThrottle::wait_for(std::string_view user,
                                             std::string_view address) const {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key(user, address));
  if (found == entries_.end()) return std::chrono::seconds(0);
  const auto now = clock_.steady_now();
  if (found->second.next_allowed <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(found->second.next_allowed - now);
}

void LoginThrottle::failed(std::string_view user, std::string_view address) {
  std::lock_guard lock(mutex_);
  auto k = key(user, address);
  auto found = entries_.find(k);
  if (found == entries_.end()) {
    if (entries_.size() >= kMaxEntries) {
      entries_.erase(ages_.front());
      ages_.pop_front();
    }
    ages_.push_back(k);
    found = entries_.emplace(std::move(k), Entry{0, {}, std::prev(ages_.end())}).first;
  }
  auto& entry = found->second;
  ++entry.failures;
  if (entry.failures < kFreeFailures) return;
  const auto doublings = std::min(entry.failures - kFreeFailures, 9);  // 1 s · 2^9 > 5 min
  const auto delay =
      std::min<std::chrono::seconds>(std::chrono::seconds(1LL << doublings), kMaxDelay);
  entry.next_allowed = clock_.steady_now() + delay;
}

void LoginThrottle::succeeded(std::string_view user, std::string_view address) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key(user, address));
  if (found == entries_.end()) return;
  ages_.erase(found->second.age);
  entries_.erase(found);
}

}  // namespace groundcontrol::service
