// RegistryMetrics: the registry's request metrics in one place (Envoy-style stats struct):
// requests by route and status, a latency histogram per route and bytes served, rendered
// as Prometheus text together with the stored blob count and bytes.
// Thread-safety: record() is lock-free (relaxed atomics) and safe from every I/O thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "registry/registry_service.hpp"

namespace registry::http {

// Route names used in logs and metrics. Response::route points at one of these.
namespace route {
inline constexpr std::string_view kBase = "base";
inline constexpr std::string_view kCatalog = "catalog";
inline constexpr std::string_view kTags = "tags";
inline constexpr std::string_view kManifest = "manifest";
inline constexpr std::string_view kBlob = "blob";
inline constexpr std::string_view kUploadStart = "upload_start";
inline constexpr std::string_view kUpload = "upload";
inline constexpr std::string_view kReferrers = "referrers";
inline constexpr std::string_view kHealth = "healthz";
inline constexpr std::string_view kMetrics = "metrics";
inline constexpr std::string_view kUnmatched = "unmatched";
inline constexpr std::array kAll = {kBase,   kCatalog,     kTags,     kManifest,
                                    kBlob,   kUploadStart, kUpload,   kReferrers,
                                    kHealth, kMetrics,     kUnmatched};
}  // namespace route

class RegistryMetrics {
 public:
  void record(std::string_view route, int status, std::uint64_t bytes_sent,
              std::chrono::nanoseconds duration);
  // Prometheus text exposition format.
  std::string render(const StorageStats& storage) const;

 private:
  static constexpr std::array<int, 18> kStatuses = {200, 201, 202, 204, 206, 307, 400, 401, 403,
                                                    404, 405, 413, 416, 429, 431, 500, 503, 507};
  static constexpr std::size_t kOtherStatus = kStatuses.size();
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.005, 0.01, 0.05,
                                                      0.1,    0.5,   1,     5,    30};
  static constexpr std::size_t kRoutes = route::kAll.size();

  std::array<std::array<std::atomic<std::uint64_t>, kStatuses.size() + 1>, kRoutes> requests_{};
  std::array<std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1>, kRoutes>
      latency_buckets_{};
  std::array<std::atomic<std::uint64_t>, kRoutes> latency_sum_us_{};
  std::atomic<std::uint64_t> bytes_sent_{0};
};

}  // namespace registry::http
