// LoginThrottle: backs off repeated failed logins per (user, client address), so that a
// stranger guessing admin's password slows only their own attempts and can never lock
// admin out from elsewhere. After kFreeFailures failures the pair must wait 1 s, doubling
// with each further failure up to 5 minutes; a success clears it. Bounded: beyond
// kMaxEntries pairs the oldest is forgotten. In memory, per replica (a replica restart
// forgives). Time from the injected Clock.
// Thread-safety: every call from any thread.
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"

namespace groundcontrol::service {

class LoginThrottle {
 public:
  static constexpr int kFreeFailures = 5;
  static constexpr std::size_t kMaxEntries = 10'000;
  static constexpr std::chrono::seconds kMaxDelay{300};

  explicit LoginThrottle(const common::Clock& clock) : clock_(clock) {}

  // How long the pair must still wait before its next attempt (zero: go ahead).
  std::chrono::seconds wait_for(std::string_view user, std::string_view address) const;
  void failed(std::string_view user, std::string_view address);
  void succeeded(std::string_view user, std::string_view address);

 private:
  struct Entry {
    int failures = 0;
    std::chrono::steady_clock::time_point next_allowed;
    std::list<std::string>::iterator age;
  };
  static std::string key(std::string_view user, std::string_view address);

  const common::Clock& clock_;
  mutable std::mutex mutex_;  // guards entries_, ages_
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> ages_;  // oldest first
};

}  // namespace groundcontrol::service
