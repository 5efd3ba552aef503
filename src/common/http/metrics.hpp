// Metrics: one server's HTTP metrics (Envoy-stats style), rendered as Prometheus text:
//   <prefix>_http_requests_total{route,status}       counter; status is the code for common
//                                                    ones, else its class ("4xx")
//   <prefix>_http_request_duration_seconds{route}    histogram (LatencyHistogram's buckets)
//   <prefix>_http_response_bytes_total               counter of response body bytes
// plus the gauges the application registers (a registry's stored blobs, say). Routes register
// their names as the Router's table is built (Router::add), so there is no second list of
// routes; "unmatched" is always there and takes requests for names never registered.
// Thread-safety: add_route(), add_gauge(), add_family() and add_histogram() before serving,
// from one thread;
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
#include "common/latency_histogram.hpp"
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
  // The same for a counter the application keeps (a value that only grows, e.g. bytes
  // pulled); its name should end in _total.
  [[nodiscard]] Status add_counter(std::string name, std::string help,
                                   std::function<double()> read);

  // A family of samples by one label, read at each render(): `read` returns (label value,
  // sample) pairs, e.g. satellites by connectivity. `type` is "gauge" or "counter".
  using Samples = std::vector<std::pair<std::string, double>>;
  [[nodiscard]] Status add_family(std::string name, std::string help, std::string type,
                                  std::string label, std::function<Samples()> read);

  // A histogram family by one label, e.g. database transactions by kind: each series is a
  // LatencyHistogram its owner records into, which must outlive this Metrics' render()s.
  using Series = std::vector<std::pair<std::string, const LatencyHistogram*>>;
  [[nodiscard]] Status add_histogram(std::string name, std::string help, std::string label,
                                     Series series);

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
  struct RouteStats {
    std::string_view name;
    std::array<std::atomic<std::uint64_t>, kStatuses.size() + kClasses> requests{};
    LatencyHistogram durations;
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
    std::string_view type = "gauge";
  };

  struct Family {
    std::string name;
    std::string help;
    std::string type;
    std::string label;
    std::function<Samples()> read;
  };
  struct Histogram {
    std::string name;
    std::string help;
    std::string label;
    Series series;
  };

  RouteStats& stats_for(std::string_view route) noexcept;
  void render_requests(std::string& out) const;
  void render_durations(std::string& out) const;

  std::string prefix_;
  std::vector<std::unique_ptr<RouteStats>> routes_;  // [0] is "unmatched"
  std::vector<Gauge> gauges_;
  std::vector<Family> families_;
  std::vector<Histogram> histograms_;
  std::atomic<std::uint64_t> bytes_sent_{0};
};

}  // namespace common::http
