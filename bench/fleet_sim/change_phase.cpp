// The change phase (issue 15's scale run), the controller of the converge processes:
//   1. waits until the replicas (--management, a list) together hold `expect_held`
//      long-polls (groundcontrol_long_polls_held of each);
//   2. writes "STEADY_NS WALL_MS" to --change-file (renamed into place: the holders read it
//      whole) and replaces the group's state through the first replica;
//   3. with --kill-pid, SIGKILLs that process kill_after_ms later (a replica dying mid-run);
//   4. waits until the replicas recorded `members` more answers
//      (groundcontrol_nats_answers_recorded_total; a replica that stops answering keeps the
//      count it had) — "recorded_ms"; after a kill, when the sum stalls, the instant the
//      database showed every member Done instead (step 5's first complete pass);
//   5. checks through the first replica that every member's sync.state command for its new
//      desired state is Done (the database, not a counter: what a killed replica recorded
//      counts, and nothing was lost), retrying until `duration` has passed.
#include <fmt/format.h>

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "api_session.hpp"
#include "group_change.hpp"
#include "pacing.hpp"
#include "phases.hpp"
#include "report.hpp"
#include "satellite_identity.hpp"
#include "sim_threads.hpp"

namespace fleet_sim {
namespace {

namespace asio = boost::asio;
using boost::beast::http::verb;
using Clock = std::chrono::steady_clock;

struct ChangeRun {
  const SimOptions& options;
  std::vector<asio::ip::tcp::endpoint> replicas;
  double put_ms = 0;
  double recorded_ms = -1;  // -1: not reached
  std::size_t done = 0;
  std::size_t missing = 0;
  std::string first_missing;
  bool ok = false;
};

// The sum over the replicas still answering of gauge `name`; `last` keeps each one's
// latest value, which is what a replica that died counts.
asio::awaitable<double> fleet_sum(std::vector<std::unique_ptr<ApiSession>>& sessions,
                                  std::vector<double>& last, const std::string& name) {
  double sum = 0;
  for (std::size_t r = 0; r < sessions.size(); ++r) {
    if (auto value = co_await sessions[r]->gauge(name)) last[r] = *value;
    sum += last[r];
  }
  co_return sum;
}

// True when satellite `name`'s sync.state command for its desired state is Done.
asio::awaitable<common::Result<bool>> acknowledged(ApiSession& session, const std::string& name) {
  const nlohmann::json none;
  auto satellite = co_await session.call(verb::get, "/api/v1/satellites/" + name, none);
  if (!satellite) co_return common::fail(satellite.error());
  if (satellite->status != 200)
    co_return common::fail(common::ErrorCode::kInternal, name + ": " + describe(*satellite));
  const auto desired = satellite->body["status"].value("desiredStateDigest", std::string());
  auto commands =
      co_await session.call(verb::get, "/api/v1/satellites/" + name + "/commands?limit=20", none);
  if (!commands) co_return common::fail(commands.error());
  if (commands->status != 200)
    co_return common::fail(common::ErrorCode::kInternal, name + ": " + describe(*commands));
  for (const auto& command : commands->body["items"])
    if (command.value("type", "") == "sync.state" && command.value("stateDigest", "") == desired &&
        command.value("phase", "") == "Done")
      co_return true;
  co_return false;
}

asio::awaitable<void> change(asio::io_context& io, asio::ssl::context& tls, ChangeRun& run,
                             IoThreads& threads, RunTally& tally) {
  const auto& options = run.options;
  std::vector<std::unique_ptr<ApiSession>> sessions;
  for (const auto& endpoint : run.replicas)
    sessions.push_back(std::make_unique<ApiSession>(io, tls, endpoint));
  auto& api = *sessions.front();
  if (auto ok = co_await api.login(options.admin_password); !ok) {
    tally.error(ok.error().message());
    threads.stop();
    co_return;
  }
  std::vector<double> last(sessions.size(), 0);
  double held = 0;
  for (const auto give_up = Clock::now() + std::chrono::minutes(10); Clock::now() < give_up;) {
    held = co_await fleet_sum(sessions, last, "groundcontrol_long_polls_held");
    if (held >= static_cast<double>(options.expect_held)) break;
    co_await sleep_for(std::chrono::milliseconds(100));
  }
  std::vector<double> answers_last(sessions.size(), 0);
  const auto answers_before =
      co_await fleet_sum(sessions, answers_last, "groundcontrol_nats_answers_recorded_total");
  fmt::print(stderr, "fleet-sim change: {} long-polls held; changing group {}\n", held,
             options.group);

  const auto change_ns = steady_ns();
  const auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  {
    const auto temporary = options.change_file + ".tmp";
    std::ofstream(temporary) << change_ns << ' ' << wall_ms << '\n';
    std::filesystem::rename(temporary, options.change_file);
  }
  const auto document = changed_state();
  auto put = co_await api.call(verb::put, "/api/v1/groups/" + options.group + "/state?full=true",
                               document);
  run.put_ms = (steady_ns() - change_ns) / 1e6;
  if (!put || put->status != 200) {
    tally.error("group change: " + (put ? describe(*put) : put.error().message()));
    threads.stop();
    co_return;
  }
  if (options.kill_pid > 0) {
    const auto after = std::chrono::milliseconds(options.kill_after_ms);
    const auto waited = std::chrono::nanoseconds(steady_ns() - change_ns);
    if (after > waited) co_await sleep_for(after - waited);
    ::kill(options.kill_pid, SIGKILL);
    fmt::print(stderr, "fleet-sim change: killed pid {} {} ms after the change\n", options.kill_pid,
               (steady_ns() - change_ns) / 1000000);
  }
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options.duration));
  // A killed replica's counter stops where it was last read, and an answer it recorded
  // unread is recorded no second time by the replica JetStream redelivers it to: the sum can
  // stay short. When it stops moving for kStall, the database decides (below).
  constexpr auto kStall = std::chrono::seconds(2);
  double answers_seen = -1;
  auto moved_at = Clock::now();
  while (Clock::now() < deadline) {
    const auto answers =
        co_await fleet_sum(sessions, answers_last, "groundcontrol_nats_answers_recorded_total");
    if (answers - answers_before >= static_cast<double>(options.members)) {
      run.recorded_ms = (steady_ns() - change_ns) / 1e6;
      break;
    }
    if (answers != answers_seen) {
      answers_seen = answers;
      moved_at = Clock::now();
    } else if (options.kill_pid > 0 && Clock::now() - moved_at > kStall) {
      break;
    }
    co_await sleep_for(std::chrono::milliseconds(20));
  }
  // The database's word: every member's command Done.
  std::vector<std::size_t> unsettled;
  for (std::size_t i = 0; i < options.members; ++i) unsettled.push_back(i);
  do {
    std::vector<std::size_t> still;
    for (const auto i : unsettled) {
      auto done = co_await acknowledged(api, satellite_name(i));
      if (!done || !*done) still.push_back(i);
      if (!done && run.first_missing.empty()) run.first_missing = done.error().message();
    }
    unsettled = std::move(still);
    if (unsettled.empty() && run.recorded_ms < 0) run.recorded_ms = (steady_ns() - change_ns) / 1e6;
    if (unsettled.empty() || Clock::now() >= deadline) break;
    co_await sleep_for(std::chrono::seconds(1));
  } while (true);
  run.missing = unsettled.size();
  run.done = options.members - run.missing;
  if (run.missing > 0 && run.first_missing.empty())
    run.first_missing = satellite_name(unsettled.front()) + ": its sync command is not Done";
  run.ok = run.missing == 0;
  threads.stop();
}

}  // namespace

int run_change(const SimOptions& options) {
  ChangeRun run{options, {}};
  for (const auto& address : split_list(options.management_api))
    run.replicas.push_back(parse_endpoint(address));
  SimThreads threads(1, options.ca_file);
  RunTally tally;
  threads.spawn(0, [&](asio::io_context& io, asio::ssl::context& tls, RunTally&) {
    return change(io, tls, run, threads.io(), tally);
  });
  const auto began = Clock::now();
  threads.run();
  const std::chrono::duration<double> took = Clock::now() - began;
  fmt::print(stderr,
             "fleet-sim change: PUT {:.1f} ms; {} answers recorded at {:.1f} ms; {} of {} "
             "members Done{}\n",
             run.put_ms, options.members, run.recorded_ms, run.done, options.members,
             run.missing ? " (first missing: " + run.first_missing + ")" : "");
  if (tally.errors) fmt::print(stderr, "fleet-sim change: {}\n", tally.first_error);
  fmt::print(
      "RESULT phase=change put_ms={:.1f} recorded_ms={:.1f} done={} missing={} seconds={:.3f}\n",
      run.put_ms, run.recorded_ms, run.done, run.missing, took.count());
  std::fflush(stdout);
  return run.ok && tally.errors == 0 ? 0 : 1;
}

}  // namespace fleet_sim
