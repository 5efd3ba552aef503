#include "common/http/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace common::http {

namespace {

constexpr std::string_view kUnmatched = "unmatched";

bool valid_route_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name) {
  const auto head = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  };
  return !name.empty() && head(name[0]) && std::all_of(name.begin(), name.end(), [&](char c) {
    return head(c) || (c >= '0' && c <= '9');
  });
}

// Prometheus escaping: '\\' and newlines in HELP text; those and '"' in label values.
std::string escape(std::string_view text, bool quote) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  return escape(help, false);
}

std::string escape_label(std::string_view value) {
  return escape(value, true);
}

// One series of a histogram family: its cumulative buckets, +Inf, _sum and _count, from one
// snapshot so that they agree even while durations are recorded. `labels` is `key="value"`.
void render_series(std::string& out, std::string_view family, std::string_view labels,
                   const LatencyHistogram::Snapshot& snapshot) {
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < LatencyHistogram::kBounds.size(); ++b) {
    cumulative += snapshot.counts[b];
    out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", family, labels,
                       LatencyHistogram::kBounds[b], cumulative);
  }
  out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", family, labels, snapshot.total);
  out += fmt::format("{}_sum{{{}}} {:.6f}\n", family, labels, snapshot.sum_seconds);
  out += fmt::format("{}_count{{{}}} {}\n", family, labels, snapshot.total);
}

}  // namespace

Metrics::Metrics(std::string prefix) : prefix_(std::move(prefix)) {
  routes_.push_back(std::make_unique<RouteStats>());
  routes_.back()->name = kUnmatched;
}

Metrics::~Metrics() = default;

Status Metrics::add_route(std::string_view name) {
  if (!valid_route_name(name))
    return fail(ErrorCode::kInvalidArgument, "a route name is [a-z0-9_]+", std::string(name));
  for (const auto& route : routes_) {
    if (route->name == name) return {};
  }
  routes_.push_back(std::make_unique<RouteStats>());
  routes_.back()->name = name;
  return {};
}

Status Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  if (!valid_metric_name(name) || !read)
    return fail(ErrorCode::kInvalidArgument, "not a Prometheus metric name", name);
  for (const auto& gauge : gauges_) {
    if (gauge.name == name) return fail(ErrorCode::kAlreadyExists, "gauge exists", name);
  }
  gauges_.push_back(Gauge{std::move(name), escape_help(help), std::move(read)});
  return {};
}

Status Metrics::add_counter(std::string name, std::string help, std::function<double()> read) {
  if (auto added = add_gauge(std::move(name), std::move(help), std::move(read)); !added)
    return added;
  gauges_.back().type = "counter";
  return {};
}

Status Metrics::add_family(std::string name, std::string help, std::string type, std::string label,
                           std::function<Samples()> read) {
  if (!valid_metric_name(name) || !valid_metric_name(label) || !read)
    return fail(ErrorCode::kInvalidArgument, "not a Prometheus metric or label name", name);
  if (type != "gauge" && type != "counter")
    return fail(ErrorCode::kInvalidArgument, "a family is a gauge or a counter", type);
  for (const auto& family : families_) {
    if (family.name == name) return fail(ErrorCode::kAlreadyExists, "family exists", name);
  }
  families_.push_back(Family{std::move(name), escape_help(help), std::move(type), std::move(label),
                             std::move(read)});
  return {};
}

Status Metrics::add_histogram(std::string name, std::string help, std::string label,
                              Series series) {
  if (!valid_metric_name(name) || !valid_metric_name(label))
    return fail(ErrorCode::kInvalidArgument, "not a Prometheus metric or label name", name);
  for (const auto& [value, histogram] : series) {
    if (histogram == nullptr)
      return fail(ErrorCode::kInvalidArgument, "a histogram series needs its histogram", value);
  }
  for (const auto& histogram : histograms_) {
    if (histogram.name == name) return fail(ErrorCode::kAlreadyExists, "histogram exists", name);
  }
  histograms_.push_back(
      Histogram{std::move(name), escape_help(help), std::move(label), std::move(series)});
  return {};
}

Metrics::RouteStats& Metrics::stats_for(std::string_view route) noexcept {
  // Response::route points at the registered string itself, so the pointer usually decides.
  for (const auto& stats : routes_) {
    if (stats->name.data() == route.data() && stats->name.size() == route.size()) return *stats;
  }
  for (const auto& stats : routes_) {
    if (stats->name == route) return *stats;
  }
  return *routes_.front();
}

void Metrics::record(std::string_view route, int status, std::uint64_t bytes_sent,
                     std::chrono::nanoseconds duration) noexcept {
  auto& stats = stats_for(route);
  const auto known = std::find(kStatuses.begin(), kStatuses.end(), status);
  std::size_t slot = static_cast<std::size_t>(known - kStatuses.begin());
  if (known == kStatuses.end()) {
    slot = kStatuses.size() + static_cast<std::size_t>(std::clamp(status / 100, 1, 5) - 1);
  }
  stats.requests[slot].fetch_add(1, std::memory_order_relaxed);
  stats.durations.record(duration);
  bytes_sent_.fetch_add(bytes_sent, std::memory_order_relaxed);
}

void Metrics::render_requests(std::string& out) const {
  const auto family = prefix_ + "_http_requests_total";
  out += fmt::format("# HELP {} Requests answered, by route and status.\n", family);
  out += fmt::format("# TYPE {} counter\n", family);
  for (const auto& stats : routes_) {
    for (std::size_t s = 0; s < stats->requests.size(); ++s) {
      const auto count = stats->requests[s].load(std::memory_order_relaxed);
      if (count == 0) continue;
      const auto status = s < kStatuses.size() ? std::to_string(kStatuses[s])
                                               : fmt::format("{}xx", s - kStatuses.size() + 1);
      out +=
          fmt::format("{}{{route=\"{}\",status=\"{}\"}} {}\n", family, stats->name, status, count);
    }
  }
}

void Metrics::render_durations(std::string& out) const {
  const auto family = prefix_ + "_http_request_duration_seconds";
  out += fmt::format("# HELP {} Time from request header to response written.\n", family);
  out += fmt::format("# TYPE {} histogram\n", family);
  for (const auto& stats : routes_) {
    const auto snapshot = stats->durations.snapshot();
    if (snapshot.total == 0) continue;
    render_series(out, family, fmt::format("route=\"{}\"", stats->name), snapshot);
  }
}

std::string Metrics::render() const {
  std::string out;
  render_requests(out);
  render_durations(out);
  const auto bytes = prefix_ + "_http_response_bytes_total";
  out += fmt::format("# HELP {} Response body bytes sent.\n# TYPE {} counter\n{} {}\n", bytes,
                     bytes, bytes, bytes_sent_.load(std::memory_order_relaxed));
  for (const auto& gauge : gauges_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", gauge.name, gauge.help, gauge.name,
                       gauge.type, gauge.name, gauge.read());
  }
  for (const auto& family : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, family.help, family.name,
                       family.type);
    for (const auto& [value, sample] : family.read())
      out += fmt::format("{}{{{}=\"{}\"}} {}\n", family.name, family.label, escape_label(value),
                         sample);
  }
  for (const auto& histogram : histograms_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", histogram.name, histogram.help,
                       histogram.name);
    for (const auto& [value, series] : histogram.series)
      render_series(out, histogram.name,
                    fmt::format("{}=\"{}\"", histogram.label, escape_label(value)),
                    series->snapshot());
  }
  return out;
}

}  // namespace common::http
