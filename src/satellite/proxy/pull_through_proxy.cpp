#include "satellite/proxy/pull_through_proxy.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/fs/file_ops.hpp"
#include "common/oci/manifest.hpp"
#include "common/oci/repository_name.hpp"

namespace satellite::proxy {

using common::ErrorCode;
using nlohmann::json;

PullThroughProxy::PullThroughProxy(
    registry::RegistryService& registry, replication::ImagePuller& puller, ProxyOptions options,
    std::function<bool(const std::string&, const common::Digest&)> is_desired,
    std::function<void()> collect_garbage, const common::Clock& clock, common::log::Logger logger)
    : registry_(registry),
      puller_(puller),
      options_(std::move(options)),
      is_desired_(std::move(is_desired)),
      collect_garbage_(std::move(collect_garbage)),
      clock_(clock),
      logger_(std::move(logger)),
      pool_(std::max(1u, options_.threads)) {
  // The cache's entries from the last run; an unreadable file only loses eviction order.
  auto text = common::fs::read_file(options_.cache_file);
  if (!text) return;
  const auto document = json::parse(*text, nullptr, false);
  if (!document.is_object() || !document.contains("entries")) return;
  for (const auto& item : document["entries"]) {
    if (!item.is_object() || !item.value("repository", json()).is_string()) continue;
    auto digest = common::Digest::parse(item.value("digest", ""));
    if (!digest) continue;
    cache_[{item["repository"].get<std::string>(), *digest}] =
        Entry{item.value("lastServed", std::int64_t{0})};
  }
  for (const auto& item : document.value("tags", json::array())) {
    if (!item.is_object() || !item.value("repository", json()).is_string() ||
        !item.value("tag", json()).is_string())
      continue;
    auto digest = common::Digest::parse(item.value("digest", ""));
    if (!digest) continue;
    tags_.insert_or_assign({item["repository"].get<std::string>(), item["tag"].get<std::string>()},
                           FetchedTag{*digest, 0});
  }
}

PullThroughProxy::~PullThroughProxy() {
  stop();
  pool_.join();
}

std::int64_t PullThroughProxy::now_unix() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
}

void PullThroughProxy::configure(bool enabled, std::vector<std::string> repositories) {
  enabled_ = enabled;
  std::lock_guard lock(mutex_);
  options_.repositories = std::move(repositories);
}

void PullThroughProxy::set_signature_policy(common::fleet_wire::SignaturePolicy policy) {
  std::lock_guard lock(mutex_);
  signature_policy_ = std::move(policy);
}

bool PullThroughProxy::allowed(std::string_view repository) const {
  std::lock_guard lock(mutex_);
  if (options_.repositories.empty()) return true;
  return std::any_of(
      options_.repositories.begin(), options_.repositories.end(), [&](const std::string& rule) {
        return rule.ends_with('/') ? repository.starts_with(rule) : repository == rule;
      });
}

common::Status PullThroughProxy::fetch_manifest(std::string_view repository,
                                                std::string_view reference) {
  if (!enabled_) return common::fail(ErrorCode::kManifestUnknown, "proxy mode is off");
  if (!allowed(repository))
    return common::fail(ErrorCode::kDenied,
                        fmt::format("{} is not a repository this proxy fetches", repository));
  auto digest = common::Digest::parse(reference);
  const bool by_tag = !digest;
  if (by_tag) {
    if (!common::oci::is_valid_tag(reference))
      return common::fail(ErrorCode::kManifestUnknown, "no such tag");
    auto resolved = puller_.resolve(repository, reference);
    if (!resolved) {
      if (resolved.error().code() == ErrorCode::kNotFound)
        return common::fail(ErrorCode::kManifestUnknown, resolved.error().message());
      return common::fail(resolved.error());
    }
    digest = std::move(resolved);
  }
  replication::PullProgress progress;
  const auto policy = [this] {
    std::lock_guard lock(mutex_);
    return signature_policy_;
  }();
  auto pulled = puller_.pull({std::string(repository), *digest, options_.platforms, policy},
                             progress, stop_.get_token());
  if (!pulled) {
    logger_->warn("proxy: {}:{}: {}", repository, reference, pulled.error().message());
    if (pulled.error().code() == ErrorCode::kNotFound)
      return common::fail(ErrorCode::kManifestUnknown, pulled.error().message());
    if (pulled.error().code() == ErrorCode::kPermissionDenied)  // the signature policy
      return common::fail(ErrorCode::kDenied, pulled.error().message());
    return common::fail(pulled.error());
  }
  if (by_tag) {
    auto manifest = registry_.get_manifest(repository, pulled->stored.str());
    if (!manifest) return common::fail(manifest.error());
    auto tagged = registry_.put_manifest(repository, reference, (*manifest)->content,
                                         (*manifest)->media_type);
    if (!tagged) return common::fail(tagged.error());
    remember_tag(std::string(repository), std::string(reference), pulled->stored);
  }
  logger_->info("proxy: fetched {}:{} ({} bytes from upstream)", repository, reference,
                pulled->bytes_fetched);
  remember(std::string(repository), pulled->stored);
  evict_to_quota();
  return {};
}

common::Status PullThroughProxy::fetch_blob(std::string_view repository,
                                            const common::Digest& digest) {
  if (!enabled_) return common::fail(ErrorCode::kBlobUnknown, "proxy mode is off");
  if (!allowed(repository))
    return common::fail(ErrorCode::kDenied,
                        fmt::format("{} is not a repository this proxy fetches", repository));
  auto fetched = puller_.fetch_blob(repository, digest, stop_.get_token());
  if (!fetched) {
    if (fetched.error().code() == ErrorCode::kNotFound)
      return common::fail(ErrorCode::kBlobUnknown, fetched.error().message());
    return common::fail(fetched.error());
  }
  return {};
}

void PullThroughProxy::served(std::string_view repository,
                              const common::Digest& manifest) noexcept {
  if (!enabled_) return;  // on every manifest pull: nothing to note while proxying is off
  std::lock_guard lock(mutex_);
  const auto it = cache_.find({std::string(repository), manifest});
  if (it == cache_.end()) return;
  it->second.last_served = now_unix();
}

bool PullThroughProxy::revalidate(std::string_view repository, std::string_view tag,
                                  const common::Digest& held) noexcept {
  if (!enabled_) return false;
  std::lock_guard lock(mutex_);
  const auto it = tags_.find({std::string(repository), std::string(tag)});
  if (it == tags_.end()) return false;
  if (it->second.digest != held) {  // moved by a push at the site: no longer the proxy's
    tags_.erase(it);
    save_locked();
    return false;
  }
  if (is_desired_ && is_desired_(std::string(repository), held))
    return false;  // the desired state pins it
  const auto now = now_unix();
  if (it->second.last_checked != 0 && now - it->second.last_checked < options_.tag_ttl.count())
    return false;
  it->second.last_checked = now;  // also when the check fails: an offline site asks once per ttl
  return true;
}

void PullThroughProxy::remember(const std::string& repository, const common::Digest& digest) {
  std::lock_guard lock(mutex_);
  cache_[{repository, digest}] = Entry{now_unix()};
  save_locked();
}

void PullThroughProxy::remember_tag(const std::string& repository, const std::string& tag,
                                    const common::Digest& digest) {
  std::lock_guard lock(mutex_);
  tags_.insert_or_assign({repository, tag}, FetchedTag{digest, now_unix()});
}

void PullThroughProxy::save_locked() const {
  json entries = json::array();
  for (const auto& [key, entry] : cache_)
    entries.push_back({{"repository", key.first},
                       {"digest", key.second.str()},
                       {"lastServed", entry.last_served}});
  json tags = json::array();
  for (const auto& [key, fetched] : tags_)
    tags.push_back(
        {{"repository", key.first}, {"tag", key.second}, {"digest", fetched.digest.str()}});
  if (auto made = common::fs::make_dirs(common::fs::parent_dir(options_.cache_file)); !made) return;
  if (auto written = common::fs::atomic_write_file(
          options_.cache_file, json{{"entries", entries}, {"tags", tags}}.dump());
      !written)
    logger_->warn("proxy: cannot keep the cache's entries: {}", written.error().message());
}

std::size_t PullThroughProxy::evict_to_quota() {
  if (options_.disk_quota == 0) return 0;
  std::lock_guard one(evict_mutex_);
  std::size_t evicted = 0;
  // The registry's count drops only when garbage collection frees the blobs, so each
  // eviction's layer sizes are subtracted as an estimate. Shared layers make it an
  // overestimate: eviction may stop early, and the next fetch evicts again.
  std::uint64_t stored = registry_.storage_stats().bytes;
  while (stored > options_.disk_quota) {
    std::optional<Key> oldest;
    {
      std::lock_guard lock(mutex_);
      std::int64_t best = 0;
      for (const auto& [key, entry] : cache_) {
        if (is_desired_ && is_desired_(key.first, key.second)) continue;
        if (!oldest || entry.last_served < best) {
          oldest = key;
          best = entry.last_served;
        }
      }
    }
    if (!oldest) break;  // only desired content left: it stays, quota or not
    std::uint64_t freed = 0;
    if (auto manifest = registry_.get_manifest(oldest->first, oldest->second.str())) {
      auto parsed = common::oci::parse_manifest((*manifest)->content, (*manifest)->media_type);
      if (parsed) {
        for (const auto& layer : parsed->layers) freed += static_cast<std::uint64_t>(layer.size);
        for (const auto& child : parsed->manifests)
          (void)registry_.delete_manifest(oldest->first, child.digest.str());
      }
      (void)registry_.delete_manifest(oldest->first, oldest->second.str());
    }
    logger_->info("proxy: evicted {}@{} (disk quota {} bytes)", oldest->first, oldest->second.str(),
                  options_.disk_quota);
    {
      std::lock_guard lock(mutex_);
      cache_.erase(*oldest);
      std::erase_if(tags_, [&](const auto& tag) {
        return tag.first.first == oldest->first && tag.second.digest == oldest->second;
      });
      save_locked();
    }
    ++evicted;
    stored = stored > freed ? stored - freed : 0;
  }
  if (evicted > 0 && collect_garbage_) collect_garbage_();
  return evicted;
}

std::size_t PullThroughProxy::cached_entries() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

}  // namespace satellite::proxy
