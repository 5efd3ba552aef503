#include "registry/meta/manifest_cache.hpp"

namespace registry::meta {

using common::ErrorCode;
using common::fail;

namespace {

// What an entry costs besides its content: list node, map nodes, strings, control block.
constexpr std::size_t kEntryOverhead = 256;

}  // namespace

ManifestCache::Answer ManifestCache::answer_of(const Entry& entry) {
  if (entry.manifest) return entry.manifest;
  return fail(entry.absent,
              entry.absent == ErrorCode::kNameUnknown ? "repository name not known to registry"
                                                      : "manifest unknown to registry",
              entry.reference.substr(0, 256));
}

std::optional<ManifestCache::Answer> ManifestCache::find(std::string_view repository,
                                                         std::string_view reference) {
  std::lock_guard lock(mutex_);
  const auto repo = by_repository_.find(repository);
  if (repo == by_repository_.end()) return std::nullopt;
  const auto it = repo->second.find(reference);
  if (it == repo->second.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return answer_of(*it->second);
}

ManifestCache::Answer ManifestCache::load(std::string_view repository, std::string_view reference) {
  std::uint64_t writes_before;
  {
    std::lock_guard lock(mutex_);
    writes_before = writes_;
  }
  Entry entry{std::string(repository), std::string(reference), nullptr};
  entry.cost = kEntryOverhead + entry.repository.size() + entry.reference.size();
  auto stored = store_.find_manifest(repository, reference);
  if (!stored) {
    const auto code = stored.error().code();
    if (code != ErrorCode::kManifestUnknown && code != ErrorCode::kNameUnknown)
      return fail(stored.error());
    entry.absent = code;
  } else {
    auto reservation = budget_.reserve();
    const auto size = stored->content.size();
    bool reserved = reservation.grow_to(size);
    if (!reserved) {
      // Make room by forgetting what the cache holds; a response still sending one of those
      // keeps its bytes counted until it is done.
      std::lock_guard lock(mutex_);
      while (!reserved && !lru_.empty()) {
        erase(std::prev(lru_.end()));
        reserved = reservation.grow_to(size);
      }
    }
    if (!reserved) {
      return fail(ErrorCode::kTooManyRequests, "too many large manifests in flight",
                  std::to_string(size) + " bytes");
    }
    auto digest_str = stored->digest.str();
    entry.manifest = std::make_shared<const CachedManifest>(CachedManifest{
        std::move(stored->digest), std::move(digest_str), std::move(stored->media_type),
        std::move(stored->content), std::move(reservation)});
    entry.cost += size;
  }
  std::lock_guard lock(mutex_);
  // A write committed meanwhile may have changed the answer: serve it once, remember nothing.
  if (writes_ != writes_before) return answer_of(entry);
  if (!entry.manifest) {
    auto answer = answer_of(entry);
    remember(std::move(entry));
    return answer;
  }
  // A tag and its digest share one copy: a load by tag remembers the digest too.
  const auto digest_str = entry.manifest->digest_str;
  if (entry.reference != digest_str) {
    if (auto repo = by_repository_.find(entry.repository); repo != by_repository_.end()) {
      if (auto known = repo->second.find(digest_str);
          known != repo->second.end() && known->second->manifest) {
        entry.manifest = known->second->manifest;
        entry.cost = kEntryOverhead + entry.repository.size() + entry.reference.size();
        auto answer = answer_of(entry);
        remember(std::move(entry));
        return answer;
      }
    }
  }
  auto answer = answer_of(entry);
  if (entry.cost > capacity_) return answer;
  if (entry.reference != digest_str) {
    Entry by_digest{entry.repository, digest_str, entry.manifest};
    by_digest.cost = entry.cost - entry.reference.size() + digest_str.size();
    entry.cost = kEntryOverhead + entry.repository.size() + entry.reference.size();
    remember(std::move(by_digest));
  }
  remember(std::move(entry));
  return answer;
}

void ManifestCache::remember(Entry entry) {
  auto& references = by_repository_[entry.repository];
  if (const auto old = references.find(entry.reference); old != references.end())
    erase(old->second);
  bytes_ += entry.cost;
  lru_.push_front(std::move(entry));
  by_repository_[lru_.front().repository].emplace(lru_.front().reference, lru_.begin());
  while (bytes_ > capacity_ && !lru_.empty()) erase(std::prev(lru_.end()));
}

void ManifestCache::erase(Lru::iterator it) {
  const auto repo = by_repository_.find(it->repository);
  if (repo != by_repository_.end()) {
    repo->second.erase(it->reference);
    if (repo->second.empty()) by_repository_.erase(repo);
  }
  bytes_ -= it->cost;
  lru_.erase(it);
}

template <class Pred>
void ManifestCache::erase_if(std::string_view repository, Pred pred) {
  const auto repo = by_repository_.find(repository);
  if (repo == by_repository_.end()) return;
  std::vector<Lru::iterator> doomed;
  for (const auto& [reference, it] : repo->second) {
    if (pred(*it)) doomed.push_back(it);
  }
  for (const auto it : doomed) erase(it);
}

void ManifestCache::on_put(std::string_view repository, const common::Digest& digest,
                           std::optional<std::string_view> tag) {
  const auto digest_str = digest.str();
  std::lock_guard lock(mutex_);
  ++writes_;
  // Remembered absences in this repository may be wrong now (the repository exists, the
  // digest or tag too), and so is the tag's old target. Other manifests stay valid.
  erase_if(repository, [&](const Entry& entry) {
    return !entry.manifest || (tag && entry.reference == *tag) || entry.reference == digest_str;
  });
}

void ManifestCache::on_delete_manifest(std::string_view repository, const common::Digest& digest) {
  const auto digest_str = digest.str();
  std::lock_guard lock(mutex_);
  ++writes_;
  erase_if(repository, [&](const Entry& entry) {
    return entry.manifest && entry.manifest->digest_str == digest_str;
  });
}

void ManifestCache::on_delete_tag(std::string_view repository, std::string_view tag) {
  std::lock_guard lock(mutex_);
  ++writes_;
  erase_if(repository, [&](const Entry& entry) { return entry.reference == tag; });
}

std::size_t ManifestCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace registry::meta
