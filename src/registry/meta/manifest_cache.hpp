// ManifestCache: the bounded in-memory answers that serve manifest GET/HEAD without touching
// SQLite or leaving the I/O thread. An entry is one (repository, reference) pair and holds
// either the manifest or the fact that it does not exist (so unknown names cost one lookup,
// not one per request). Entries are evicted least recently used once their bytes pass the
// capacity; every manifest byte held here or by a response in flight is counted against a
// process-wide MemoryBudget. The write path keeps it coherent: each committed write
// invalidates what it changed, and a load that raced a write is not remembered.
// Thread-safety: all calls are safe from any thread (one mutex, held for map operations only).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/digest.hpp"
#include "common/memory_budget.hpp"
#include "common/result.hpp"
#include "registry/meta/metadata_store.hpp"

namespace registry::meta {

// A manifest ready to be written to a socket. Its bytes stay counted against the budget for
// as long as anyone holds it: a response body aliases this object, not the string.
struct CachedManifest {
  common::Digest digest;
  std::string digest_str;
  std::string media_type;
  std::string content;
  common::MemoryBudget::Reservation reservation;
};

class ManifestCache {
 public:
  // `capacity_bytes` bounds what the cache keeps; `budget` bounds every manifest byte held.
  ManifestCache(MetadataStore& store, common::MemoryBudget& budget, std::size_t capacity_bytes)
      : store_(store), budget_(budget), capacity_(capacity_bytes) {}

  using Answer = common::Result<std::shared_ptr<const CachedManifest>>;

  // The remembered answer for `reference` (a tag or a digest string) in `repository`: the
  // manifest, or kManifestUnknown / kNameUnknown; nullopt when nothing is remembered.
  [[nodiscard]] std::optional<Answer> find(std::string_view repository, std::string_view reference);
  // Reads the answer from the store and remembers it. Blocking (SQLite). Also
  // kTooManyRequests when the memory budget cannot hold the manifest right now.
  [[nodiscard]] Answer load(std::string_view repository, std::string_view reference);

  // Write-path notifications, called after the transaction committed.
  void on_put(std::string_view repository, const common::Digest& digest,
              std::optional<std::string_view> tag);
  void on_delete_manifest(std::string_view repository, const common::Digest& digest);
  void on_delete_tag(std::string_view repository, std::string_view tag);

  // Bytes the cache accounts for now (at most the capacity).
  std::size_t bytes() const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct Entry {
    std::string repository;
    std::string reference;
    std::shared_ptr<const CachedManifest> manifest;  // null: absent, see `absent`
    common::ErrorCode absent = common::ErrorCode::kManifestUnknown;
    std::size_t cost = 0;
  };
  using Lru = std::list<Entry>;
  using References = std::unordered_map<std::string, Lru::iterator, StringHash, std::equal_to<>>;

  static Answer answer_of(const Entry& entry);
  // Adds or replaces the entry, then evicts past the capacity. REQUIRES: mutex_ held.
  void remember(Entry entry);
  // Removes one entry. REQUIRES: mutex_ held.
  void erase(Lru::iterator it);
  // Removes the entries of `repository` for which `pred` holds. REQUIRES: mutex_ held.
  template <class Pred>
  void erase_if(std::string_view repository, Pred pred);

  MetadataStore& store_;
  common::MemoryBudget& budget_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;  // guards everything below
  Lru lru_;                   // most recently used first
  std::unordered_map<std::string, References, StringHash, std::equal_to<>> by_repository_;
  std::size_t bytes_ = 0;
  std::uint64_t writes_ = 0;  // bumped by every write notification
};

}  // namespace registry::meta
