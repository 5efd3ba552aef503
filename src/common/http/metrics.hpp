// Metrics: one server's HTTP metrics (Envoy-stats style), rendered as Prometheus text:
//   <prefix>_http_requests_total{route,status}       counter; status is the code for common
//                                                    ones, else its class ("4xx")
//   <prefix>_http_request_duration_seconds{route}    histogram (buckets 0.5 ms … 30 s)
//   <prefix>_http_response_bytes_total               counter of response body bytes
// plus the gauges the application registers (a registry's stored blobs, say). Routes register
// their names as the Router's table is built (Router::add), so there is no second list of
// routes; "unmatched" is always there and takes requests for names never registered.
// Thread-safety: add_route(), add_gauge() and add_family() before serving, from one thread;
// record() is lock-free (relaxed atomics) from every I/O thread; render() from any thread (gauge
// callbacks run on its thread).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/server.hpp"
#include "common/result.hpp"

namespace common::http {

class Metrics {
 public:
  // `prefix` names the metric families, e.g. "registry" or "groundcontrol".
  explicit Metrics(std::string prefix);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers a route name (a static string); idempotent. kInvalidArgument unless [a-z0-9_]+.
  [[nodiscard]] Status add_route(std::string_view name);
  // Registers a gauge read at each render(). kInvalidArgument for a name that is not a
  // Prometheus metric name; kAlreadyExists when the name is taken.
  [[nodiscard]] Status add_gauge(std::string name, std::string help, std::function<double()> read);

  // A family of samples by one label, read at each render(): `read` returns (label value,
  // sample) pairs, e.g. satellites by connectivity. `type` is "gauge" or "counter".
  using Samples = std::vector<std::pair<std::string, double>>;
  [[nodiscard]] Status add_family(std::string name, std::string help, std::string type,
                                  std::string label, std::function<Samples()> read);

  // Counts one finished request; a route never registered counts as "unmatched".
  void record(std::string_view route, int status, std::uint64_t bytes_sent,
              std::chrono::nanoseconds duration) noexcept;
  void record(const Exchange& exchange) noexcept {
    record(exchange.route, exchange.status, exchange.bytes_sent, exchange.duration);
  }

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  static constexpr std::array<int, 18> kStatuses = {200, 201, 202, 204, 206, 307, 400, 401, 403,
                                                    404, 405, 413, 416, 429, 431, 500, 503, 507};
  static constexpr std::size_t kClasses = 5;  // 1xx … 5xx, for the statuses not listed
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.005, 0.01, 0.05,
                                                      0.1,    0.5,   1,     5,    30};
  struct RouteStats {
    std::string_view name;
    std::array<std::atomic<std::uint64_t>, kStatuses.size() + kClasses> requests{};
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // not cumulative
    std::atomic<std::uint64_t> duration_ns{0};
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
  };

  struct Family {
    std::string name;
    std::string help;
    std::string type;
    std::string label;
    std::function<Samples()> read;
  };

  RouteStats& stats_for(std::string_view route) noexcept;
  void render_requests(std::string& out) const;
  void render_durations(std::string& out) const;

  std::string prefix_;
  std::vector<std::unique_ptr<RouteStats>> routes_;  // [0] is "unmatched"
  std::vector<Gauge> gauges_;
  std::vector<Family> families_;
  std::atomic<std::uint64_t> bytes_sent_{0};
};

}  // namespace common::http
