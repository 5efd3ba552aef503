// EnrollmentRequestService: enrollment without a token, Flight Control's way. A device
// posts an EnrollmentRequest (its name, a CSR whose key never leaves it, the labels it
// asks for); the request is stored as a resource of kind EnrollmentRequest in phase
// Pending, after the CA has checked the CSR. An admin approves it — which, in one
// transaction, creates the Satellite (the request's labels merged with the approval's) and
// signs its certificate through EnrollmentService's path (the certificates table, so renew,
// revoke and identity work as for token enrollment) and puts certificate, CA bundle and
// notAfter into the request's status — or denies it with a reason. The device polls the
// request; the certificate it finds there is useless to anyone without its key, so polling
// needs no secret. A name can be asked for once: while a request of that name exists
// (pending or decided) or a Satellite has it, another is refused; an admin deletes the
// request to let the name ask again. Pending requests are capped, since anyone can post.
// Reading, listing and deleting requests go through ResourceService (Kind::kEnrollmentRequest).
// Blocking (database): call from the blocking pool. Thread-safety: any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/model/enrollment_request.hpp"
#include "groundcontrol/service/enrollment_service.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/store/enrollment_store.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

struct EnrollmentRequestConfig {
  // Requests waiting for an admin at once; a device asking beyond is refused (429) until
  // some are decided or deleted.
  std::size_t max_pending = 10'000;
};

struct SubmittedRequest {
  store::Resource request;
  bool created = false;  // false: the same request (same name and CSR) was already pending
};

class EnrollmentRequestService {
 public:
  EnrollmentRequestService(common::sql::Database& db, const common::Clock& clock,
                           EnrollmentService& enrollment, FleetSync& sync, UidSource make_uid,
                           EnrollmentRequestConfig config = {})
      : db_(db),
        clock_(clock),
        enrollment_(enrollment),
        sync_(sync),
        make_uid_(std::move(make_uid)),
        config_(config) {}

  // Stores the request as Pending (`actor` names the device for the audit trail). A retry
  // of a pending request with the same CSR returns it unchanged (created = false).
  // kInvalidArgument for a CSR the CA refuses; kAlreadyExists when a Satellite has the
  // name, a request of that name was decided, or one is pending with another CSR;
  // kTooManyRequests when max_pending requests are waiting.
  [[nodiscard]] common::Result<SubmittedRequest> submit(const model::EnrollmentSubmission& request,
                                                        const Actor& actor);

  // Approves or denies the pending request `name`, recording `actor` (the admin) and the
  // reason. kNotFound; kConflict when it was already approved or denied; kAlreadyExists
  // when a Satellite of that name was created meanwhile; kInvalidArgument for merged
  // labels that are too many, or a CSR the CA refuses now. Returns the request as decided.
  [[nodiscard]] common::Result<store::Resource> decide(std::string_view name,
                                                       const model::EnrollmentDecision& decision,
                                                       const Actor& actor);

 private:
  // The Satellite an approval creates, its certificate, and the request's new status.
  common::Result<nlohmann::json> approve_within(common::sql::Connection& db,
                                                const store::Resource& request,
                                                const model::EnrollmentDecision& decision,
                                                const Actor& actor, const std::string& at);
  std::string now() const;

  common::sql::Database& db_;
  const common::Clock& clock_;
  EnrollmentService& enrollment_;
  FleetSync& sync_;
  UidSource make_uid_;
  const EnrollmentRequestConfig config_;
  store::ResourceStore resources_;
  store::EnrollmentStore enrollment_store_;
  store::EventStore events_;
};

// status.phase of a stored EnrollmentRequest ("" when unreadable).
std::string phase_of(const store::Resource& request);

}  // namespace groundcontrol::service
