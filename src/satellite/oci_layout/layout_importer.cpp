#include "satellite/oci_layout/layout_importer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "common/oci/manifest.hpp"
#include "common/oci/media_types.hpp"
#include "common/oci/repository_name.hpp"
#include "satellite/oci_layout/image_name.hpp"

namespace satellite::oci_layout {
namespace {

using common::Digest;
using common::ErrorCode;
using common::fail;

constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";
constexpr std::string_view kContainerdName = "io.containerd.image.name";
constexpr int kMaxIndexDepth = 4;  // an index of indexes is legal; deeper is abuse

std::string blob_path(const Digest& digest) {
  return "blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

// One image of index.json: where it goes and what it is.
struct Image {
  std::string repository;
  std::string tag;  // empty: by digest only
  common::oci::Descriptor top;
};

struct LoadedManifest {
  Digest digest;
  std::string media_type;
  std::string content;
};

// Everything one image needs, in the order it must be stored: blobs, then manifests with
// every child before its index.
struct ImagePlan {
  Image image;
  std::vector<LoadedManifest> manifests;
  std::vector<common::oci::Descriptor> blobs;
};

common::Status check_layout_marker(LayoutSource& source) {
  auto marker = source.read("oci-layout", 4096);
  if (!marker)
    return fail(ErrorCode::kInvalidArgument, "not an OCI image layout (no oci-layout file)",
                marker.error().detail());
  const auto json = nlohmann::json::parse(*marker, nullptr, false);
  if (!json.is_object() || !json.contains("imageLayoutVersion") ||
      !json["imageLayoutVersion"].is_string() ||
      !json["imageLayoutVersion"].get<std::string>().starts_with("1."))
    return fail(ErrorCode::kInvalidArgument, "not an OCI image layout version 1",
                "oci-layout: " + marker->substr(0, 200));
  return {};
}

std::string annotation(const nlohmann::json& entry, std::string_view key) {
  const auto it = entry.find("annotations");
  if (it == entry.end() || !it->is_object()) return {};
  const auto value = it->find(std::string(key));
  return value != it->end() && value->is_string() ? value->get<std::string>() : std::string();
}

// Where one index.json entry goes: `repository`, else the name its annotations hold.
common::Result<Image> image_of(const nlohmann::json& entry, std::string_view repository) {
  if (!entry.is_object() || !entry.contains("digest") || !entry["digest"].is_string() ||
      !entry.contains("size") || !entry["size"].is_number_integer() ||
      !entry.contains("mediaType") || !entry["mediaType"].is_string())
    return fail(ErrorCode::kInvalidArgument, "malformed entry in index.json",
                entry.dump().substr(0, 200));
  auto digest = Digest::parse(entry["digest"].get<std::string>());
  if (!digest) return fail(digest.error());
  Image image{
      std::string(repository),
      {},
      {entry["mediaType"].get<std::string>(), *digest, entry["size"].get<std::int64_t>(), {}}};
  const auto ref = annotation(entry, kRefName);
  const auto containerd = annotation(entry, kContainerdName);
  for (const auto& text : {ref, containerd}) {
    if (text.empty()) continue;
    auto name = ImageName::parse(text);
    if (!name) return fail(name.error());
    if (image.repository.empty()) image.repository = name->repository;
    if (image.tag.empty()) image.tag = name->tag;
  }
  if (image.repository.empty())
    return fail(ErrorCode::kInvalidArgument,
                "the layout does not name a repository for image " + digest->str() +
                    (ref.empty() ? "" : " (ref name '" + ref + "')") + ": pass --repository");
  return image;
}

common::Result<std::vector<Image>> read_images(LayoutSource& source, std::string_view repository,
                                               std::size_t limit) {
  auto index = source.read("index.json", limit);
  if (!index) return fail(index.error());
  const auto json = nlohmann::json::parse(*index, nullptr, false);
  if (!json.is_object() || !json.contains("manifests") || !json["manifests"].is_array())
    return fail(ErrorCode::kInvalidArgument, "index.json of the layout is not an image index");
  std::vector<Image> images;
  for (const auto& entry : json["manifests"]) {
    auto image = image_of(entry, repository);
    if (!image) return fail(image.error());
    images.push_back(std::move(*image));
  }
  return images;
}

// Checks the layout's copy of a blob against its descriptor without keeping it.
common::Status verify_blob(LayoutSource& source, const common::oci::Descriptor& blob) {
  const auto path = blob_path(blob.digest);
  auto size = source.size(path);
  if (!size && size.error().code() == ErrorCode::kNotFound)
    return fail(ErrorCode::kNotFound, "blob " + blob.digest.str() + " is missing from the layout");
  if (!size)
    return fail(size.error().code(), "blob " + blob.digest.str() + ": " + size.error().message());
  if (*size != static_cast<std::uint64_t>(blob.size))
    return fail(ErrorCode::kSizeInvalid,
                fmt::format("blob {} has {} bytes in the layout, its descriptor says {}",
                            blob.digest.str(), *size, blob.size));
  common::crypto::Hasher hasher(blob.digest.algorithm());
  auto read = source.stream(path, [&](std::string_view data) -> common::Status {
    hasher.update(data);
    return {};
  });
  if (!read) return read;
  if (hasher.digest() != blob.digest)
    return fail(ErrorCode::kDigestInvalid,
                "blob " + blob.digest.str() + " in the layout does not match its digest",
                "its content hashes to " + hasher.digest().str());
  return {};
}

// Reads, verifies and parses one manifest and, for an index, its children (first).
common::Status load_manifest(LayoutSource& source, const common::oci::Descriptor& descriptor,
                             std::size_t limit, int depth, ImagePlan& plan) {
  if (depth > kMaxIndexDepth)
    return fail(ErrorCode::kManifestInvalid, "indexes nested too deeply in the layout");
  auto content = source.read(blob_path(descriptor.digest), limit);
  if (!content && content.error().code() == ErrorCode::kNotFound)
    return fail(ErrorCode::kNotFound,
                "manifest " + descriptor.digest.str() + " is missing from the layout");
  if (!content) return fail(content.error());
  const auto actual = common::crypto::digest_of(*content, descriptor.digest.algorithm());
  if (actual != descriptor.digest || content->size() != static_cast<std::size_t>(descriptor.size))
    return fail(
        ErrorCode::kDigestInvalid,
        "manifest " + descriptor.digest.str() + " in the layout does not match its descriptor",
        "its content hashes to " + actual.str());
  auto manifest = common::oci::parse_manifest(*content, descriptor.media_type);
  if (!manifest) return fail(manifest.error());
  for (const auto& child : manifest->manifests) {
    if (auto status = load_manifest(source, child, limit, depth + 1, plan); !status) return status;
  }
  if (manifest->config) plan.blobs.push_back(*manifest->config);
  for (const auto& layer : manifest->layers) plan.blobs.push_back(layer);
  plan.manifests.push_back({descriptor.digest, manifest->media_type, std::move(*content)});
  return {};
}

}  // namespace

namespace {

// An upload session that is cancelled unless it was finished.
class StagedUpload {
 public:
  StagedUpload(registry::RegistryService& service, std::string_view repository, std::string id)
      : service_(service), repository_(repository), id_(std::move(id)) {}
  StagedUpload(const StagedUpload&) = delete;
  StagedUpload& operator=(const StagedUpload&) = delete;
  ~StagedUpload() {
    if (!finished_) (void)service_.cancel_upload(repository_, id_);
  }
  const std::string& id() const noexcept { return id_; }
  void finished() noexcept { finished_ = true; }

 private:
  registry::RegistryService& service_;
  std::string_view repository_;
  std::string id_;
  bool finished_ = false;
};

// Makes one verified blob of the layout held by `repository`: nothing when it is already,
// a link when the store has it, else an upload that the store verifies as it commits.
common::Status store_blob(registry::RegistryService& service, LayoutSource& source,
                          std::string_view repository, const common::oci::Descriptor& blob,
                          ImportReport& report) {
  if (service.stat_blob(repository, blob.digest)) {
    ++report.blobs_held;
    return {};
  }
  auto linked = service.link_stored_blob(repository, blob.digest);
  if (!linked) return fail(linked.error());
  if (*linked) {
    ++report.blobs_linked;
    return {};
  }
  auto state = service.start_upload(repository);
  if (!state) return fail(state.error());
  StagedUpload upload(service, repository, state->id.str());
  {
    auto writer = service.open_upload(repository, upload.id(), 0);
    if (!writer) return fail(writer.error());
    auto copied = source.stream(blob_path(blob.digest),
                                [&](std::string_view data) { return writer->write(data); });
    if (!copied) return copied;
  }  // the writer hands the session back before the commit
  auto size = service.finish_upload(repository, upload.id(), blob.digest);
  if (!size) {
    return fail(size.error().code(),
                "blob " + blob.digest.str() + " could not be stored: " + size.error().message(),
                size.error().detail());
  }
  upload.finished();
  ++report.blobs_uploaded;
  report.bytes_uploaded += *size;
  return {};
}

common::Status store_image(registry::RegistryService& service, LayoutSource& source,
                           const ImagePlan& plan, ImportReport& report) {
  const auto& repository = plan.image.repository;
  std::set<Digest> done;
  for (const auto& blob : plan.blobs) {
    if (!done.insert(blob.digest).second) continue;
    if (auto status = store_blob(service, source, repository, blob, report); !status) return status;
  }
  for (const auto& manifest : plan.manifests) {
    auto put = service.put_manifest(repository, manifest.digest.str(), manifest.content,
                                    manifest.media_type);
    if (!put) return fail(put.error());
    ++report.manifests;
  }
  if (!plan.image.tag.empty()) {
    const auto& top = plan.manifests.back();
    auto put = service.put_manifest(repository, plan.image.tag, top.content, top.media_type);
    if (!put) return fail(put.error());
  }
  return {};
}

std::string human_bytes(std::uint64_t bytes) {
  if (bytes >= 1024 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024.0));
  if (bytes >= 1024) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  return fmt::format("{} B", bytes);
}

}  // namespace

std::string ImportReport::summary() const {
  return fmt::format(
      "imported {} image{} ({} manifests) into {}: {} blobs stored ({}), {} linked, {} already "
      "held",
      images, images == 1 ? "" : "s", manifests,
      repositories.empty() ? "-" : fmt::format("{}", fmt::join(repositories, ",")), blobs_uploaded,
      human_bytes(bytes_uploaded), blobs_linked, blobs_held);
}

common::Result<ImportReport> LayoutImporter::import(LayoutSource& source,
                                                    std::string_view repository) {
  if (!repository.empty()) {
    if (auto status = common::oci::validate_repository_name(repository); !status)
      return fail(ErrorCode::kInvalidArgument, "invalid --repository", std::string(repository));
  }
  if (auto status = check_layout_marker(source); !status) return fail(status.error());
  const auto limit = service_.config().max_manifest_bytes;
  auto images = read_images(source, repository, limit);
  if (!images) return fail(images.error());

  // Phase 1: read and verify everything that will be stored; nothing is written.
  std::vector<ImagePlan> plans;
  std::set<Digest> verified;
  for (auto& image : *images) {
    ImagePlan plan{std::move(image), {}, {}};  // NOLINT: aggregate
    if (auto status = load_manifest(source, plan.image.top, limit, 0, plan); !status)
      return fail(status.error());
    for (const auto& blob : plan.blobs) {
      if (verified.contains(blob.digest) || service_.stat_blob(plan.image.repository, blob.digest))
        continue;
      if (auto status = verify_blob(source, blob); !status) return fail(status.error());
      verified.insert(blob.digest);
    }
    plans.push_back(std::move(plan));
  }
  // Phase 2: blobs, manifests children first, then tags.
  ImportReport report;
  for (const auto& plan : plans) {
    if (auto status = store_image(service_, source, plan, report); !status)
      return fail(status.error());
    ++report.images;
    auto& names = report.repositories;
    if (std::find(names.begin(), names.end(), plan.image.repository) == names.end())
      names.push_back(plan.image.repository);
  }
  return report;
}

}  // namespace satellite::oci_layout
