// periodic_job_table: what each of ground control's periodic jobs does and logs, in one
// place; the app only says which services exist. Each job runs on one replica at a time
// under its lease (service::PeriodicJobs). Optional services (null) have no job.
#pragma once

#include <chrono>
#include <vector>

#include "common/log/logger.hpp"
#include "groundcontrol/app/ground_control_options.hpp"
#include "groundcontrol/app/nats_channel.hpp"
#include "groundcontrol/service/command_service.hpp"
#include "groundcontrol/service/group_rule_service.hpp"
#include "groundcontrol/service/housekeeping.hpp"
#include "groundcontrol/service/periodic_jobs.hpp"
#include "groundcontrol/service/robot_account_service.hpp"
#include "groundcontrol/service/state_publication_service.hpp"
#include "groundcontrol/service/status_rollup.hpp"

namespace groundcontrol::app {

struct JobServices {
  service::StatusRollup& rollup;
  service::GroupRuleService& group_rules;
  service::CommandService& commands;
  service::Housekeeping& housekeeping;
  NatsChannel* nats = nullptr;                                    // with --nats
  service::StatePublicationService* state_publication = nullptr;  // with --state-endpoint
  service::RobotAccountService* robots = nullptr;                 // with --robot-endpoint
};

// The jobs, borrowing `services` (which must outlive them).
std::vector<service::PeriodicJob> periodic_job_table(const JobServices& services,
                                                     const GroundControlOptions& options,
                                                     common::log::Logger logger);

}  // namespace groundcontrol::app
