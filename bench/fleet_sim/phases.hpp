// The simulator's phases, each run by `fleet-sim --phase NAME` (fleet_sim.cpp); each returns
// the process exit status (0: completed with no errors) after printing its RESULT lines.
//   enroll     create Satellite resources through the management API, enroll the first
//              `satellites` of them (key and CSR made here) and save keys and certificates
//   poll       closed-loop conditional GETs of the state (If-None-Match → 304)
//   heartbeat  closed-loop POST /satellite/v1/heartbeat
//   longpoll   park long-polls, change their group, time each 200 from the change
//   hold       park long-polls and keep them for `duration` seconds (memory is read outside)
//   converge   hold satellites on NATS and long-poll at once, time a change on both channels
//   change     the converge run's controller: the change, a replica killed, the acks checked
#pragma once

#include "sim_options.hpp"

namespace fleet_sim {

int run_enroll(const SimOptions& options);
int run_request_loop(const SimOptions& options);  // poll, heartbeat
int run_long_polls(const SimOptions& options);    // longpoll, hold
int run_converge(const SimOptions& options);
int run_change(const SimOptions& options);

}  // namespace fleet_sim
