// The longpoll and hold phases: `satellites` connections, each GETs its state once (the
// ETag), then parks a long-poll (?wait=, If-None-Match). A controller on the first thread
// waits until every request is out and ground control's /metrics counts them held, then:
//   longpoll  notes the time and replaces the Harbor-sourced artifacts of `group` (one new
//             random digest, ?full=true) through the management API; each satellite's 200
//             is timed from that instant (p50/p99/max of "change seen")
//   hold      prints "HELD n" and keeps the connections for `duration` seconds, so that the
//             script reads the server's memory; an answer while held is an error
#include <fmt/format.h>

#include <boost/beast/http/field.hpp>

#include "api_session.hpp"
#include "group_change.hpp"
#include "pacing.hpp"
#include "phases.hpp"
#include "report.hpp"
#include "sim_threads.hpp"

namespace fleet_sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

struct LongPollRun {
  const SimOptions& options;
  asio::ip::tcp::endpoint endpoint;
  bool hold = false;
  ConnectGate gate{64};
  std::atomic<std::size_t> parked{0};    // requests written
  std::atomic<std::size_t> settled{0};   // connections parked or failed before parking
  std::atomic<std::size_t> answered{0};  // long-polls answered (or failed) after parking
  std::atomic<std::int64_t> change_ns{0};
};

asio::awaitable<void> parked_satellite(asio::io_context& io, asio::ssl::context& tls,
                                       const SatelliteIdentity& identity, LongPollRun& run,
                                       RunTally& tally) {
  HttpsConnection connection(io, tls, &identity);
  co_await run.gate.enter();
  auto ec = co_await connection.connect(run.endpoint);
  run.gate.leave();
  HttpRequest request{http::verb::get, run.options.state_path, 11};
  request.set(http::field::host, "ground-control");
  HttpResponse response;
  if (!ec) ec = co_await connection.exchange(request, response);
  const auto etag = std::string(response[http::field::etag]);
  if (ec || response.result_int() != 200 || etag.empty()) {
    tally.error(
        fmt::format("{}: first GET: {} {}", identity.name, ec.message(), response.result_int()));
    ++run.settled;
    co_return;
  }
  request.target(fmt::format("{}?wait={}", run.options.state_path, run.options.wait));
  request.set(http::field::if_none_match, etag);
  ec = co_await connection.write(request);
  if (!ec) ++run.parked;
  ++run.settled;
  if (!ec) ec = co_await connection.read(response);
  const auto done = steady_ns();
  const auto changed = run.change_ns.load();
  if (ec)
    tally.error(fmt::format("{}: long-poll: {}", identity.name, ec.message()));
  else if (run.hold || changed == 0)
    tally.error(fmt::format("{}: long-poll answered {} before any change", identity.name,
                            response.result_int()));
  else if (response.result_int() != 200)
    tally.error(fmt::format("{}: long-poll answered {} (expected 200 after the change)",
                            identity.name, response.result_int()));
  else {
    ++tally.ok;
    tally.latency.add(std::chrono::nanoseconds(done - changed));
  }
  ++run.answered;
}

asio::awaitable<void> controller(asio::io_context& io, asio::ssl::context& tls, LongPollRun& run,
                                 IoThreads& threads, RunTally& tally) {
  const auto& options = run.options;
  const auto count = options.satellites;
  ApiSession session(io, tls, parse_endpoint(options.management_api));
  if (!run.hold) {
    if (auto ok = co_await session.login(options.admin_password); !ok) {
      tally.error(ok.error().message());
      threads.stop();
      co_return;
    }
  }
  (void)co_await wait_until([&] { return run.settled.load() == count; }, std::chrono::minutes(5),
                            std::chrono::milliseconds(10));
  const auto parked = run.parked.load();
  // Written is not yet held: wait until the server counts every one of them waiting.
  for (const auto give_up = Clock::now() + std::chrono::seconds(60); Clock::now() < give_up;) {
    auto held = co_await session.gauge("groundcontrol_long_polls_held");
    if (!held) {
      tally.error(held.error().message());
      break;
    }
    if (*held >= static_cast<double>(parked)) break;
    co_await sleep_for(std::chrono::milliseconds(50));
  }
  fmt::print(stderr, "fleet-sim {}: {} long-polls held\n", options.phase, parked);
  if (run.hold) {
    fmt::print("HELD {}\n", parked);
    std::fflush(stdout);
    co_await sleep_for(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options.duration)));
    tally.ok += parked - std::min(parked, run.answered.load());
    threads.stop();
    co_return;
  }
  run.change_ns = steady_ns();
  const auto document = changed_state();
  auto put = co_await session.call(
      http::verb::put, "/api/v1/groups/" + options.group + "/state?full=true", document);
  const auto put_ms = (steady_ns() - run.change_ns.load()) / 1e6;
  if (!put || put->status != 200) {
    tally.error("group change: " + (put ? describe(*put) : put.error().message()));
  } else {
    fmt::print(stderr, "fleet-sim longpoll: PUT /api/v1/groups/{}/state answered in {:.1f} ms\n",
               options.group, put_ms);
  }
  (void)co_await wait_until([&] { return run.answered.load() >= parked; },
                            std::chrono::seconds(options.wait + 10), std::chrono::milliseconds(5));
  threads.stop();
}

}  // namespace

int run_long_polls(const SimOptions& options) {
  auto fleet = load_fleet(options.dir, options.satellites);
  if (!fleet) {
    fmt::print(stderr, "fleet-sim {}: {}\n", options.phase, fleet.error().message());
    return 1;
  }
  LongPollRun run{options, parse_endpoint(options.satellite_api), options.phase == "hold"};
  SimThreads threads(options.threads, options.ca_file);
  for (std::size_t c = 0; c < fleet->size(); ++c)
    threads.spawn(c, [&, identity = &(*fleet)[c]](asio::io_context& io, asio::ssl::context& tls,
                                                  RunTally& tally) {
      return parked_satellite(io, tls, *identity, run, tally);
    });
  RunTally control;  // the controller's: written by thread 0 only, read after the run
  threads.spawn(0, [&](asio::io_context& io, asio::ssl::context& tls, RunTally&) {
    return controller(io, tls, run, threads.io(), control);
  });
  const auto began = Clock::now();
  threads.run();
  const std::chrono::duration<double> took = Clock::now() - began;
  auto total = threads.merged();
  if (run.hold) total.ok = control.ok;
  total.merge(RunTally{0, control.errors, control.first_error, {}});
  const int status = report(options.phase, total, took.count());
  return status != 0 || total.ok < options.satellites ? 1 : 0;
}

}  // namespace fleet_sim
