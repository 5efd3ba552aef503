// PullFunction: how the reconciler has one artifact copied from upstream into the local
// registry (the replication engine's ImagePuller::pull in production, a fake in the
// reconciler's unit tests). It returns when the artifact is stored and verified, fails with
// a reason a person understands, or stops early when `stop` is requested (what it fetched
// stays for resume). The job, progress and result are the replication engine's own types.
#pragma once

#include <functional>
#include <stop_token>

#include "common/result.hpp"
#include "satellite/replication/pull_job.hpp"
#include "satellite/replication/pull_progress.hpp"

namespace satellite::agent {

using replication::PulledArtifact;
using replication::PullJob;
using replication::PullProgress;

using PullFunction = std::function<common::Result<PulledArtifact>(
    const PullJob& job, PullProgress& progress, std::stop_token stop)>;

}  // namespace satellite::agent
