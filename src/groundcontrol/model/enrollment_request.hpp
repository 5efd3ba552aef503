// EnrollmentRequest: how a device joins the fleet without a token (Flight Control's way).
// The device posts its name, a CSR (its key never leaves it), the labels it asks for and a
// little about itself; the request waits (phase Pending) until an admin approves it, which
// creates the Satellite and signs the certificate, or denies it with a reason. This file
// holds the request's documents and their codecs; the rules live in
// service::EnrollmentRequestService. Pure functions, plain value types.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "groundcontrol/model/labels.hpp"

namespace groundcontrol::model {

// status.phase of an EnrollmentRequest.
inline constexpr std::string_view kPhasePending = "Pending";
inline constexpr std::string_view kPhaseApproved = "Approved";
inline constexpr std::string_view kPhaseDenied = "Denied";

// Largest CSR (PEM) and deviceInfo (as JSON text) a request may carry.
inline constexpr std::size_t kMaxCsrBytes = 16 * 1024;
inline constexpr std::size_t kMaxDeviceInfoBytes = 4 * 1024;
// Longest reason an admin may give.
inline constexpr std::size_t kMaxReasonBytes = 1024;

struct EnrollmentRequestSpec {
  std::string csr;                 // PEM, as the device sent it
  Labels labels;                   // what the device asks for
  std::string device_info = "{}";  // a JSON object, canonical text
};

// What a device posts: {"name", "csr", "labels"?, "deviceInfo"?}. Members it does not know
// are ignored (a newer satellite may send more). kInvalidArgument naming the field for a
// name that is not a DNS-1123 label, a missing or oversized CSR, bad labels, or a
// deviceInfo that is not an object of at most 4 KiB. The CSR's content is checked by the CA.
struct EnrollmentSubmission {
  std::string name;
  EnrollmentRequestSpec spec;
};
[[nodiscard]] common::Result<EnrollmentSubmission> parse_enrollment_submission(
    const nlohmann::json& body);

// An admin's answer: {"approved": bool, "labels"?, "reason"?}; unknown fields refused.
// `labels` are added to (and override) the ones the device asked for; kInvalidArgument
// naming the field.
struct EnrollmentDecision {
  bool approved = false;
  Labels labels;
  std::string reason;
};
[[nodiscard]] common::Result<EnrollmentDecision> parse_enrollment_decision(
    const nlohmann::json& body);

// The stored spec {"csr","labels","deviceInfo"}, and back (kCorruption when unreadable).
nlohmann::json to_json(const EnrollmentRequestSpec& spec);
[[nodiscard]] common::Result<EnrollmentRequestSpec> parse_stored_enrollment_request_spec(
    std::string_view text);

}  // namespace groundcontrol::model
