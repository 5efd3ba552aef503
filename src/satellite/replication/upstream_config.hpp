// UpstreamConfig: where the satellite replicates from and how it authenticates there, as
// ground control (or the headless state file) names it. A plain value type; the puller
// takes a copy, so it may change while pulls run (applied to their next requests).
#pragma once

#include <string>

namespace satellite::replication {

struct UpstreamConfig {
  std::string url;                 // "https://host:port" or "http://host:port" (explicit)
  std::string username, password;  // empty: anonymous
  bool insecure_skip_verify = false;
  std::string ca_file;  // PEM bundle; empty: system store
};

}  // namespace satellite::replication
