#include "groundcontrol/service/group_rule_service.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "common/time_format.hpp"
#include "groundcontrol/model/group.hpp"
#include "groundcontrol/model/kind.hpp"

namespace groundcontrol::service {
namespace {

using common::fail;
using common::sql::Connection;
using nlohmann::json;

constexpr std::string_view kGroupKind = "Group";
// Events recorded per evaluation at most; the rest are summed up in one more.
constexpr std::size_t kMaxChangeEvents = 200;

using ArtifactKey = std::pair<std::string, std::string>;  // (repository, digest)

bool names_one_repository(std::string_view glob) {
  return glob.find_first_of("*?[\\") == std::string_view::npos;
}

model::CandidateArtifact candidate_of(const registry::RegistryArtifact& a) {
  return {a.repository, a.digest, a.tags, a.labels, a.push_time};
}

std::map<ArtifactKey, model::Artifact> by_key(std::vector<model::Artifact> artifacts) {
  std::map<ArtifactKey, model::Artifact> out;
  for (auto& a : artifacts) {
    ArtifactKey key{a.repository, a.digest.str()};
    out.emplace(std::move(key), std::move(a));
  }
  return out;
}

// (repository, tag) -> digest, over a set.
std::map<std::pair<std::string, std::string>, std::string> tag_owners(
    const std::map<ArtifactKey, model::Artifact>& set) {
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (const auto& [key, artifact] : set)
    for (const auto& tag : artifact.tags) out[{key.first, tag}] = key.second;
  return out;
}

struct Change {
  std::string verb;
  std::string message;
};

// What turns `before` into `after`: additions, removals, and tags that now name another
// digest of the same repository.
std::vector<Change> changes_between(const std::map<ArtifactKey, model::Artifact>& before,
                                    const std::map<ArtifactKey, model::Artifact>& after,
                                    RuleEvaluation& counts) {
  std::vector<Change> out;
  const auto tags_text = [](const model::Artifact& a) {
    return a.tags.empty() ? std::string("no tags") : fmt::format("tags {}", fmt::join(a.tags, ","));
  };
  for (const auto& [key, artifact] : after) {
    if (before.contains(key)) continue;
    ++counts.added;
    out.push_back(
        {"rule-add", fmt::format("{}@{} ({})", key.first, key.second, tags_text(artifact))});
  }
  for (const auto& [key, artifact] : before) {
    if (after.contains(key)) continue;
    ++counts.removed;
    out.push_back(
        {"rule-remove", fmt::format("{}@{} ({})", key.first, key.second, tags_text(artifact))});
  }
  const auto old_owners = tag_owners(before);
  for (const auto& [where, digest] : tag_owners(after)) {
    const auto found = old_owners.find(where);
    if (found == old_owners.end() || found->second == digest) continue;
    ++counts.moved;
    out.push_back({"rule-move", fmt::format("{}:{} moved from {} to {}", where.first, where.second,
                                            found->second, digest)});
  }
  return out;
}

}  // namespace

common::Result<std::vector<model::Artifact>> GroupRuleService::select(
    const std::vector<model::GroupRule>& rules) {
  std::map<std::string, std::unique_ptr<registry::RegistryAdapter>> adapters;
  std::map<ArtifactKey, std::set<std::string>> merged;
  std::map<ArtifactKey, common::Digest> digests;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    const auto where = [&](const common::Error& error) {
      return common::Error(error.code(), fmt::format("spec.rules[{}] (endpoint \"{}\"): {}", i,
                                                     rule.endpoint, error.message()));
    };
    auto& adapter = adapters[rule.endpoint];
    if (!adapter) {
      auto made = endpoints_.adapter(rule.endpoint);
      if (!made) return fail(where(made.error()));
      adapter = std::move(*made);
      // Asked first, so that a server that is no registry (404 for everything) is an error
      // rather than a registry where the named repository does not exist.
      if (auto ok = adapter->test(); !ok) {
        (void)endpoints_.record_use(rule.endpoint, common::fail(ok.error()));
        return fail(where(ok.error()));
      }
    }
    std::vector<std::string> repositories;
    if (names_one_repository(rule.repository)) {
      repositories.push_back(rule.repository);
    } else {
      auto listed = adapter->repositories();
      if (!listed) {
        (void)endpoints_.record_use(rule.endpoint, common::fail(listed.error()));
        return fail(where(listed.error()));
      }
      for (auto& name : *listed)
        if (model::glob_matches(rule.repository, name)) repositories.push_back(std::move(name));
    }
    for (const auto& repository : repositories) {
      auto artifacts = adapter->artifacts(repository);
      // A repository named exactly that does not exist (yet) selects nothing.
      if (!artifacts && artifacts.error().code() == common::ErrorCode::kNotFound) continue;
      if (!artifacts) {
        (void)endpoints_.record_use(rule.endpoint, common::fail(artifacts.error()));
        return fail(where(artifacts.error()));
      }
      std::vector<model::CandidateArtifact> candidates;
      candidates.reserve(artifacts->size());
      for (const auto& a : *artifacts) candidates.push_back(candidate_of(a));
      for (auto& selected : model::select_artifacts(rule, candidates)) {
        ArtifactKey key{selected.repository, selected.digest.str()};
        merged[key].insert(selected.tags.begin(), selected.tags.end());
        digests.emplace(std::move(key), std::move(selected.digest));
      }
    }
  }
  for (const auto& [endpoint, adapter] : adapters) (void)endpoints_.record_use(endpoint, {});
  // As many as a group may list: more is a rule too wide (`*` over a whole registry), an
  // error that keeps the last good set rather than a fleet told to hold everything.
  if (merged.size() > model::kMaxGroupArtifacts)
    return fail(common::ErrorCode::kTooLarge,
                fmt::format("spec.rules select {} artifacts, more than the {} a group may hold: "
                            "narrow a repository or tag pattern, or use newest",
                            merged.size(), model::kMaxGroupArtifacts));
  std::vector<model::Artifact> out;
  out.reserve(merged.size());
  for (auto& [key, tags] : merged) {
    model::Artifact artifact{key.first, digests.at(key), {tags.begin(), tags.end()}, "IMAGE", {}};
    if (auto ok = model::normalize_artifact(artifact, "a selected artifact"); !ok)
      return fail(ok.error());
    out.push_back(std::move(artifact));
  }
  return out;
}

common::Status GroupRuleService::commit(std::string_view group, std::int64_t generation,
                                        std::vector<model::Artifact> selected, const Actor& actor,
                                        RuleEvaluation& evaluation) {
  const auto after = by_key(std::move(selected));
  evaluation.selected = after.size();
  bool committed = false;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    evaluation.added = evaluation.removed = evaluation.moved = 0;  // a retry starts over
    auto stored = rule_sets_.list(db, group);
    if (!stored) return fail(stored.error());
    const auto before = by_key(std::move(*stored));
    auto resource = resource_store_.get(db, kGroupKind, group);
    if (!resource) return fail(resource.error());
    if (resource->meta.generation != generation)
      return fail(common::ErrorCode::kConflict, "the group's rules changed while evaluated");
    auto status = json::parse(resource->status, nullptr, false);
    if (!status.is_object()) status = json::object();
    const bool had_error = status.contains("rules") && status["rules"].is_object() &&
                           status["rules"].contains("error") && !status["rules"]["error"].is_null();
    const auto changes = changes_between(before, after, evaluation);
    bool retagged = false;
    for (const auto& [key, artifact] : after) {
      const auto found = before.find(key);
      if (found != before.end() && found->second == artifact) continue;
      retagged = retagged || found != before.end();
      if (auto ok = rule_sets_.upsert(db, group, artifact); !ok) return ok;
    }
    for (const auto& [key, artifact] : before) {
      if (after.contains(key)) continue;
      if (auto removed = rule_sets_.remove(db, group, key.first, key.second); !removed)
        return fail(removed.error());
    }
    // Nothing to say: no revision (a periodic evaluation that finds no news writes nothing).
    if (changes.empty() && !retagged && !had_error && status.contains("rules")) return {};
    status["rules"] = {
        {"selected", evaluation.selected}, {"lastChange", evaluation.time}, {"error", nullptr}};
    auto updated =
        resource_store_.update_status(db, std::move(*resource), status.dump(), evaluation.time);
    if (!updated) return fail(updated.error());
    const auto revision = updated->meta.resource_version;
    for (std::size_t i = 0; i < changes.size() && i < kMaxChangeEvents; ++i) {
      if (auto ok =
              events_.record(db, {revision, evaluation.time, actor.name, changes[i].verb,
                                  std::string(kGroupKind), std::string(group), changes[i].message});
          !ok)
        return ok;
    }
    if (changes.size() > kMaxChangeEvents) {
      if (auto ok = events_.record(
              db, {revision, evaluation.time, actor.name, "rule-change", std::string(kGroupKind),
                   std::string(group),
                   fmt::format("and {} more changes", changes.size() - kMaxChangeEvents)});
          !ok)
        return ok;
    }
    committed = true;
    return db.notify(kChangeChannel, std::to_string(revision));
  });
  if (!done) return done;
  if (committed) (void)sync_.catch_up();
  return {};
}

common::Status GroupRuleService::record_failure(std::string_view group,
                                                const RuleEvaluation& evaluation) {
  auto current = resources_.get(model::Kind::kGroup, group);
  if (!current) return fail(current.error());
  auto status = json::parse(current->status, nullptr, false);
  json rules = status.is_object() && status.contains("rules") && status["rules"].is_object()
                   ? status["rules"]
                   : json{{"selected", evaluation.selected}, {"lastChange", nullptr}};
  rules["error"] = {{"time", evaluation.time}, {"message", *evaluation.error}};
  auto recorded = resources_.merge_status(model::Kind::kGroup, group, {{"rules", rules}});
  if (!recorded) return fail(recorded.error());
  return {};
}

common::Result<RuleEvaluation> GroupRuleService::evaluate(std::string_view group,
                                                          const Actor& actor) {
  // A spec changed during the evaluation makes it start over (a few times at most), so an
  // evaluation of old rules never overwrites what the new ones select.
  for (int attempt = 1;; ++attempt) {
    auto evaluated = evaluate_once(group, actor);
    if (evaluated || evaluated.error().code() != common::ErrorCode::kConflict || attempt == 3)
      return evaluated;
  }
}

common::Result<RuleEvaluation> GroupRuleService::evaluate_once(std::string_view group,
                                                               const Actor& actor) {
  auto resource = resources_.get(model::Kind::kGroup, group);
  if (!resource) return fail(resource.error());
  auto spec = model::parse_group_spec(json::parse(resource->spec, nullptr, false));
  if (!spec) return fail(common::ErrorCode::kCorruption, "a stored group does not parse");
  RuleEvaluation evaluation;
  evaluation.group = std::string(group);
  evaluation.time = common::format_rfc3339(clock_.now());
  auto selected = select(spec->rules);
  if (!selected) {
    evaluation.error = selected.error().message();
    if (auto ok = record_failure(group, evaluation); !ok) return fail(ok.error());
    return evaluation;
  }
  if (auto ok = commit(group, resource->meta.generation, std::move(*selected), actor, evaluation);
      !ok)
    return fail(ok.error());
  return evaluation;
}

common::Result<std::vector<RuleEvaluation>> GroupRuleService::evaluate_all(const Actor& actor) {
  std::set<std::string> groups;
  std::vector<store::Resource> all;
  auto read = db_.transact(
      [&](Connection& db) -> common::Status {
        auto listed = resource_store_.list_all(db, kGroupKind);
        if (!listed) return fail(listed.error());
        all = std::move(*listed);
        auto sets = rule_sets_.list_all(db);
        if (!sets) return fail(sets.error());
        for (const auto& [name, artifacts] : *sets) groups.insert(name);
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  for (const auto& group : all) {
    auto spec = model::parse_group_spec(json::parse(group.spec, nullptr, false));
    if (spec && !spec->rules.empty()) groups.insert(group.meta.name);
  }
  std::vector<RuleEvaluation> out;
  for (const auto& name : groups) {
    auto evaluation = evaluate(name, actor);
    if (!evaluation && evaluation.error().code() == common::ErrorCode::kNotFound) continue;
    if (!evaluation) return fail(evaluation.error());
    out.push_back(std::move(*evaluation));
  }
  return out;
}

}  // namespace groundcontrol::service
