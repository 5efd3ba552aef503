// UpstreamConfig: where the satellite replicates from and how it authenticates there, as
// ground control (or the headless state file) names it: a registry endpoint. A plain value
// type; the puller takes a copy, so it may change while pulls run (applied to their next
// requests).
#pragma once

#include "common/oci/registry_client.hpp"

namespace satellite::replication {

using UpstreamConfig = common::oci::RegistryEndpoint;

}  // namespace satellite::replication
