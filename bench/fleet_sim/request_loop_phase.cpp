// The poll and heartbeat phases: `connections` keep-alive mTLS connections, each one
// satellite (its own certificate), each a closed loop of one request at a time. Every
// connection first GETs its state once (200: the ETag to send back), then all start
// together and run for `duration` seconds; only answers inside that window count.
//   poll       GET state_path with If-None-Match: the ETag → expects 304
//   heartbeat  POST /satellite/v1/heartbeat with the applied digest → expects 200
// The same code polls a peer (nginx) serving a static file at state_path.
#include <fmt/format.h>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include <ctime>

#include "https_connection.hpp"
#include "pacing.hpp"
#include "phases.hpp"
#include "report.hpp"
#include "sim_threads.hpp"

namespace fleet_sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

struct LoopRun {
  const SimOptions& options;
  asio::ip::tcp::endpoint endpoint;
  bool heartbeat = false;
  std::size_t connections = 0;
  ConnectGate gate{64};
  std::atomic<std::size_t> ready{0};
  std::atomic<std::int64_t> start_ns{0};  // set by the last connection to get ready
};

std::string rfc3339_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

HttpRequest heartbeat_request(const std::string& digest, std::uint64_t beats) {
  HttpRequest request{http::verb::post, "/satellite/v1/heartbeat", 11};
  request.set(http::field::host, "ground-control");
  request.set(http::field::content_type, "application/json");
  request.body() = nlohmann::json{
      {"version", "fleet-sim/1"},
      {"uptimeSeconds", 3600 + beats},
      {"diskUsedBytes", 1'000'000'000},
      {"diskFreeBytes", 9'000'000'000},
      {"bytesTransferred", beats * 1024},
      {"stateDigest", digest},
      {"time",
       rfc3339_now()}}.dump();
  return request;
}

// Connects and learns the state's ETag (its digest, quoted); the error otherwise.
asio::awaitable<common::Result<std::string>> prime(HttpsConnection& connection, LoopRun& run) {
  co_await run.gate.enter();
  const auto ec = co_await connection.connect(run.endpoint);
  run.gate.leave();
  if (ec) co_return common::fail(common::ErrorCode::kUnavailable, "connect: " + ec.message());
  HttpRequest request{http::verb::get, run.options.state_path, 11};
  request.set(http::field::host, "ground-control");
  HttpResponse response;
  if (auto ec = co_await connection.exchange(request, response))
    co_return common::fail(common::ErrorCode::kUnavailable, "first GET: " + ec.message());
  const auto etag = std::string(response[http::field::etag]);
  if (response.result_int() != 200 || etag.empty())
    co_return common::fail(common::ErrorCode::kInternal,
                           fmt::format("first GET: {} without ETag", response.result_int()));
  co_return etag;
}

asio::awaitable<void> satellite_loop(asio::io_context& io, asio::ssl::context& tls,
                                     const SatelliteIdentity& identity, LoopRun& run,
                                     RunTally& tally) {
  HttpsConnection connection(io, tls, &identity);
  auto etag = co_await prime(connection, run);
  if (run.ready.fetch_add(1) + 1 == run.connections) run.start_ns = steady_ns();
  if (!etag) {
    tally.error(identity.name + ": " + etag.error().message());
    co_return;
  }
  (void)co_await wait_until([&] { return run.start_ns.load() != 0; }, std::chrono::minutes(5));
  const auto end = Clock::time_point(std::chrono::nanoseconds(run.start_ns.load())) +
                   std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(run.options.duration));
  const auto digest = etag->substr(1, etag->size() - 2);
  HttpRequest poll{http::verb::get, run.options.state_path, 11};
  poll.set(http::field::host, "ground-control");
  poll.set(http::field::if_none_match, *etag);
  const unsigned expected = run.heartbeat ? 200 : 304;
  HttpResponse response;
  for (std::uint64_t n = 0;; ++n) {
    const auto began = Clock::now();
    if (began >= end) break;
    HttpRequest beat;
    if (run.heartbeat) beat = heartbeat_request(digest, n);
    if (auto ec = co_await connection.exchange(run.heartbeat ? beat : poll, response)) {
      tally.error(identity.name + ": " + ec.message());
      co_return;
    }
    const auto done = Clock::now();
    if (done > end) break;
    if (response.result_int() != expected) {
      tally.error(fmt::format("{}: status {} (expected {}): {}", identity.name,
                              response.result_int(), expected, response.body().substr(0, 200)));
      continue;
    }
    ++tally.ok;
    tally.latency.add(done - began);
  }
}

}  // namespace

int run_request_loop(const SimOptions& options) {
  auto fleet = load_fleet(options.dir, options.satellites);
  if (!fleet) {
    fmt::print(stderr, "fleet-sim {}: {}\n", options.phase, fleet.error().message());
    return 1;
  }
  LoopRun run{options, parse_endpoint(options.satellite_api), options.phase == "heartbeat",
              options.connections ? options.connections : options.satellites};
  SimThreads threads(options.threads, options.ca_file);
  for (std::size_t c = 0; c < run.connections; ++c)
    threads.spawn(c, [&, identity = &(*fleet)[c % fleet->size()]](
                         asio::io_context& io, asio::ssl::context& tls, RunTally& tally) {
      return satellite_loop(io, tls, *identity, run, tally);
    });
  threads.run();
  auto total = threads.merged();
  fmt::print(stderr, "fleet-sim {}: {} connections over {} threads against {}{}\n", options.phase,
             run.connections, threads.io().size(), options.satellite_api,
             run.heartbeat ? "/satellite/v1/heartbeat" : options.state_path);
  const int status = report(options.phase, total, options.duration);
  return status != 0 || total.ok == 0 ? 1 : 0;
}

}  // namespace fleet_sim
