// The route tables of ground control's two listeners, in one place: every route a
// listener serves is added here (tests/api/openapi_lint.py checks each against
// api/openapi.yaml, and the API tests' auth matrix covers every one).
//   management listener: /healthz, /readyz, /metrics, /api/v1/openapi.yaml, ResourceHandlers,
//                        UserHandlers, EnrollmentHandlers' admin routes,
//                        EnrollmentRequestHandlers (the approval), GroupCredentialHandlers,
//                        FleetHandlers, CommandHandlers, CaHandlers' admin routes, the web
//                        UI (ui_routes)
//   satellite listener:  /healthz, /satellite/v1/* (SatelliteHandlers, EnrollmentHandlers,
//                        EnrollmentRequestHandlers, CaHandlers' bundle,
//                        ServingCertificateHandlers, NatsCredentialHandlers)
// Ownership: the Routes borrow the handler objects, which must outlive the Router.
#pragma once

#include <functional>
#include <vector>

#include "common/http/metrics.hpp"
#include "common/http/router.hpp"

namespace groundcontrol::api {

class ResourceHandlers;
class UserHandlers;
class FleetHandlers;
class SatelliteHandlers;
class EnrollmentHandlers;
class EnrollmentRequestHandlers;
class GroupCredentialHandlers;
class CaHandlers;
class RegistryEndpointHandlers;
class GroupRuleHandlers;
class ServingCertificateHandlers;
class CommandHandlers;
class NatsCredentialHandlers;
class Access;

struct ManagementHandlers {
  ResourceHandlers& resources;
  UserHandlers& users;
  EnrollmentHandlers& enrollment;
  FleetHandlers& fleet;
  const common::http::Metrics& metrics;
  std::function<bool()> ready;  // /readyz: the database answers and the schema is current
  EnrollmentRequestHandlers& enrollment_requests;
  GroupCredentialHandlers& group_credentials;
  CaHandlers& cas;
  RegistryEndpointHandlers& registry_endpoints;
  GroupRuleHandlers& group_rules;
  CommandHandlers& commands;
  NatsCredentialHandlers& nats_credentials;
  Access& access;
};

struct SatelliteApiHandlers {
  SatelliteHandlers& satellites;
  EnrollmentHandlers& enrollment;
  EnrollmentRequestHandlers& enrollment_requests;
  CaHandlers& cas;
  ServingCertificateHandlers& serving_certificates;
  NatsCredentialHandlers& nats_credentials;
};

std::vector<common::http::Route> management_routes(const ManagementHandlers& handlers);
std::vector<common::http::Route> satellite_routes(const SatelliteApiHandlers& handlers);

// The router configuration of both listeners: 404/405/malformed paths in the JSON envelope.
common::http::RouterConfig router_config();

// The OpenAPI document (api/openapi.yaml, compiled in), served at /api/v1/openapi.yaml.
std::string_view openapi_document() noexcept;

}  // namespace groundcontrol::api
