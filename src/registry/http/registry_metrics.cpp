#include "registry/http/registry_metrics.hpp"

#include <fmt/format.h>

namespace registry::http {

namespace {

std::size_t route_index(std::string_view name) {
  for (std::size_t i = 0; i < route::kAll.size(); ++i) {
    if (route::kAll[i].data() == name.data() || route::kAll[i] == name) return i;
  }
  return route::kAll.size() - 1;  // unmatched
}

}  // namespace

void RegistryMetrics::record(std::string_view route, int status, std::uint64_t bytes_sent,
                             std::chrono::nanoseconds duration) {
  const auto r = route_index(route);
  std::size_t s = kOtherStatus;
  for (std::size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) {
      s = i;
      break;
    }
  }
  requests_[r][s].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(duration).count();
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  latency_buckets_[r][b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_[r].fetch_add(static_cast<std::uint64_t>(seconds * 1e6),
                               std::memory_order_relaxed);
  bytes_sent_.fetch_add(bytes_sent, std::memory_order_relaxed);
}

std::string RegistryMetrics::render(const StorageStats& storage) const {
  std::string out;
  out += "# HELP registry_http_requests_total Requests answered, by route and status.\n";
  out += "# TYPE registry_http_requests_total counter\n";
  for (std::size_t r = 0; r < kRoutes; ++r) {
    for (std::size_t s = 0; s <= kStatuses.size(); ++s) {
      const auto count = requests_[r][s].load(std::memory_order_relaxed);
      if (count == 0) continue;
      const auto status = s == kOtherStatus ? std::string("other") : std::to_string(kStatuses[s]);
      out += fmt::format("registry_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         route::kAll[r], status, count);
    }
  }
  out +=
      "# HELP registry_http_request_duration_seconds Time from request header to response "
      "written.\n";
  out += "# TYPE registry_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < kRoutes; ++r) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b)
      cumulative += latency_buckets_[r][b].load(std::memory_order_relaxed);
    if (cumulative == 0) continue;
    std::uint64_t running = 0;
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      running += latency_buckets_[r][b].load(std::memory_order_relaxed);
      out += fmt::format(
          "registry_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
          route::kAll[r], kBuckets[b], running);
    }
    out += fmt::format(
        "registry_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
        route::kAll[r], cumulative);
    out += fmt::format(
        "registry_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", route::kAll[r],
        static_cast<double>(latency_sum_us_[r].load(std::memory_order_relaxed)) / 1e6);
    out += fmt::format("registry_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                       route::kAll[r], cumulative);
  }
  out += "# HELP registry_http_response_bytes_total Response body bytes sent.\n";
  out += "# TYPE registry_http_response_bytes_total counter\n";
  out += fmt::format("registry_http_response_bytes_total {}\n",
                     bytes_sent_.load(std::memory_order_relaxed));
  out +=
      "# HELP registry_storage_blobs Blobs stored on disk.\n# TYPE registry_storage_blobs gauge\n";
  out += fmt::format("registry_storage_blobs {}\n", storage.blobs);
  out +=
      "# HELP registry_storage_bytes Bytes of blob data stored on disk.\n# TYPE "
      "registry_storage_bytes gauge\n";
  out += fmt::format("registry_storage_bytes {}\n", storage.bytes);
  return out;
}

}  // namespace registry::http
