// The routes every server offers, for its Router table:
//   GET/HEAD /healthz  "ok" (200) while the application's readiness check passes, else
//                      "not ready" (503); always open, it tells nothing
//   GET/HEAD /metrics  Metrics::render() as Prometheus text, behind the filters the
//                      application gives (the registry puts its authentication there)
// Ownership: metrics_route() borrows `metrics` for the Router's lifetime.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "common/http/metrics.hpp"
#include "common/http/router.hpp"

namespace common::http {

namespace route_name {
inline constexpr std::string_view kHealth = "healthz";
inline constexpr std::string_view kMetrics = "metrics";
inline constexpr std::string_view kUnmatched = "unmatched";  // Response::route's default
}  // namespace route_name

// /healthz; `ready` may be empty (always ready) and runs on the I/O thread: keep it cheap.
Route health_route(std::function<bool()> ready = {});
// /metrics, rendering `metrics` after `filters` let the request through.
Route metrics_route(const Metrics& metrics, std::vector<Filter> filters = {});

}  // namespace common::http
