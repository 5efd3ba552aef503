// Helpers for the NATS client tests: options with short timeouts for a test server, a
// thread-safe recorder of what libnats's callbacks report, and a poll-until helper.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/nats/connection.hpp"
#include "common/nats/connection_options.hpp"

namespace nats_test {

using namespace std::chrono_literals;

// Collects values from callback threads; the test thread waits for one to show up.
template <class T>
class Recorder {
 public:
  void add(T value) {
    const std::lock_guard lock(mutex_);
    values_.push_back(std::move(value));
    changed_.notify_all();
  }
  // True once a recorded value satisfies `match`, false after `timeout`.
  bool wait_for(const std::function<bool(const T&)>& match,
                std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      for (const auto& v : values_) {
        if (match(v)) return true;
      }
      return false;
    });
  }
  bool wait_for_value(const T& want, std::chrono::milliseconds timeout = 5s) {
    return wait_for([&](const T& v) { return v == want; }, timeout);
  }
  std::vector<T> values() const {
    const std::lock_guard lock(mutex_);
    return values_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<T> values_;
};

// Options for one test server: quick reconnects, short connect timeout.
inline common::nats::ConnectionOptions test_options(const std::string& url) {
  common::nats::ConnectionOptions options;
  options.servers = {url};
  options.name = "nats-client-test";
  options.connect_timeout = 1s;
  options.reconnect_wait = 100ms;
  options.reconnect_jitter = 0ms;
  options.reconnect_jitter_tls = 0ms;
  return options;
}

// The same, reporting state changes to `states` (which must outlive the connection).
inline common::nats::ConnectionOptions test_options(
    const std::string& url, Recorder<common::nats::ConnectionState>& states) {
  auto options = test_options(url);
  options.on_state = [&states](common::nats::ConnectionState s) { states.add(s); };
  return options;
}

// Polls `condition` every 20 ms until it holds (true) or `timeout` passes (false).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

}  // namespace nats_test
