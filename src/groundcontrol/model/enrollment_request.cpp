#include "groundcontrol/model/enrollment_request.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/names.hpp"
#include "groundcontrol/model/object_meta.hpp"

namespace groundcontrol::model {
namespace {

using nlohmann::json;

common::Result<Labels> labels_of(JsonFields& fields, std::string_view key) {
  auto labels = fields.text_map(key);
  if (!labels) return common::fail(labels.error());
  Labels out(labels->begin(), labels->end());
  if (auto ok = validate_labels(out, fields.path_of(key)); !ok) return common::fail(ok.error());
  return out;
}

}  // namespace

common::Result<EnrollmentSubmission> parse_enrollment_submission(const json& body) {
  auto fields = JsonFields::open(body, "");
  if (!fields) return common::fail(fields.error());
  EnrollmentSubmission out;
  auto name = fields->required_text("name");
  if (!name) return common::fail(name.error());
  if (auto ok = validate_name(*name, "name"); !ok) return common::fail(ok.error());
  out.name = std::move(*name);
  auto csr = fields->required_text("csr");
  if (!csr) return common::fail(csr.error());
  if (csr->size() > kMaxCsrBytes)
    return invalid_field("csr", fmt::format("at most {} bytes", kMaxCsrBytes));
  out.spec.csr = std::move(*csr);
  auto labels = labels_of(*fields, "labels");
  if (!labels) return common::fail(labels.error());
  out.spec.labels = std::move(*labels);
  if (const auto* info = fields->take("deviceInfo"); info != nullptr && !info->is_null()) {
    if (!info->is_object()) return invalid_field("deviceInfo", "expected an object");
    out.spec.device_info = info->dump(-1, ' ', false, json::error_handler_t::replace);
    if (out.spec.device_info.size() > kMaxDeviceInfoBytes)
      return invalid_field("deviceInfo", fmt::format("at most {} bytes", kMaxDeviceInfoBytes));
  }
  return out;  // unknown members ignored: no finish()
}

common::Result<EnrollmentDecision> parse_enrollment_decision(const json& body) {
  auto fields = JsonFields::open(body, "");
  if (!fields) return common::fail(fields.error());
  EnrollmentDecision out;
  if (!body.contains("approved") || !body["approved"].is_boolean())
    return invalid_field("approved", "required: true or false");
  auto approved = fields->boolean("approved", false);
  if (!approved) return common::fail(approved.error());
  out.approved = *approved;
  auto labels = labels_of(*fields, "labels");
  if (!labels) return common::fail(labels.error());
  out.labels = std::move(*labels);
  auto reason = fields->text("reason");
  if (!reason) return common::fail(reason.error());
  if (reason->size() > kMaxReasonBytes)
    return invalid_field("reason", fmt::format("at most {} bytes", kMaxReasonBytes));
  out.reason = std::move(*reason);
  if (auto ok = fields->finish(); !ok) return common::fail(ok.error());
  return out;
}

json to_json(const EnrollmentRequestSpec& spec) {
  json labels = json::object();
  for (const auto& [key, value] : spec.labels) labels[key] = value;
  auto info = json::parse(spec.device_info, nullptr, false);
  return {{"csr", spec.csr},
          {"labels", std::move(labels)},
          {"deviceInfo", info.is_object() ? info : json::object()}};
}

common::Result<EnrollmentRequestSpec> parse_stored_enrollment_request_spec(std::string_view text) {
  const auto stored = json::parse(text, nullptr, false);
  if (!stored.is_object() || !stored.contains("csr") || !stored["csr"].is_string())
    return common::fail(common::ErrorCode::kCorruption, "a stored EnrollmentRequest is unreadable");
  EnrollmentRequestSpec spec;
  spec.csr = stored["csr"].get<std::string>();
  if (stored.contains("labels") && stored["labels"].is_object())
    for (const auto& [key, value] : stored["labels"].items())
      if (value.is_string()) spec.labels.emplace(key, value.get<std::string>());
  if (stored.contains("deviceInfo") && stored["deviceInfo"].is_object())
    spec.device_info = stored["deviceInfo"].dump();
  return spec;
}

}  // namespace groundcontrol::model
