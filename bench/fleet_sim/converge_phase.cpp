// The converge phase (issue 15's scale run): satellites first, first+stride, … (`satellites`
// of them; the k-th on replica k % replicas at the start), each as a
// real satellite holds itself on both channels (docs/nats.md):
//   - HTTP: its state long-poll parked on its replica; a connection error
//     moves it to the next replica (a failover), where it reads the state again;
//   - NATS: its own user nkey, a JWT from POST /satellite/v1/nats/credentials, a connection
//     over TLS to nats-server and a pull request on its consumer `sat-<name>`.
// A long-poll answered 200 is applied at once and acknowledged by a heartbeat naming the
// new digest; a sync.state command is answered (done, published with Nats-Msg-Id, then the
// JetStream message acked) once the state it names is applied, as the satellite's
// CommandExecutor does. "HELD n" is printed when every satellite holds both. The first state
// change after that is the change (the change phase writes its instant to --change-file):
// for every member (index < members) the run times, from that instant,
//   longpoll_seen  the long-poll's 200     longpoll_ack  the heartbeat's answer
//   nats_command   the command's arrival   nats_ack      JetStream's ack of the answer
// and writes them to --samples. It ends when every member it holds has both acks and every
// satellite that lost its replica has re-homed, or `duration` seconds after the change; exit
// 0 only when all of them did.
#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/http/field.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>

#include "common/fleet_wire/command.hpp"
#include "common/fleet_wire/heartbeat.hpp"
#include "common/fleet_wire/nats_credentials.hpp"
#include "common/fleet_wire/nats_subjects.hpp"
#include "common/time_format.hpp"
#include "group_change.hpp"
#include "nats_wire_client.hpp"
#include "pacing.hpp"
#include "phases.hpp"
#include "report.hpp"
#include "sim_threads.hpp"

namespace fleet_sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace subjects = common::fleet_wire::nats_subjects;
using common::fleet_wire::CommandType;
using common::fleet_wire::EventType;
using Clock = std::chrono::steady_clock;

constexpr auto kPullExpiry = std::chrono::seconds(30);

struct ConvergeRun {
  const SimOptions& options;
  std::vector<asio::ip::tcp::endpoint> replicas;
  asio::ip::tcp::endpoint nats;
  std::size_t members_here = 0;  // members among this process's satellites
  ConnectGate gate{64};
  std::atomic<std::size_t> settled{0};  // satellites holding both channels, or failed
  std::atomic<std::size_t> held{0};
  std::atomic<bool> holding_all{false};  // set once HELD is printed: the next change counts
  std::atomic<bool> ending{false};
  std::atomic<std::size_t> members_done{0};
  std::atomic<std::size_t> lost{0};       // long-polls that lost their replica
  std::atomic<std::size_t> failovers{0};  // of those, re-homed on another replica
  std::atomic<std::size_t> resumed{0};    // failover handshakes that resumed the kept session
};

// One simulated satellite's state. Touched only on its io_context thread.
struct SimSatellite {
  std::size_t index = 0;
  const SatelliteIdentity* identity = nullptr;
  bool member = false;
  std::size_t replica = 0;
  common::nats::Nkey user = common::nats::Nkey::generate(common::nats::NkeyType::kUser);
  std::string inbox;
  std::string held_digest;  // the state applied
  std::string new_digest;   // the first state applied after HELD: the change
  std::int64_t seen_ns = 0, lp_ack_ns = 0, command_ns = 0, nats_ack_ns = 0;
  // The last failover: when the lost connection was noticed and when the next replica
  // answered (for telling a slow acknowledgement's cause apart in the samples).
  std::int64_t lost_ns = 0, reconnected_ns = 0;
  bool counted = false;
  struct PendingCommand {
    common::fleet_wire::Command command;
    std::string ack_subject;  // the JetStream message's reply subject
    std::int64_t received_ns = 0;
  };
  std::optional<PendingCommand> waiting;    // for its state
  std::optional<PendingCommand> answering;  // answer published, JetStream's ack awaited
  std::int64_t pulled_ns = 0;               // when the last pull request went out
  std::unique_ptr<NatsWireClient> nats;
  // The TLS session of the first connection, offered to whichever replica answers after a
  // failover: as a satellite's libcurl offers the session it holds for ground control's one
  // name when the replicas sit behind one address.
  TlsSession tls_session;
};

std::string digest_of_etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

void count_if_done(SimSatellite& sat, ConvergeRun& run) {
  if (!sat.member || sat.counted || sat.lp_ack_ns == 0 || sat.nats_ack_ns == 0) return;
  sat.counted = true;
  ++run.members_done;
}

void pull(SimSatellite& sat) {
  sat.pulled_ns = steady_ns();
  const nlohmann::json request = {
      {"batch", 1},
      {"expires", std::chrono::duration_cast<std::chrono::nanoseconds>(kPullExpiry).count()}};
  sat.nats->publish("$JS.API.CONSUMER.MSG.NEXT." + std::string(subjects::kCommandStream) + "." +
                        subjects::command_consumer(sat.identity->name),
                    sat.inbox + ".pull", request.dump());
}

void answer(SimSatellite& sat, SimSatellite::PendingCommand command) {
  common::fleet_wire::CommandAnswer done{command.command.id, sat.identity->name,
                                         common::fleet_wire::CommandOutcome::kDone, "",
                                         common::format_rfc3339(std::chrono::system_clock::now())};
  sat.nats->publish_with_headers(
      subjects::event_subject(sat.identity->name, EventType::kCommandAnswered), sat.inbox + ".ack",
      "Nats-Msg-Id: answer-" + command.command.id + "\r\n", common::fleet_wire::to_json(done));
  sat.answering = std::move(command);
}

// A state was applied: a command waiting for it is answered.
void applied(SimSatellite& sat, ConvergeRun& run, const std::string& digest) {
  if (digest == sat.held_digest) return;
  sat.held_digest = digest;
  if (run.holding_all && sat.new_digest.empty()) {
    sat.new_digest = digest;
    sat.seen_ns = steady_ns();
  }
  if (sat.waiting && sat.waiting->command.state_digest == digest) {
    auto command = std::move(*sat.waiting);
    sat.waiting.reset();
    answer(sat, std::move(command));
  }
}

// nats-server 2.9 drops an expired pull request without its 408 when a message finds it
// before its expiry timer does (consumer.go getNextWaiting): a client that waits for the
// 408 then waits for ever, and the command for a member sits in its consumer (the bench
// saw 15 of 1,000 so). libnats's fetch has its own timeout; this is the simulator's.
asio::awaitable<void> keep_pulling(SimSatellite& sat, ConvergeRun& run) {
  constexpr auto kLate =
      std::chrono::duration_cast<std::chrono::nanoseconds>(kPullExpiry + std::chrono::seconds(2))
          .count();
  while (!run.ending) {
    co_await sleep_for(std::chrono::seconds(2));
    if (!sat.waiting && !sat.answering && steady_ns() - sat.pulled_ns > kLate) pull(sat);
  }
}

asio::awaitable<void> read_commands(SimSatellite& sat, ConvergeRun& run, RunTally& tally) {
  for (;;) {
    auto message = co_await sat.nats->next();
    if (!message) {
      if (!run.ending) tally.error(sat.identity->name + ": " + message.error().message());
      co_return;
    }
    if (message->reply.starts_with("$JS.ACK.")) {  // a command
      auto command = common::fleet_wire::parse_command(message->payload);
      if (!command) {
        tally.error(sat.identity->name + ": unreadable command: " + command.error().message());
        sat.nats->publish(message->reply, "", "+TERM");
        pull(sat);
        continue;
      }
      SimSatellite::PendingCommand pending{std::move(*command), message->reply, steady_ns()};
      const bool ready = pending.command.type != CommandType::kSyncState ||
                         pending.command.state_digest.empty() ||
                         pending.command.state_digest == sat.held_digest;
      if (ready)
        answer(sat, std::move(pending));
      else
        sat.waiting = std::move(pending);
    } else if (message->subject == sat.inbox + ".ack") {  // JetStream stored the answer
      if (!sat.answering) continue;
      const auto stored = nlohmann::json::parse(message->payload, nullptr, false);
      if (stored.is_discarded() || stored.contains("error")) {
        tally.error(sat.identity->name + ": answer refused: " + message->payload);
        sat.answering.reset();
        pull(sat);  // the command comes again after its ack wait
        continue;
      }
      auto done = std::move(*sat.answering);
      sat.answering.reset();
      sat.nats->publish(done.ack_subject, "", "");  // +ACK
      if (!sat.new_digest.empty() && done.command.state_digest == sat.new_digest &&
          sat.nats_ack_ns == 0) {
        sat.command_ns = done.received_ns;
        sat.nats_ack_ns = steady_ns();
        count_if_done(sat, run);
      }
      pull(sat);
    } else if (message->status() != 0 && !sat.waiting && !sat.answering) {
      pull(sat);  // 408: the pull request expired; 409: the consumer changed
    }
  }
}

// GET the state on `connection`; the digest its ETag names.
asio::awaitable<common::Result<std::string>> read_state(HttpsConnection& connection,
                                                        const SimOptions& options) {
  HttpRequest request{http::verb::get, options.state_path, 11};
  request.set(http::field::host, "ground-control");
  HttpResponse response;
  if (auto ec = co_await connection.exchange(request, response))
    co_return common::fail(common::ErrorCode::kUnavailable, "GET state: " + ec.message());
  const auto etag = std::string(response[http::field::etag]);
  if (response.result_int() != 200 || etag.empty())
    co_return common::fail(common::ErrorCode::kUnavailable,
                           fmt::format("GET state: {}", response.result_int()));
  co_return digest_of_etag(etag);
}

// The heartbeat that says `digest` is applied: its HTTP status, nullopt when the connection
// is lost (the replica went away).
asio::awaitable<std::optional<unsigned>> report_applied(HttpsConnection& connection,
                                                        const std::string& digest) {
  common::fleet_wire::Heartbeat beat;
  beat.version = "fleet-sim";
  beat.state_digest = digest;
  beat.time = common::format_rfc3339(std::chrono::system_clock::now());
  HttpRequest request{http::verb::post, "/satellite/v1/heartbeat", 11};
  request.set(http::field::host, "ground-control");
  request.set(http::field::content_type, "application/json");
  request.body() = common::fleet_wire::to_json(beat);
  HttpResponse response;
  if (auto ec = co_await connection.exchange(request, response)) co_return std::nullopt;
  co_return response.result_int();
}

// The long-poll side of `sat` is done once its heartbeat names the new state.
void note_reported(SimSatellite& sat, ConvergeRun& run) {
  if (sat.held_digest != sat.new_digest || sat.lp_ack_ns != 0) return;
  sat.lp_ack_ns = steady_ns();
  count_if_done(sat, run);
}

asio::awaitable<common::Result<std::string>> nats_jwt(HttpsConnection& connection,
                                                      const SimSatellite& sat) {
  HttpRequest request{http::verb::post, "/satellite/v1/nats/credentials", 11};
  request.set(http::field::host, "ground-control");
  request.set(http::field::content_type, "application/json");
  request.body() = common::fleet_wire::to_json(
      common::fleet_wire::NatsCredentialsRequest{sat.user.public_key()});
  HttpResponse response;
  if (auto ec = co_await connection.exchange(request, response))
    co_return common::fail(common::ErrorCode::kUnavailable, "credentials: " + ec.message());
  if (response.result_int() != 200)
    co_return common::fail(
        common::ErrorCode::kUnavailable,
        fmt::format("credentials: {} {}", response.result_int(), response.body()));
  auto credentials = common::fleet_wire::parse_nats_credentials(response.body());
  if (!credentials) co_return common::fail(credentials.error());
  co_return credentials->jwt;
}

// Connects to the next replica that answers, starting at sat.replica; false when none did.
// First waits as the satellite's agent does after a failed long-poll (Agent::feed: a uniform
// 0.5–1 s), so a replica's death spreads its satellites' reconnects as a real fleet's.
asio::awaitable<bool> reconnect(asio::io_context& io, asio::ssl::context& tls, SimSatellite& sat,
                                ConvergeRun& run, std::unique_ptr<HttpsConnection>& connection) {
  std::minstd_rand random(static_cast<std::uint32_t>(sat.index * 2654435761u + steady_ns()));
  co_await sleep_for(
      std::chrono::milliseconds(std::uniform_int_distribution<int>(500, 1000)(random)));
  for (int attempt = 0; attempt < 50 && !run.ending; ++attempt) {
    sat.replica = (sat.replica + 1) % run.replicas.size();
    connection = std::make_unique<HttpsConnection>(io, tls, sat.identity);
    co_await run.gate.enter();
    auto ec = co_await connection->connect(run.replicas[sat.replica], sat.tls_session);
    run.gate.leave();
    if (!ec) {
      if (connection->resumed()) ++run.resumed;
      co_return true;
    }
    co_await sleep_for(std::chrono::milliseconds(200));
  }
  co_return false;
}

asio::awaitable<void> simulated_satellite(asio::io_context& io, asio::ssl::context& tls,
                                          SimSatellite& sat, ConvergeRun& run, RunTally& tally) {
  const auto& options = run.options;
  const auto& name = sat.identity->name;
  auto connection = std::make_unique<HttpsConnection>(io, tls, sat.identity);
  co_await run.gate.enter();
  auto set_up = [&]() -> asio::awaitable<common::Status> {
    if (auto ec = co_await connection->connect(run.replicas[sat.replica]))
      co_return common::fail(common::ErrorCode::kUnavailable, "connect: " + ec.message());
    // Ground control answers 503 until its own NATS link is up: wait for it, as a satellite
    // keeps asking.
    auto jwt = co_await nats_jwt(*connection, sat);
    for (int attempt = 0; !jwt && attempt < 120; ++attempt) {
      co_await sleep_for(std::chrono::milliseconds(500));
      jwt = co_await nats_jwt(*connection, sat);
    }
    if (!jwt) co_return common::fail(jwt.error());
    sat.tls_session = connection->session();
    auto state = co_await read_state(*connection, options);
    if (!state) co_return common::fail(state.error());
    sat.held_digest = *state;
    sat.nats = std::make_unique<NatsWireClient>(io, tls);
    if (auto ok = co_await sat.nats->connect(run.nats, *jwt, sat.user, name); !ok) co_return ok;
    sat.nats->subscribe(sat.inbox + ".>", 1);
    pull(sat);
    co_return common::Status{};
  };
  auto ready = co_await set_up();
  run.gate.leave();
  if (!ready) {
    tally.error(name + ": " + ready.error().message());
    ++run.settled;
    co_return;
  }
  asio::co_spawn(io, read_commands(sat, run, tally), asio::detached);
  asio::co_spawn(io, keep_pulling(sat, run), asio::detached);

  HttpRequest request{http::verb::get, fmt::format("{}?wait={}", options.state_path, options.wait),
                      11};
  request.set(http::field::host, "ground-control");
  bool first = true;
  while (!run.ending) {
    request.set(http::field::if_none_match, "\"" + sat.held_digest + "\"");
    HttpResponse response;
    auto ec = co_await connection->write(request);
    if (first) {
      first = false;
      if (!ec) ++run.held;
      ++run.settled;
    }
    if (!ec) ec = co_await connection->read(response);
    if (run.ending) break;
    if (ec) {  // the replica went away: the next one, and the state it has
      sat.lost_ns = steady_ns();
      ++run.lost;
      if (!co_await reconnect(io, tls, sat, run, connection)) {
        if (run.ending) break;  // the run ended while it waited: no failover to count
        tally.error(name + ": no replica answers");
        co_return;
      }
      ++run.failovers;  // re-homed; `resumed` counts those whose TLS session resumed
      sat.reconnected_ns = steady_ns();
      auto state = co_await read_state(*connection, options);
      if (!state) continue;
      applied(sat, run, *state);
      // Reported even when unchanged: the dying replica may have taken the last report into
      // its heartbeat batch and died before writing it, as a satellite's next heartbeat does.
      const auto reported = co_await report_applied(*connection, *state);
      if (reported && *reported / 100 == 2) note_reported(sat, run);
      continue;
    }
    if (response.result_int() == 304) continue;
    const auto etag = std::string(response[http::field::etag]);
    if (response.result_int() != 200 || etag.empty()) {
      tally.error(fmt::format("{}: long-poll answered {}", name, response.result_int()));
      co_await sleep_for(std::chrono::seconds(1));
      continue;
    }
    const auto digest = digest_of_etag(etag);
    applied(sat, run, digest);
    const auto reported = co_await report_applied(*connection, digest);
    if (!reported) continue;  // the replica went away: the failover above reports again
    if (*reported / 100 != 2) {
      if (!run.ending) tally.error(fmt::format("{}: heartbeat answered {}", name, *reported));
      continue;
    }
    note_reported(sat, run);
  }
  if (sat.nats) sat.nats->close();
}

// "STEADY_NS WALL_MS" as the change phase writes it; nullopt while there is no file.
std::optional<std::int64_t> read_change(const std::string& path) {
  std::ifstream in(path);
  std::int64_t steady = 0;
  if (!(in >> steady) || steady <= 0) return std::nullopt;
  return steady;
}

asio::awaitable<void> controller(ConvergeRun& run, IoThreads& threads, std::size_t count,
                                 std::int64_t& change_ns) {
  const auto& options = run.options;
  (void)co_await wait_until([&] { return run.settled.load() == count; }, std::chrono::minutes(10),
                            std::chrono::milliseconds(10));
  run.holding_all = true;
  fmt::print("HELD {}\n", run.held.load());
  std::fflush(stdout);
  fmt::print(stderr, "fleet-sim converge: {} of {} satellites hold both channels\n",
             run.held.load(), count);
  std::optional<std::int64_t> change;
  (void)co_await wait_until([&] { return (change = read_change(options.change_file)).has_value(); },
                            std::chrono::minutes(30), std::chrono::milliseconds(20));
  if (change) {
    change_ns = *change;
    const auto deadline = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options.duration));
    const auto until = Clock::now() + deadline;
    (void)co_await wait_until([&] { return run.members_done.load() >= run.members_here; }, deadline,
                              std::chrono::milliseconds(5));
    // A replica that died also had satellites outside the change: the run holds on until
    // each that lost it is home again (or the deadline), so that "moved" covers them all.
    (void)co_await wait_until([&] { return run.failovers.load() >= run.lost.load(); },
                              std::max(Clock::duration::zero(), until - Clock::now()),
                              std::chrono::milliseconds(5));
  }
  run.ending = true;
  threads.stop();
}

void write_samples(const std::string& path, const std::vector<std::unique_ptr<SimSatellite>>& fleet,
                   std::int64_t change_ns) {
  std::ofstream out(path);
  // "KIND MS SATELLITE": the bench's percentiles read the first two columns.
  for (const auto& sat : fleet) {
    if (!sat->member) continue;
    auto line = [&](const char* kind, std::int64_t at) {
      if (at > 0)
        out << fmt::format("{} {:.3f} {}\n", kind, (at - change_ns) / 1e6, sat->identity->name);
    };
    line("longpoll_seen", sat->seen_ns);
    line("longpoll_ack", sat->lp_ack_ns);
    line("nats_command", sat->command_ns);
    line("nats_ack", sat->nats_ack_ns);
    line("failover_lost", sat->lost_ns);
    line("failover_connected", sat->reconnected_ns);
  }
}

}  // namespace

int run_converge(const SimOptions& options) {
  const auto index_of = [&](std::size_t k) { return options.first + k * options.stride; };
  std::vector<SatelliteIdentity> identities;
  for (std::size_t k = 0; k < options.satellites; ++k) {
    auto identity = SatelliteIdentity::load(options.dir, satellite_name(index_of(k)));
    if (!identity) {
      fmt::print(stderr, "fleet-sim converge: {}\n", identity.error().message());
      return 1;
    }
    identities.push_back(std::move(*identity));
  }
  ConvergeRun run{options, {}, parse_endpoint(options.nats.substr(options.nats.find("://") + 3))};
  for (const auto& address : split_list(options.satellite_api))
    run.replicas.push_back(parse_endpoint(address));
  // Before the fleet: each satellite's NATS stream uses its thread's io_context and TLS
  // context, so these must outlive it (destroyed the other way round, exit crashed).
  SimThreads threads(options.threads, options.ca_file);
  std::vector<std::unique_ptr<SimSatellite>> fleet;
  for (std::size_t k = 0; k < identities.size(); ++k) {
    auto sat = std::make_unique<SimSatellite>();
    sat->index = index_of(k);
    sat->identity = &identities[k];
    sat->member = sat->index < options.members;
    // By position, not index: with a stride, each process still spreads over every replica.
    sat->replica = k % run.replicas.size();
    sat->inbox = subjects::inbox_prefix(sat->identity->name);
    run.members_here += sat->member ? 1 : 0;
    fleet.push_back(std::move(sat));
  }
  for (std::size_t c = 0; c < fleet.size(); ++c)
    threads.spawn(c, [&, sat = fleet[c].get()](asio::io_context& io, asio::ssl::context& tls,
                                               RunTally& tally) {
      return simulated_satellite(io, tls, *sat, run, tally);
    });
  std::int64_t change_ns = 0;
  threads.spawn(0, [&](asio::io_context&, asio::ssl::context&, RunTally&) {
    return controller(run, threads.io(), fleet.size(), change_ns);
  });
  const auto began = Clock::now();
  threads.run();
  const std::chrono::duration<double> took = Clock::now() - began;
  auto total = threads.merged();
  if (!options.samples_file.empty()) write_samples(options.samples_file, fleet, change_ns);
  const auto done = run.members_done.load();
  fmt::print(stderr,
             "fleet-sim converge: {} satellites held, {} of {} members acknowledged on both "
             "channels, {} of {} that lost their replica re-homed ({} resumed their TLS "
             "session), {} errors{}\n",
             run.held.load(), done, run.members_here, run.failovers.load(), run.lost.load(),
             run.resumed.load(), total.errors,
             total.errors ? " (first: " + total.first_error + ")" : "");
  fmt::print(
      "RESULT phase=converge satellites={} held={} members={} ok={} errors={} lost={} "
      "failovers={} resumed={} seconds={:.3f} sim_cpu_s={:.3f}\n",
      fleet.size(), run.held.load(), run.members_here, done, total.errors, run.lost.load(),
      run.failovers.load(), run.resumed.load(), took.count(), cpu_seconds());
  std::fflush(stdout);
  const bool all_moved = run.failovers.load() >= run.lost.load();
  return done == run.members_here && change_ns != 0 && all_moved ? 0 : 1;
}

}  // namespace fleet_sim
