#include "oci_layout_writer.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"
#include "gzip.hpp"
#include "tar_writer.hpp"

namespace testutil::oci_image_gen {
namespace {

using Json = nlohmann::ordered_json;
using common::ErrorCode;

constexpr std::string_view kConfigMediaType = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kLayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr std::string_view kCreated = "2024-01-01T00:00:00Z";  // matches TarWriter::kMtime
constexpr int kMaxLayers = 1000;
constexpr std::uint64_t kMaxLayerSize = std::uint64_t{4} << 30;  // layers are built in memory
constexpr std::uint64_t kFilesPerLayer = 4;
constexpr std::size_t kDictionaryWords = 512;  // 9 bits of entropy per word

// splitmix64 (Steele et al.): tiny, fully specified, so content never varies by platform.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// Derives an independent seed for a sub-stream (platform, layer) of `seed`.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return SplitMix64(seed ^ (stream * 0xd1b54a32d192ed03ULL + 0x632be59bd9b4e019ULL)).next();
}

// Emits text made of words drawn at random from a seed-specific dictionary: gzip shrinks it
// to roughly a third, about like real layers, and no two seeds give the same bytes.
class TextGenerator {
 public:
  explicit TextGenerator(std::uint64_t dictionary_seed) {
    SplitMix64 rng(dictionary_seed);
    words_.reserve(kDictionaryWords);
    for (std::size_t i = 0; i < kDictionaryWords; ++i) {
      std::string word(2 + rng.next() % 8, 'a');
      for (char& c : word) c = static_cast<char>('a' + rng.next() % 26);
      words_.push_back(std::move(word));
    }
  }

  // Exactly `size` bytes of text from the stream seeded by `seed`.
  std::string generate(std::uint64_t seed, std::size_t size) const {
    SplitMix64 rng(seed);
    std::string out;
    out.reserve(size + 16);
    while (out.size() < size) {
      std::uint64_t bits = rng.next();
      for (int i = 0; i < 7 && out.size() < size; ++i, bits >>= 9) {
        const std::size_t index = bits % kDictionaryWords;
        out += words_[index];
        out.push_back(index % 13 == 0 ? '\n' : ' ');
      }
    }
    out.resize(size);
    return out;
  }

 private:
  std::vector<std::string> words_;
};

// A content descriptor (image-spec "descriptor.md") for a blob written to the layout.
struct Descriptor {
  std::string media_type;
  common::Digest digest;
  std::uint64_t size;

  Json to_json() const {
    return Json{{"mediaType", media_type}, {"digest", digest.str()}, {"size", size}};
  }
};

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  const auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word_char(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [&](char c) { return word_char(c) || c == '.' || c == '-'; });
}

common::Status validate(const OciLayoutOptions& options) {
  if (options.out_dir.empty()) {
    return common::fail(ErrorCode::kInvalidArgument, "output directory is empty");
  }
  if (!is_valid_tag(options.tag)) {
    return common::fail(ErrorCode::kInvalidArgument, "invalid tag", options.tag);
  }
  if (options.layers < 0 || options.layers > kMaxLayers) {
    return common::fail(ErrorCode::kInvalidArgument, "layer count must be 0-1000",
                        std::to_string(options.layers));
  }
  if (options.layer_size > kMaxLayerSize) {
    return common::fail(ErrorCode::kInvalidArgument, "layer size must be at most 4 GiB",
                        std::to_string(options.layer_size));
  }
  for (std::size_t i = 0; i < options.platforms.size(); ++i) {
    const auto& p = options.platforms[i];
    if (std::find(options.platforms.begin(), options.platforms.begin() + i, p) !=
        options.platforms.begin() + i) {
      return common::fail(ErrorCode::kInvalidArgument, "duplicate platform", p.str());
    }
  }
  return {};
}

common::Result<std::string> read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::fail(ErrorCode::kInternal, "cannot open file", path.string());
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return common::fail(ErrorCode::kInternal, "cannot read file", path.string());
  return content;
}

// Writes `content` to a sibling temp file, then renames it over `path`.
common::Status write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  auto temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return common::fail(ErrorCode::kInternal, "cannot write file", temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return common::fail(ErrorCode::kInternal, "cannot rename file", path.string());
  }
  return {};
}

// The org.opencontainers.image.ref.name annotation of an index entry, or "" if none.
std::string ref_name_of(const Json& entry) {
  if (!entry.is_object() || !entry.contains("annotations")) return {};
  const Json& annotations = entry["annotations"];
  if (!annotations.is_object()) return {};
  const auto it = annotations.find(kRefNameAnnotation);
  return it != annotations.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The layout directory: owns the blob naming and the two top-level files.
class Layout {
 public:
  explicit Layout(std::filesystem::path root) : root_(std::move(root)) {}

  common::Status create() {
    std::error_code ec;
    std::filesystem::create_directories(root_ / "blobs" / "sha256", ec);
    if (ec) {
      return common::fail(ErrorCode::kInternal, "cannot create layout directory",
                          root_.string() + ": " + ec.message());
    }
    return write_file_atomic(root_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }

  // Stores `content` as a blob (skipped when already present) and describes it.
  common::Result<Descriptor> put_blob(std::string_view media_type, std::string_view content) {
    Descriptor descriptor{std::string(media_type), common::crypto::digest_of(content),
                          content.size()};
    const auto path = root_ / "blobs" / "sha256" / descriptor.digest.hex();
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) != content.size() || ec) {
      if (auto status = write_file_atomic(path, content); !status) {
        return common::fail(status.error());
      }
    }
    return descriptor;
  }

  // Points index.json's entry for `tag` at `top`, keeping entries for other tags.
  common::Status tag(const Descriptor& top, std::string_view tag) {
    const auto path = root_ / "index.json";
    Json index{{"schemaVersion", 2},
               {"mediaType", common::oci::media_type::kOciIndex},
               {"manifests", Json::array()}};
    if (std::filesystem::exists(path)) {
      auto text = read_whole_file(path);
      if (!text) return common::fail(text.error());
      index = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
      if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
        return common::fail(ErrorCode::kCorruption, "existing index.json is not an OCI index",
                            path.string());
      }
    }
    Json kept = Json::array();
    for (const auto& entry : index["manifests"]) {
      if (ref_name_of(entry) != tag) kept.push_back(entry);
    }
    Json entry = top.to_json();
    entry["annotations"] = Json{{kRefNameAnnotation, tag}};
    kept.push_back(std::move(entry));
    index["manifests"] = std::move(kept);
    return write_file_atomic(path, index.dump());
  }

 private:
  std::filesystem::path root_;
};

struct Layer {
  Descriptor descriptor;
  common::Digest diff_id;
};

// Builds one gzip'd tar layer, stores it, and reports its descriptor and diff_id.
common::Result<Layer> write_layer(Layout& layout, const TextGenerator& text,
                                  const OciLayoutOptions& options, const Platform& platform,
                                  std::uint64_t layer_seed, int index) {
  const std::string dir = "opt/oci-image-gen/layer-" + std::to_string(index) + "/";
  TarWriter tar;
  for (const std::string& path : {std::string("opt/"), std::string("opt/oci-image-gen/"), dir}) {
    if (auto status = tar.add_directory(path); !status) return common::fail(status.error());
  }
  // A tiny identity file keeps every layer distinct, even at --layer-size 0.
  std::ostringstream id;
  id << "oci-image-gen seed=" << options.seed << " platform=" << platform.str()
     << " layer=" << index << "\n";
  if (auto status = tar.add_file(dir + "id", id.str()); !status) {
    return common::fail(status.error());
  }
  const std::uint64_t share = options.layer_size / kFilesPerLayer;
  for (std::uint64_t k = 0; k < kFilesPerLayer; ++k) {
    const std::uint64_t size =
        k + 1 < kFilesPerLayer ? share : options.layer_size - share * (kFilesPerLayer - 1);
    const std::string content = text.generate(derive_seed(layer_seed, k), size);
    auto status = tar.add_file(dir + "data-" + std::to_string(k) + ".txt", content);
    if (!status) return common::fail(status.error());
  }
  const std::string archive = tar.finish();
  auto compressed = gzip_compress(archive);
  if (!compressed) return common::fail(compressed.error());
  auto descriptor = layout.put_blob(kLayerMediaType, *compressed);
  if (!descriptor) return common::fail(descriptor.error());
  return Layer{std::move(*descriptor), common::crypto::digest_of(archive)};
}

Json config_json(const OciLayoutOptions& options, const Platform& platform,
                 const std::vector<Layer>& layers) {
  Json config{{"created", kCreated}, {"architecture", platform.architecture}};
  if (!platform.variant.empty()) config["variant"] = platform.variant;
  config["os"] = platform.os;
  config["config"] = Json{
      {"Env", Json::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"})},
      {"Cmd", Json::array({"/bin/sh"})},
      {"WorkingDir", "/"},
      {"Labels",
       {{"org.opencontainers.image.title", "oci-image-gen synthetic image"},
        {"dev.oci-image-gen.seed", std::to_string(options.seed)}}}};
  Json diff_ids = Json::array();
  Json history = Json::array();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    diff_ids.push_back(layers[i].diff_id.str());
    history.push_back(
        Json{{"created", kCreated}, {"created_by", "oci-image-gen layer " + std::to_string(i)}});
  }
  config["rootfs"] = Json{{"type", "layers"}, {"diff_ids", std::move(diff_ids)}};
  config["history"] = std::move(history);
  return config;
}

// Writes the layers, config and manifest of one image; returns the manifest's descriptor.
common::Result<Descriptor> write_image(Layout& layout, const TextGenerator& text,
                                       const OciLayoutOptions& options, const Platform& platform,
                                       std::uint64_t platform_index) {
  const std::uint64_t image_seed = derive_seed(options.seed, platform_index + 1);
  std::vector<Layer> layers;
  for (int i = 0; i < options.layers; ++i) {
    auto layer = write_layer(layout, text, options, platform,
                             derive_seed(image_seed, static_cast<std::uint64_t>(i)), i);
    if (!layer) return common::fail(layer.error());
    layers.push_back(std::move(*layer));
  }
  auto config = layout.put_blob(kConfigMediaType, config_json(options, platform, layers).dump());
  if (!config) return common::fail(config.error());

  Json layer_list = Json::array();
  for (const auto& layer : layers) layer_list.push_back(layer.descriptor.to_json());
  const Json manifest{{"schemaVersion", 2},
                      {"mediaType", common::oci::media_type::kOciManifest},
                      {"config", config->to_json()},
                      {"layers", std::move(layer_list)}};
  return layout.put_blob(common::oci::media_type::kOciManifest, manifest.dump());
}

}  // namespace

common::Result<Platform> Platform::parse(std::string_view text) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == '/') {
      parts.push_back(std::move(part));
      part.clear();
    } else {
      part.push_back(c);
    }
  }
  parts.push_back(std::move(part));
  const auto bad_part = [](const std::string& p) {
    return p.empty() || !std::all_of(p.begin(), p.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == '-';
           });
  };
  if (parts.size() < 2 || parts.size() > 3 || std::any_of(parts.begin(), parts.end(), bad_part)) {
    return common::fail(ErrorCode::kInvalidArgument,
                        "platform must be os/arch[/variant] in lowercase", std::string(text));
  }
  return Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string()};
}

std::string Platform::str() const {
  return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
}

common::Result<common::Digest> write_oci_layout(const OciLayoutOptions& options) {
  if (auto status = validate(options); !status) return common::fail(status.error());
  Layout layout(options.out_dir);
  if (auto status = layout.create(); !status) return common::fail(status.error());
  const TextGenerator text(options.seed);

  std::optional<Descriptor> top;
  if (options.platforms.empty()) {
    auto manifest = write_image(layout, text, options, Platform{"linux", "amd64", ""}, 0);
    if (!manifest) return common::fail(manifest.error());
    top = std::move(*manifest);
  } else {
    Json entries = Json::array();
    if (options.layer_size > kMaxLayerSize) {
      return common::fail(ErrorCode::kInvalidArgument, "layer size must be at most 4 GiB",
                          std::to_string(options.layer_size));
    }
    for (std::size_t i = 0; i < options.platforms.size(); ++i) {
      const Platform& platform = options.platforms[i];
      auto manifest = write_image(layout, text, options, platform, i);
      if (!manifest) return common::fail(manifest.error());
      Json entry = manifest->to_json();
      entry["platform"] = Json{{"architecture", platform.architecture}, {"os", platform.os}};
      if (!platform.variant.empty()) entry["platform"]["variant"] = platform.variant;
      entries.push_back(std::move(entry));
    }
    const Json index{{"schemaVersion", 2},
                     {"mediaType", common::oci::media_type::kOciIndex},
                     {"manifests", std::move(entries)}};
    auto descriptor = layout.put_blob(common::oci::media_type::kOciIndex, index.dump());
    if (!descriptor) return common::fail(descriptor.error());
    top = std::move(*descriptor);
  }
  if (auto status = layout.tag(*top, options.tag); !status) return common::fail(status.error());
  return top->digest;
}

}  // namespace testutil::oci_image_gen
