#include <cstdio>

#include "common/clock.hpp"
#include "satellite/agent/agent.hpp"
#include "satellite/agent/state_file_source.hpp"
#include "satellite/agent_metrics.hpp"
#include "satellite/commands.hpp"
#include "satellite/process_signals.hpp"
#include "satellite/proxy/pull_through_proxy.hpp"
#include "satellite/registry_app.hpp"
#include "satellite/replication/image_puller.hpp"

namespace satellite {
namespace {

replication::UpstreamConfig upstream_config(const UpstreamOptions& options,
                                            const std::string& state_url) {
  return {options.url.empty() ? state_url : options.url, options.username, options.password,
          options.insecure_skip_verify, options.ca_file};
}

// The agent's pulls, done by the replication engine.
agent::PullFunction pull_through(replication::ImagePuller& puller) {
  return [&puller](const agent::PullJob& job, agent::PullProgress& progress, std::stop_token stop) {
    return puller.pull(job, progress, stop);
  };
}

}  // namespace

common::Status run_command(const RunOptions& options, common::log::Logger logger) {
  const auto signals = prepare_process(logger);
  common::SystemClock clock;
  auto app = RegistryApp::create(options.serve, logger);
  if (!app) return common::fail(app.error());
  const std::string data_dir = options.serve.registry.data_dir;

  replication::PullerOptions puller_options;
  puller_options.state_dir = data_dir + "/replication";
  puller_options.parallel_blobs = options.parallel_blobs;
  auto puller = replication::ImagePuller::create((*app)->registry(), puller_options, logger);
  if (!puller) return common::fail(puller.error());
  (*puller)->set_bandwidth_limit(options.bandwidth_limit);
  if (!options.upstream.url.empty())
    (*puller)->set_upstream(upstream_config(options.upstream, options.upstream.url));

  std::unique_ptr<agent::StateSource> source = std::make_unique<agent::StateFileSource>(
      options.state_file, options.upstream.url, options.state_poll_interval);
  agent::AgentHooks hooks;
  hooks.state_received = [&](const common::fleet_wire::SatelliteState& state) {
    (*puller)->set_upstream(upstream_config(options.upstream, state.upstream_url));
  };
  hooks.collect_garbage = [&] { (*app)->trigger_gc(); };
  auto agent =
      agent::Agent::create((*app)->registry(), pull_through(**puller), std::move(source),
                           options.agent, data_dir + "/agent", std::move(hooks), clock, logger);
  if (!agent) return common::fail(agent.error());
  if (auto added = add_agent_metrics((*app)->metrics(), **agent,
                                     [&] { return (*puller)->bytes_transferred(); });
      !added)
    return common::fail(added.error());

  std::unique_ptr<proxy::PullThroughProxy> pull_through_proxy;
  if (options.proxy) {
    proxy::ProxyOptions proxy_options{options.proxy_repositories, options.proxy_disk_quota,
                                      options.agent.pass.platforms, 2,
                                      data_dir + "/proxy/cache.json"};
    pull_through_proxy = std::make_unique<proxy::PullThroughProxy>(
        (*app)->registry(), **puller, std::move(proxy_options),
        [&](const std::string& repository, const common::Digest& digest) {
          return (*agent)->wants(repository, digest);
        },
        [&] { (*app)->trigger_gc(); }, clock, logger);
    (*app)->set_content_fetcher(pull_through_proxy.get());
    logger->info("proxy mode: pulls of what is not held are fetched from upstream");
  }

  std::printf("listening on %s\n", (*app)->address().c_str());
  std::fflush(stdout);
  logger->info("serving {} from {}; agent following {}", (*app)->address(), data_dir,
               options.state_file.empty() ? options.ground_control_url : options.state_file);
  (*agent)->start();
  serve_until_signalled(**app, signals, logger, [&] { (*agent)->stop(); });
  (*agent)->stop();
  return {};
}

}  // namespace satellite
