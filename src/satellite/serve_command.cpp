#include <cstdio>

#include "satellite/commands.hpp"
#include "satellite/process_signals.hpp"
#include "satellite/registry_app.hpp"

namespace satellite {

common::Status serve_command(const ServeOptions& options, common::log::Logger logger) {
  const auto signals = prepare_process(logger);
  auto app = RegistryApp::create(options, logger);
  if (!app) return common::fail(app.error());
  std::printf("listening on %s\n", (*app)->address().c_str());
  std::fflush(stdout);
  logger->info("serving {} from {}", (*app)->address(), options.registry.data_dir);
  serve_until_signalled(**app, signals, logger);
  return {};
}

}  // namespace satellite
