// The hot path of a manifest GET without sockets: matching the path against the /v2/ route
// table plus the in-memory cache lookup, against a plain unordered_map lookup of the same key
// as the floor.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <unordered_map>

#include "common/crypto/hasher.hpp"
#include "common/http/router.hpp"
#include "common/log/logger.hpp"
#include "registry/http/oci_route.hpp"
#include "registry/registry_service.hpp"

namespace {

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("manifest_bench_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    service = registry::RegistryService::open(registry::RegistryConfig{dir.string()},
                                              common::log::null_logger())
                  .value();
    // An index with no children needs no blobs, so it can be stored directly.
    const std::string index =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
    (void)service
        ->put_manifest("library/app", "v1", index, "application/vnd.oci.image.index.v1+json")
        .value();
    for (const auto& endpoint : registry::http::oci_endpoints()) {
      (void)router
          .add({endpoint.methods, endpoint.pattern, endpoint.name,
                [](common::http::Request&, const common::http::RouteMatch&)
                    -> boost::asio::awaitable<common::http::Response> {
                  co_return common::http::Response(200);
                }})
          .value();
    }
  }
  ~Fixture() {
    service.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<registry::RegistryService> service;
  common::http::Router router{
      common::http::RouterConfig{[](const common::Error&) { return common::http::Response(404); }}};
};

void BM_ManifestGetPath(benchmark::State& state) {
  static Fixture fixture;
  for (auto _ : state) {
    common::http::RouteMatch match;
    (void)fixture.router.find(common::http::Method::kGet, "/v2/library/app/manifests/v1", match);
    const auto route = registry::http::oci_route(match);
    benchmark::DoNotOptimize(fixture.service->get_manifest(route.name, route.reference).value());
  }
}
BENCHMARK(BM_ManifestGetPath)->Threads(1)->Threads(2);

void BM_UnorderedMapFloor(benchmark::State& state) {
  static const std::unordered_map<std::string, std::string> map = {{"library/app:v1", "manifest"}};
  for (auto _ : state) benchmark::DoNotOptimize(map.find(std::string("library/app:v1")));
}
BENCHMARK(BM_UnorderedMapFloor);

}  // namespace

BENCHMARK_MAIN();
