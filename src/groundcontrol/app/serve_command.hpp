// The `ground-control serve` command: signals, fd limit, the app, its addresses on stdout.
#pragma once

#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "groundcontrol/app/ground_control_options.hpp"

namespace groundcontrol::app {

// Serves until SIGTERM/SIGINT, then drains; the app's error when it cannot start.
[[nodiscard]] common::Status serve_command(const GroundControlOptions& options,
                                           common::log::Logger logger);

}  // namespace groundcontrol::app
