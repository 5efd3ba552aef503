#include "groundcontrol/model/group.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/names.hpp"

namespace groundcontrol::model {
namespace {

using common::fail;
using nlohmann::json;

common::Result<Artifact> parse_artifact(const json& value, const std::string& path) {
  auto fields = JsonFields::open(value, path);
  if (!fields) return fail(fields.error());
  auto repository = fields->required_text("repository");
  if (!repository) return fail(repository.error());
  auto digest_text = fields->required_text("digest");
  if (!digest_text) return fail(digest_text.error());
  auto digest = common::Digest::parse(*digest_text);
  if (!digest) return invalid_field(path + ".digest", digest.error().message());
  auto tags = fields->texts("tags");
  if (!tags) return fail(tags.error());
  auto type = fields->text("type", "IMAGE");
  if (!type) return fail(type.error());
  auto labels = fields->texts("labels");
  if (!labels) return fail(labels.error());
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  Artifact artifact{std::move(*repository), std::move(*digest), std::move(*tags), std::move(*type),
                    std::move(*labels)};
  if (auto ok = normalize_artifact(artifact, path); !ok) return fail(ok.error());
  return artifact;
}

common::Result<SelectorOp> parse_operator(const std::string& text, const std::string& path) {
  if (text == "In") return SelectorOp::kIn;
  if (text == "NotIn") return SelectorOp::kNotIn;
  if (text == "Exists") return SelectorOp::kExists;
  if (text == "DoesNotExist") return SelectorOp::kDoesNotExist;
  return invalid_field(path, "expected In, NotIn, Exists or DoesNotExist");
}

common::Result<LabelSelector> parse_selector(const json& value) {
  auto fields = JsonFields::open(value, "spec.selector");
  if (!fields) return fail(fields.error());
  std::vector<Requirement> requirements;
  auto match_labels = fields->text_map("matchLabels");
  if (!match_labels) return fail(match_labels.error());
  for (auto& [key, label] : *match_labels)
    requirements.push_back({key, SelectorOp::kEquals, {label}});
  if (const auto* expressions = fields->take("matchExpressions")) {
    if (!expressions->is_array())
      return invalid_field("spec.selector.matchExpressions", "expected a list");
    for (std::size_t i = 0; i < expressions->size(); ++i) {
      const auto path = fmt::format("spec.selector.matchExpressions[{}]", i);
      auto expression = JsonFields::open((*expressions)[i], path);
      if (!expression) return fail(expression.error());
      auto key = expression->required_text("key");
      if (!key) return fail(key.error());
      auto op_text = expression->required_text("operator");
      if (!op_text) return fail(op_text.error());
      auto op = parse_operator(*op_text, path + ".operator");
      if (!op) return fail(op.error());
      auto values = expression->texts("values");
      if (!values) return fail(values.error());
      if (auto ok = expression->finish(); !ok) return fail(ok.error());
      requirements.push_back({std::move(*key), *op, std::move(*values)});
    }
  }
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  return LabelSelector::from_requirements(std::move(requirements), "spec.selector");
}

// Mode and keys are checked by the wire's own reader, so ground control refuses exactly what
// a satellite would; the API adds only its refusal of unknown fields.
common::Result<common::fleet_wire::SignaturePolicy> parse_signature_policy(const json& value) {
  const std::string path = "spec.signaturePolicy";
  auto fields = JsonFields::open(value, path);
  if (!fields) return fail(fields.error());
  (void)fields->take("mode");
  (void)fields->take("publicKeys");
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  return common::fleet_wire::read_signature_policy(value, path);
}

json selector_to_json(const LabelSelector& selector) {
  json match_labels = json::object();
  json expressions = json::array();
  for (const auto& r : selector.requirements()) {
    switch (r.op) {
      case SelectorOp::kEquals:
        match_labels[r.key] = r.values.front();
        break;
      case SelectorOp::kNotEquals:
        expressions.push_back({{"key", r.key}, {"operator", "NotIn"}, {"values", r.values}});
        break;
      case SelectorOp::kIn:
        expressions.push_back({{"key", r.key}, {"operator", "In"}, {"values", r.values}});
        break;
      case SelectorOp::kNotIn:
        expressions.push_back({{"key", r.key}, {"operator", "NotIn"}, {"values", r.values}});
        break;
      case SelectorOp::kExists:
        expressions.push_back({{"key", r.key}, {"operator", "Exists"}});
        break;
      case SelectorOp::kDoesNotExist:
        expressions.push_back({{"key", r.key}, {"operator", "DoesNotExist"}});
        break;
    }
  }
  json out = json::object();
  if (!match_labels.empty()) out["matchLabels"] = std::move(match_labels);
  if (!expressions.empty()) out["matchExpressions"] = std::move(expressions);
  return out;
}

bool artifact_less(const Artifact& a, const Artifact& b) {
  return std::tie(a.repository, a.digest) < std::tie(b.repository, b.digest);
}

}  // namespace

bool GroupSpec::has_member(std::string_view satellite, const Labels& labels) const {
  if (std::binary_search(satellites.begin(), satellites.end(), satellite)) return true;
  return selector && selector->matches(labels);
}

common::Result<std::vector<Artifact>> parse_artifacts(const json& value, std::string_view path) {
  if (!value.is_array()) return invalid_field(path, "expected a list");
  if (value.size() > kMaxGroupArtifacts)
    return invalid_field(path, fmt::format("at most {} artifacts", kMaxGroupArtifacts));
  std::vector<Artifact> artifacts;
  artifacts.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto artifact = parse_artifact(value[i], fmt::format("{}[{}]", path, i));
    if (!artifact) return fail(artifact.error());
    artifacts.push_back(std::move(*artifact));
  }
  std::sort(artifacts.begin(), artifacts.end(), artifact_less);
  const auto twin = std::adjacent_find(artifacts.begin(), artifacts.end(),
                                       [](const Artifact& a, const Artifact& b) {
                                         return !artifact_less(a, b) && !artifact_less(b, a);
                                       });
  if (twin != artifacts.end())
    return invalid_field(
        path, fmt::format("{}@{} is listed twice", twin->repository, twin->digest.str()));
  return artifacts;
}

json artifacts_to_json(const std::vector<Artifact>& artifacts) {
  json out = json::array();
  for (const auto& a : artifacts) {
    json item = {{"repository", a.repository},
                 {"digest", a.digest.str()},
                 {"tags", a.tags},
                 {"type", a.type}};
    if (!a.labels.empty()) item["labels"] = a.labels;
    out.push_back(std::move(item));
  }
  return out;
}

common::Result<GroupSpec> parse_group_spec(const json& value) {
  auto fields = JsonFields::open(value, "spec");
  if (!fields) return fail(fields.error());
  GroupSpec spec;
  if (const auto* artifacts = fields->take("artifacts")) {
    auto parsed = parse_artifacts(*artifacts, "spec.artifacts");
    if (!parsed) return fail(parsed.error());
    spec.artifacts = std::move(*parsed);
  }
  if (const auto* selector = fields->take("selector")) {
    auto parsed = parse_selector(*selector);
    if (!parsed) return fail(parsed.error());
    spec.selector = std::move(*parsed);
  }
  auto satellites = fields->texts("satellites");
  if (!satellites) return fail(satellites.error());
  if (satellites->size() > kMaxGroupSatellites)
    return invalid_field("spec.satellites", fmt::format("at most {}", kMaxGroupSatellites));
  for (std::size_t i = 0; i < satellites->size(); ++i) {
    if (auto ok = validate_name((*satellites)[i], fmt::format("spec.satellites[{}]", i)); !ok)
      return fail(ok.error());
  }
  std::sort(satellites->begin(), satellites->end());
  satellites->erase(std::unique(satellites->begin(), satellites->end()), satellites->end());
  spec.satellites = std::move(*satellites);
  if (const auto* rules = fields->take("rules")) {
    auto parsed = parse_group_rules(*rules, "spec.rules");
    if (!parsed) return fail(parsed.error());
    spec.rules = std::move(*parsed);
  }
  if (const auto* policy = fields->take("signaturePolicy")) {
    auto parsed = parse_signature_policy(*policy);
    if (!parsed) return fail(parsed.error());
    spec.signature_policy = std::move(*parsed);
  }
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  return spec;
}

json to_json(const GroupSpec& spec) {
  json out = {{"artifacts", artifacts_to_json(spec.artifacts)}, {"satellites", spec.satellites}};
  if (spec.selector) out["selector"] = selector_to_json(*spec.selector);
  if (!spec.rules.empty()) out["rules"] = to_json(spec.rules);
  if (spec.signature_policy)
    out["signaturePolicy"] = common::fleet_wire::signature_policy_json(*spec.signature_policy);
  return out;
}

}  // namespace groundcontrol::model
