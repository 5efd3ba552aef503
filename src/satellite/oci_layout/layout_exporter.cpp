#include "satellite/oci_layout/layout_exporter.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/oci/manifest.hpp"
#include "common/oci/media_types.hpp"

namespace satellite::oci_layout {
namespace {

using common::Digest;
using common::fail;

constexpr std::size_t kPage = 1000;

std::string blob_path(const Digest& digest) {
  return "blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

// Pages through a listing (repositories or tags) to the end.
template <class List>
common::Result<std::vector<std::string>> list_all(const List& list) {
  std::vector<std::string> all;
  std::string last;
  for (;;) {
    auto page = list(kPage, last);
    if (!page) return fail(page.error());
    all.insert(all.end(), page->begin(), page->end());
    if (page->size() < kPage) return all;
    last = all.back();
  }
}

class Writer {
 public:
  Writer(registry::RegistryService& service, LayoutSink& sink, ExportReport& report)
      : service_(service), sink_(sink), report_(report) {}

  // Writes a manifest the repository holds, its children and its blobs, each once.
  common::Status manifest(const std::string& repository, const std::string& reference,
                          std::shared_ptr<const registry::meta::CachedManifest>* top) {
    auto found = service_.get_manifest(repository, reference);
    if (!found) return fail(found.error());
    const auto& m = **found;
    if (top) *top = *found;
    if (!written_.insert(m.digest).second) return {};
    auto parsed = common::oci::parse_manifest(m.content, m.media_type);
    if (!parsed) return fail(parsed.error());
    for (const auto& child : parsed->manifests) {
      if (auto status = manifest(repository, child.digest.str(), nullptr); !status) return status;
    }
    if (parsed->config) {
      if (auto status = blob(repository, parsed->config->digest); !status) return status;
    }
    for (const auto& layer : parsed->layers) {
      if (auto status = blob(repository, layer.digest); !status) return status;
    }
    ++report_.manifests;
    return sink_.add_file(blob_path(m.digest), m.content);
  }

 private:
  common::Status blob(const std::string& repository, const Digest& digest) {
    if (!written_.insert(digest).second) return {};
    auto open = service_.open_blob(repository, digest);
    if (!open)
      return fail(open.error().code(), "blob " + digest.str() + " of " + repository +
                                           " cannot be read: " + open.error().message());
    if (auto status = sink_.add_file_from(blob_path(digest), open->fd.get(), open->size); !status)
      return status;
    ++report_.blobs;
    report_.bytes += open->size;
    return {};
  }

  registry::RegistryService& service_;
  LayoutSink& sink_;
  ExportReport& report_;
  std::set<Digest> written_;
};

}  // namespace

std::string ExportReport::summary() const {
  return fmt::format("exported {} tag{}: {} manifests, {} blobs ({:.1f} MiB)", tags,
                     tags == 1 ? "" : "s", manifests, blobs, bytes / (1024.0 * 1024.0));
}

common::Result<ExportReport> LayoutExporter::write(LayoutSink& sink,
                                                   const std::vector<std::string>& repositories) {
  auto names = repositories.empty() ? list_all([&](std::size_t n, const std::string& last) {
    return service_.list_repositories(n, last);
  })
                                    : common::Result<std::vector<std::string>>(repositories);
  if (!names) return fail(names.error());
  ExportReport report;
  if (auto status = sink.add_file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !status)
    return fail(status.error());
  for (const auto* dir : {"blobs", "blobs/sha256", "blobs/sha512"}) {
    if (auto status = sink.add_directory(dir); !status) return fail(status.error());
  }
  Writer writer(service_, sink, report);
  auto index = nlohmann::json::array();
  for (const auto& repository : *names) {
    auto tags = list_all([&](std::size_t n, const std::string& last) {
      return service_.list_tags(repository, n, last);
    });
    if (!tags) return fail(tags.error());
    if (tags->empty() && !repositories.empty())
      return fail(common::ErrorCode::kNameUnknown, "repository holds no tag", repository);
    for (const auto& tag : *tags) {
      std::shared_ptr<const registry::meta::CachedManifest> top;
      if (auto status = writer.manifest(repository, tag, &top); !status)
        return fail(status.error());
      index.push_back(
          {{"mediaType", top->media_type},
           {"digest", top->digest_str},
           {"size", top->content.size()},
           {"annotations", {{"org.opencontainers.image.ref.name", repository + ":" + tag}}}});
      ++report.tags;
    }
  }
  const nlohmann::json document = {{"schemaVersion", 2},
                                   {"mediaType", common::oci::media_type::kOciIndex},
                                   {"manifests", index}};
  if (auto status = sink.add_file("index.json", document.dump()); !status)
    return fail(status.error());
  if (auto status = sink.finish(); !status) return fail(status.error());
  return report;
}

}  // namespace satellite::oci_layout
