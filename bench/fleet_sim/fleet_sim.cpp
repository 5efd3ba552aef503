// fleet-sim: a fleet of simulated satellites against ground control (or a peer serving the
// same conditional GET), each with its own P-256 key and client certificate, over real mTLS
// keep-alive connections; one io_context per thread, many connections per thread. The
// phases are in phases.hpp; bench/fleet_bench.sh runs them and prints the table.
//
//   fleet-sim --phase enroll --management 127.0.0.1:P --satellite-api 127.0.0.1:Q
//             --ca DATA/tls/ca.crt --admin-password PW --dir KEYS --satellites 1000
//             --register 100000
//   fleet-sim --phase poll --satellite-api 127.0.0.1:Q --ca … --dir KEYS --satellites 1000
//             --connections 200 --duration 10
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <exception>

#include "phases.hpp"

int main(int argc, char** argv) {
  fleet_sim::SimOptions options;
  CLI::App cli{"fleet-sim: simulated satellites against ground control"};
  cli.add_option("--phase", options.phase,
                 "enroll | poll | heartbeat | longpoll | hold | converge | change")
      ->required()
      ->check(
          CLI::IsMember({"enroll", "poll", "heartbeat", "longpoll", "hold", "converge", "change"}));
  cli.add_option("--satellite-api", options.satellite_api,
                 "HOST:PORT of the satellite listener (or of the peer polled)")
      ->required();
  cli.add_option("--management", options.management_api,
                 "HOST:PORT of the management listener (enroll, longpoll, hold)");
  cli.add_option("--ca", options.ca_file, "CA bundle the servers' certificates chain to")
      ->required();
  cli.add_option("--admin-password", options.admin_password, "admin's password (enroll, longpoll)");
  cli.add_option("--dir", options.dir, "where satellites' keys and certificates are kept")
      ->required();
  cli.add_option("--satellites", options.satellites, "satellites simulated (enrolled, or loaded)");
  cli.add_option("--register", options.register_count,
                 "enroll: Satellite resources created in all (default: --satellites)");
  cli.add_option("--connections", options.connections,
                 "poll, heartbeat: concurrent connections (default: --satellites)");
  cli.add_option("--threads", options.threads, "simulator threads (one io_context each)");
  cli.add_option("--api-connections", options.management_connections,
                 "enroll: concurrent API connections");
  cli.add_option("--duration", options.duration,
                 "poll, heartbeat: seconds measured; hold: seconds held");
  cli.add_option("--wait", options.wait, "longpoll, hold: ?wait= seconds of each long-poll");
  cli.add_option("--group", options.group,
                 "longpoll: the group changed (its members: the satellites)");
  cli.add_option("--label", options.label, "enroll: KEY=VALUE every satellite is labelled with");
  cli.add_option("--state-path", options.state_path, "poll: the path polled");
  cli.add_option("--first", options.first, "converge: index of the first satellite simulated");
  cli.add_option("--stride", options.stride,
                 "converge: simulate satellites first, first+stride, … (default 1)")
      ->check(CLI::PositiveNumber);
  cli.add_option("--members", options.members,
                 "converge, change: satellites 0..N-1 are in the changed group");
  cli.add_option("--nats", options.nats, "converge: tls://HOST:PORT of nats-server");
  cli.add_option("--change-file", options.change_file,
                 "converge, change: where the change's instant is written");
  cli.add_option("--samples", options.samples_file, "converge: KIND MS lines written here");
  cli.add_option("--expect-held", options.expect_held,
                 "change: long-polls the replicas hold before the change");
  cli.add_option("--kill-pid", options.kill_pid, "change: SIGKILL this process after the change");
  cli.add_option("--kill-after-ms", options.kill_after_ms, "change: … this many ms after it");
  CLI11_PARSE(cli, argc, argv);
  if (options.register_count < options.satellites) options.register_count = options.satellites;
  if ((options.phase == "enroll" || options.phase == "longpoll" || options.phase == "hold" ||
       options.phase == "change") &&
      options.management_api.empty()) {
    fmt::print(stderr, "fleet-sim: --phase {} needs --management\n", options.phase);
    return 2;
  }
  if ((options.phase == "converge" && options.nats.empty()) ||
      ((options.phase == "converge" || options.phase == "change") && options.change_file.empty())) {
    fmt::print(stderr, "fleet-sim: --phase {} needs --change-file (and converge --nats)\n",
               options.phase);
    return 2;
  }
  try {
    if (options.phase == "enroll") return fleet_sim::run_enroll(options);
    if (options.phase == "converge") return fleet_sim::run_converge(options);
    if (options.phase == "change") return fleet_sim::run_change(options);
    if (options.phase == "poll" || options.phase == "heartbeat")
      return fleet_sim::run_request_loop(options);
    return fleet_sim::run_long_polls(options);
  } catch (const std::exception& e) {  // start-up: unreadable CA file, bad HOST:PORT
    fmt::print(stderr, "fleet-sim: {}\n", e.what());
    return 2;
  }
}
