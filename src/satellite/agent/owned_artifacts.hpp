// OwnedArtifacts: the ledger of what the agent itself put into the local registry, kept in
// one JSON file (`<data-dir>/agent/owned.json`) written atomically. Removal reads it so that
// only what the agent placed is ever removed: images that people at the site pushed into the
// satellite themselves are in no entry and stay. An entry is keyed by the desired
// (repository, digest); `stored` is the digest held locally (another one when an index was
// filtered to some platforms), `tags` the tags the agent set, and `removing_since` when it
// left the desired state (removal waits for the grace period). Not thread-safe: owned by
// the reconciler's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/fs/file_system.hpp"
#include "common/result.hpp"

namespace satellite::agent {

struct OwnedArtifact {
  std::string repository;
  common::Digest digest;          // as the desired state names it
  common::Digest stored;          // as the local registry holds it
  std::vector<std::string> tags;  // set by the agent, sorted
  bool platforms_filtered = false;
  std::optional<std::int64_t> removing_since;  // unix seconds; nullopt while desired
};

class OwnedArtifacts {
 public:
  // Reads the ledger at `path`; a missing file is an empty ledger. kInvalidArgument when the
  // file is not one (it is never overwritten then: the operator must look).
  [[nodiscard]] static common::Result<OwnedArtifacts> load(
      std::string path, common::fs::FileSystem& fs = common::fs::posix_file_system());

  // Writes the ledger atomically (temp file, fsync, rename).
  [[nodiscard]] common::Status save() const;

  // The entry for (repository, digest), or null.
  [[nodiscard]] OwnedArtifact* find(std::string_view repository, const common::Digest& digest);
  // Adds or replaces the entry for artifact.repository/digest; returns it.
  OwnedArtifact& put(OwnedArtifact artifact);
  void erase(std::string_view repository, const common::Digest& digest);
  // True when another entry than `except` keeps `stored` in `repository` (removing it would
  // take content that entry still needs).
  [[nodiscard]] bool stored_by_other(std::string_view repository, const common::Digest& stored,
                                     const OwnedArtifact* except) const;
  [[nodiscard]] const std::vector<OwnedArtifact>& entries() const noexcept { return entries_; }
  // Entries to change in place (not to add or erase: use put() and erase()).
  [[nodiscard]] std::vector<OwnedArtifact>& entries() noexcept { return entries_; }

 private:
  OwnedArtifacts(std::string path, common::fs::FileSystem& fs) : path_(std::move(path)), fs_(&fs) {}
  std::string path_;
  common::fs::FileSystem* fs_;
  std::vector<OwnedArtifact> entries_;
};

}  // namespace satellite::agent
