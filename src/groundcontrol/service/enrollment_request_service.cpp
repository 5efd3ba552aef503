#include "groundcontrol/service/enrollment_request_service.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/time_format.hpp"
#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/model/object_meta.hpp"
#include "groundcontrol/model/satellite.hpp"
#include "groundcontrol/pki/certificate_authority.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;
using nlohmann::json;

constexpr std::string_view kRequestKind = "EnrollmentRequest";
constexpr std::string_view kSatelliteKind = "Satellite";

json labels_json(const model::Labels& labels) {
  json out = json::object();
  for (const auto& [key, value] : labels) out[key] = value;
  return out;
}

// Why a name that already has a request cannot ask again.
std::unexpected<common::Error> name_taken(const store::Resource& existing) {
  const auto phase = phase_of(existing);
  if (phase == model::kPhasePending)
    return fail(ErrorCode::kAlreadyExists,
                fmt::format("an enrollment request for \"{}\" is already pending with another key",
                            existing.meta.name));
  return fail(
      ErrorCode::kAlreadyExists,
      fmt::format("the enrollment request \"{}\" was {}; an admin must delete it before "
                  "this name can ask again",
                  existing.meta.name, phase == model::kPhaseDenied ? "denied" : "approved"));
}

}  // namespace

std::string phase_of(const store::Resource& request) {
  const auto status = json::parse(request.status, nullptr, false);
  if (!status.is_object() || !status.contains("phase") || !status["phase"].is_string()) return {};
  return status["phase"].get<std::string>();
}

std::string EnrollmentRequestService::now() const {
  return common::format_rfc3339(clock_.now());
}

common::Result<SubmittedRequest> EnrollmentRequestService::submit(
    const model::EnrollmentSubmission& request, const Actor& actor) {
  if (auto ok = pki::CertificateAuthority::check_client_csr(request.spec.csr); !ok)
    return model::invalid_field("csr", ok.error().message());
  const auto uid = make_uid_();
  SubmittedRequest out;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto satellite = resources_.get(db, kSatelliteKind, request.name);
    if (satellite)
      return fail(ErrorCode::kAlreadyExists,
                  fmt::format("a satellite named \"{}\" exists already; it enrolls with its own "
                              "token or certificate",
                              request.name));
    if (satellite.error().code() != ErrorCode::kNotFound) return fail(satellite.error());
    auto existing = resources_.get(db, kRequestKind, request.name);
    if (existing) {
      auto spec = model::parse_stored_enrollment_request_spec(existing->spec);
      if (!spec) return fail(spec.error());
      if (phase_of(*existing) != model::kPhasePending || spec->csr != request.spec.csr)
        return name_taken(*existing);
      out = {std::move(*existing), false};  // the device retried
      return {};
    }
    if (existing.error().code() != ErrorCode::kNotFound) return fail(existing.error());
    auto pending = enrollment_store_.count_pending_requests(db);
    if (!pending) return fail(pending.error());
    if (static_cast<std::size_t>(*pending) >= config_.max_pending)
      return fail(ErrorCode::kTooManyRequests,
                  fmt::format("{} enrollment requests are waiting for an admin already; try again "
                              "later",
                              *pending));
    const auto at = now();
    model::ObjectMeta meta;
    meta.name = request.name;
    meta.labels = request.spec.labels;  // so that labelSelector finds requests by what they ask
    store::Resource resource{std::string(kRequestKind), std::move(meta),
                             model::to_json(request.spec).dump(),
                             json{{"phase", model::kPhasePending}}.dump()};
    auto created = resources_.create(db, std::move(resource), uid, at);
    if (!created) return fail(created.error());
    if (auto ok = enrollment_store_.add_pending_request(db, request.name, at); !ok) return ok;
    const auto revision = created->meta.resource_version;
    if (auto ok = events_.record(db, {revision, at, actor.name, "request",
                                      std::string(kRequestKind), request.name, "pending approval"});
        !ok)
      return ok;
    out = {std::move(*created), true};
    return db.notify(kChangeChannel, std::to_string(revision));
  });
  if (!done) return fail(done.error());
  if (out.created) (void)sync_.catch_up();
  return out;
}

common::Result<json> EnrollmentRequestService::approve_within(
    Connection& db, const store::Resource& request, const model::EnrollmentDecision& decision,
    const Actor& actor, const std::string& at) {
  const auto& name = request.meta.name;
  auto spec = model::parse_stored_enrollment_request_spec(request.spec);
  if (!spec) return fail(spec.error());
  model::Labels labels = spec->labels;
  for (const auto& [key, value] : decision.labels) labels.insert_or_assign(key, value);
  if (auto ok = model::validate_labels(labels, "labels"); !ok) return fail(ok.error());

  if (auto exists = resources_.get(db, kSatelliteKind, name); exists)
    return fail(ErrorCode::kAlreadyExists,
                fmt::format("a satellite named \"{}\" was created meanwhile; deny this request "
                            "or delete that satellite",
                            name));
  else if (exists.error().code() != ErrorCode::kNotFound)
    return fail(exists.error());
  model::ObjectMeta meta;
  meta.name = name;
  meta.labels = labels;
  auto default_spec = model::parse_satellite_spec(nullptr);
  if (!default_spec) return fail(default_spec.error());
  auto satellite = resources_.create(
      db,
      {std::string(kSatelliteKind), std::move(meta), model::to_json(*default_spec).dump(), "{}"},
      make_uid_(), at);
  if (!satellite) return fail(satellite.error());
  if (auto ok = events_.record(
          db, {satellite->meta.resource_version, at, actor.name, "create",
               std::string(kSatelliteKind), name, "from an approved enrollment request"});
      !ok)
    return fail(ok.error());
  auto enrolled = enrollment_.issue_within(db, name, spec->csr, "enroll", actor);
  if (!enrolled) return fail(enrolled.error());
  json approval = {{"approved", true},
                   {"decidedBy", actor.name},
                   {"decidedAt", at},
                   {"labels", labels_json(labels)}};
  if (!decision.reason.empty()) approval["reason"] = decision.reason;
  return json{{"phase", model::kPhaseApproved},           {"approval", std::move(approval)},
              {"certificate", enrolled->certificate_pem}, {"ca", enrolled->ca_pem},
              {"caBundle", enrolled->ca_bundle_pem},      {"serial", enrolled->serial},
              {"notAfter", enrolled->not_after}};
}

common::Result<store::Resource> EnrollmentRequestService::decide(
    std::string_view name, const model::EnrollmentDecision& decision, const Actor& actor) {
  std::optional<store::Resource> decided;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto request = resources_.get(db, kRequestKind, name);
    if (!request) return fail(request.error());
    if (const auto phase = phase_of(*request); phase != model::kPhasePending)
      return fail(ErrorCode::kConflict,
                  fmt::format("the enrollment request \"{}\" is {} already", name, phase));
    const auto at = now();
    json status;
    if (decision.approved) {
      auto approved = approve_within(db, *request, decision, actor, at);
      if (!approved) return fail(approved.error());
      status = std::move(*approved);
    } else {
      json approval = {{"approved", false}, {"decidedBy", actor.name}, {"decidedAt", at}};
      if (!decision.reason.empty()) approval["reason"] = decision.reason;
      status = {{"phase", model::kPhaseDenied}, {"approval", std::move(approval)}};
    }
    auto updated = resources_.update_status(db, kRequestKind, name, status.dump(), at);
    if (!updated) return fail(updated.error());
    if (auto ok = enrollment_store_.remove_pending_request(db, name); !ok) return ok;
    const auto revision = updated->meta.resource_version;
    if (auto ok =
            events_.record(db, {revision, at, actor.name, decision.approved ? "approve" : "deny",
                                std::string(kRequestKind), std::string(name), decision.reason});
        !ok)
      return ok;
    decided = std::move(*updated);
    return db.notify(kChangeChannel, std::to_string(revision));
  });
  if (!done) return fail(done.error());
  (void)sync_.catch_up();
  return std::move(*decided);
}

}  // namespace groundcontrol::service
