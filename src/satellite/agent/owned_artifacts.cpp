#include "satellite/agent/owned_artifacts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/fs/file_ops.hpp"

namespace satellite::agent {
namespace {

using nlohmann::json;

constexpr int kLedgerVersion = 1;

common::Result<OwnedArtifact> read_entry(const json& item) {
  auto digest = common::Digest::parse(item.at("digest").get<std::string>());
  if (!digest) return common::fail(digest.error());
  auto stored = common::Digest::parse(item.at("stored").get<std::string>());
  if (!stored) return common::fail(stored.error());
  OwnedArtifact out{item.at("repository").get<std::string>(),
                    std::move(*digest),
                    std::move(*stored),
                    item.at("tags").get<std::vector<std::string>>(),
                    item.value("platformsFiltered", false),
                    std::nullopt};
  if (const auto found = item.find("removingSince"); found != item.end())
    out.removing_since = found->get<std::int64_t>();
  return out;
}

}  // namespace

common::Result<OwnedArtifacts> OwnedArtifacts::load(std::string path, common::fs::FileSystem& fs) {
  OwnedArtifacts ledger(std::move(path), fs);
  auto text = common::fs::read_file(ledger.path_, fs);
  if (!text) {
    if (text.error().code() == common::ErrorCode::kNotFound) return ledger;
    return common::fail(text.error());
  }
  const auto bad = [&](std::string_view why) {
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("{}: not the agent's ledger ({})", ledger.path_, why));
  };
  auto document = json::parse(*text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return bad("not a JSON object");
  try {
    if (document.at("version").get<int>() != kLedgerVersion) return bad("unknown version");
    for (const auto& item : document.at("artifacts")) {
      auto entry = read_entry(item);
      if (!entry) return bad(entry.error().message());
      ledger.entries_.push_back(std::move(*entry));
    }
  } catch (const json::exception& e) {
    return bad(e.what());
  }
  return ledger;
}

common::Status OwnedArtifacts::save() const {
  json artifacts = json::array();
  for (const auto& entry : entries_) {
    json item = {{"repository", entry.repository},
                 {"digest", entry.digest.str()},
                 {"stored", entry.stored.str()},
                 {"tags", entry.tags},
                 {"platformsFiltered", entry.platforms_filtered}};
    if (entry.removing_since) item["removingSince"] = *entry.removing_since;
    artifacts.push_back(std::move(item));
  }
  const json document = {{"version", kLedgerVersion}, {"artifacts", std::move(artifacts)}};
  if (auto made = common::fs::make_dirs(common::fs::parent_dir(path_), *fs_); !made) return made;
  return common::fs::atomic_write_file(path_, document.dump(), *fs_);
}

OwnedArtifact* OwnedArtifacts::find(std::string_view repository, const common::Digest& digest) {
  const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const OwnedArtifact& e) {
    return e.repository == repository && e.digest == digest;
  });
  return it == entries_.end() ? nullptr : &*it;
}

OwnedArtifact& OwnedArtifacts::put(OwnedArtifact artifact) {
  if (auto* existing = find(artifact.repository, artifact.digest)) {
    *existing = std::move(artifact);
    return *existing;
  }
  return entries_.emplace_back(std::move(artifact));
}

void OwnedArtifacts::erase(std::string_view repository, const common::Digest& digest) {
  std::erase_if(entries_, [&](const OwnedArtifact& e) {
    return e.repository == repository && e.digest == digest;
  });
}

bool OwnedArtifacts::stored_by_other(std::string_view repository, const common::Digest& stored,
                                     const OwnedArtifact* except) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const OwnedArtifact& e) {
    return &e != except && e.repository == repository && e.stored == stored;
  });
}

}  // namespace satellite::agent
