// `gcctl approve NAME… [--label k=v]… [--reason R]` and `gcctl deny NAME… [--reason R]`:
// an admin's decision on enrollment requests (docs/api.md "Enrollment without a token").
// Approval creates the satellite; NAME may also be written enrollmentrequest/NAME.
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/resource_kind.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

struct ApprovalFlags {
  std::vector<std::string> names;
  std::vector<std::string> labels;
  std::string reason;
};

common::Result<std::string> request_name(const std::string& arg) {
  const auto slash = arg.find('/');
  if (slash == std::string::npos) return arg;
  auto kind = find_kind(arg.substr(0, slash));
  if (!kind || (*kind)->kind != "EnrollmentRequest")
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("\"{}\": only enrollment requests are approved or denied", arg));
  return arg.substr(slash + 1);
}

common::Status decide(Session& session, const ApprovalFlags& flags, bool approved) {
  json body = {{"approved", approved}};
  if (!flags.reason.empty()) body["reason"] = flags.reason;
  if (!flags.labels.empty()) {
    if (!approved) return fail(ErrorCode::kInvalidArgument, "--label goes with approve only");
    body["labels"] = json::object();
    for (const auto& label : flags.labels) {
      const auto equals = label.find('=');
      if (equals == std::string::npos || equals == 0)
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("--label {}: expected KEY=VALUE", label));
      body["labels"][label.substr(0, equals)] = label.substr(equals + 1);
    }
  }
  auto client = session.client();
  if (!client) return fail(client.error());
  for (const auto& arg : flags.names) {
    auto name = request_name(arg);
    if (!name) return fail(name.error());
    auto answer = (*client)->call(
        "POST", fmt::format("/api/v1/enrollmentrequests/{}/approval", url_encode(*name)), {}, body);
    if (!answer) return fail(answer.error());
    session.out() << fmt::format("enrollmentrequest/{} {}\n", *name,
                                 approved ? "approved" : "denied");
  }
  return {};
}

void add_decision(CLI::App& app, Session& session, bool approved) {
  auto flags = std::make_shared<ApprovalFlags>();
  auto* cmd = app.add_subcommand(approved ? "approve" : "deny",
                                 approved ? "Approve enrollment requests (creates the satellites)"
                                          : "Deny enrollment requests");
  cmd->add_option("NAMES", flags->names, "enrollment requests (NAME or er/NAME)")->required();
  if (approved)
    cmd->add_option("--label", flags->labels,
                    "KEY=VALUE label of the satellite, over those the device asked for");
  cmd->add_option("--reason", flags->reason, "recorded in the request and the audit trail");
  cmd->callback(
      [&session, flags, approved] { session.set_outcome(decide(session, *flags, approved)); });
}

}  // namespace

void add_approval_commands(CLI::App& app, Session& session) {
  add_decision(app, session, true);
  add_decision(app, session, false);
}

}  // namespace cli::commands
