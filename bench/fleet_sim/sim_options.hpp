// SimOptions: what one fleet-sim run is told (its flags, parsed in fleet_sim.cpp), one field
// per knob with its default. Every phase reads only the fields it documents.
#pragma once

#include <cstddef>
#include <string>

namespace fleet_sim {

struct SimOptions {
  std::string phase;               // enroll | poll | heartbeat | longpoll | hold
  std::string satellite_api;       // HOST:PORT of the satellite listener (mTLS), or of a peer;
                                   // converge: a comma-separated list, one per replica
  std::string management_api;      // HOST:PORT of the management listener (enroll, longpoll,
                                   // hold); change: a comma-separated list, one per replica
  std::string ca_file;             // the CA bundle that server certificates chain to
  std::string admin_password;      // management login as admin (enroll, longpoll)
  std::string dir;                 // where satellites' keys and certificates are kept
  std::size_t register_count = 0;  // enroll: Satellite resources to create (>= satellites)
  std::size_t satellites = 100;    // satellites simulated (enrolled, or loaded from dir)
  std::size_t connections = 0;     // poll/heartbeat: concurrent connections; 0: satellites
  unsigned threads = 1;            // io_context threads of the simulator
  unsigned management_connections = 16;  // enroll: concurrent API connections
  double duration = 10;                  // poll/heartbeat: seconds measured; hold: seconds held
  unsigned wait = 300;                   // longpoll/hold: the ?wait= of each long-poll, seconds
  std::string group = "bench";           // longpoll: the group whose state the run changes
  std::string label = "bench=fleet";     // enroll: a label every satellite gets
  std::string state_path = "/satellite/v1/state";  // poll: the path polled (a peer's file)
  // converge / change (issue 15's scale run; see phases.hpp):
  std::size_t first = 0;        // converge: the index of the first satellite simulated
  std::size_t stride = 1;       // converge: satellites first, first+stride, … (so that several
                                // processes share the members rather than one holding them all)
  std::size_t members = 0;      // satellites 0..members-1 are in the changed group
  std::string nats;             // converge: tls://HOST:PORT of nats-server
  std::string change_file;      // where the change phase writes when it changed the state
  std::string samples_file;     // converge: "KIND MS" lines, one per member and kind
  std::size_t expect_held = 0;  // change: long-polls the replicas must hold first
  int kill_pid = 0;             // change: SIGKILLed kill_after_ms after the change (0: none)
  unsigned kill_after_ms = 200;
};

}  // namespace fleet_sim
