#include "common/oci/manifest.hpp"

#include <nlohmann/json.hpp>

#include <limits>

#include "common/oci/media_types.hpp"

namespace common::oci {
namespace {

using nlohmann::json;

// RFC 6838 bounds a media type's two names at 127 characters each.
constexpr std::size_t kMaxMediaTypeLength = 255;

std::unexpected<Error> invalid(std::string why) {
  return fail(ErrorCode::kManifestInvalid, "manifest invalid", std::move(why));
}

std::string_view strip_parameters(std::string_view content_type) {
  const auto semi = content_type.find(';');
  auto base = content_type.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return base;
}

// A descriptor as it is being read: each field is present or not.
struct PartialDescriptor {
  std::optional<std::string> media_type;
  std::optional<Digest> digest;
  std::optional<std::int64_t> size;
  std::string artifact_type;
};

// Everything of the document the result needs, as read so far.
struct Fields {
  bool has_schema = false;
  bool schema_is_two = false;
  std::optional<std::string> media_type;
  std::optional<std::string> artifact_type;
  std::optional<Descriptor> config;
  std::optional<std::vector<Descriptor>> layers;
  std::optional<std::vector<Descriptor>> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

// nlohmann's SAX interface: one call per JSON event. Each open array or object is a frame
// saying what its members mean; members that mean nothing to the registry are skipped
// (only their nesting counted), so nothing is kept that the result does not hold.
class ManifestReader {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  ManifestReader(Fields& fields, const ParseLimits& limits) : fields_(fields), limits_(limits) {
    if (limits_.reservation != nullptr) reserved_base_ = limits_.reservation->bytes();
  }

  // The first problem found; set whenever a handler returned false.
  std::optional<Error> error;
  // The first malformed descriptor. Reading goes on, because an unsupported media type
  // decides the answer before a descriptor's shape does.
  std::optional<Error> bad_descriptor;

  bool null() { return scalar(Value::kNull); }
  bool boolean(bool) { return scalar(Value::kOther); }
  bool number_integer(number_integer_t value) {
    return value < 0 ? scalar(Value::kNegative) : number(static_cast<std::uint64_t>(value));
  }
  bool number_unsigned(number_unsigned_t value) { return number(value); }
  bool number_float(number_float_t, const string_t&) { return scalar(Value::kFloat); }
  bool binary(binary_t&) { return scalar(Value::kOther); }
  bool string(string_t& value) {
    string_ = &value;
    const bool ok = scalar(Value::kString);
    string_ = nullptr;
    return ok;
  }
  bool key(string_t& value) {
    auto& frame = stack_.back();
    frame.key = std::move(value);
    if (frame.kind == Kind::kAnnotations) return true;
    const auto bit = known_bit(frame.kind, frame.key);
    if (bit != 0) {
      if (frame.seen & bit) return stop(invalid("duplicate field " + frame.key));
      frame.seen |= bit;
    }
    return true;
  }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return stop(invalid("body is not valid JSON"));
  }

 private:
  enum class Kind { kTop, kDescriptor, kDescriptorList, kAnnotations, kSkip };
  enum class Value { kNull, kString, kUnsigned, kNegative, kFloat, kOther };
  struct Frame {
    Kind kind;
    std::string where;                                   // field name, for messages
    std::string key;                                     // member being read (objects)
    std::uint32_t seen = 0;                              // known members met so far
    PartialDescriptor descriptor;                        // kDescriptor
    std::vector<Descriptor>* list = nullptr;             // kDescriptorList; kDescriptor's target
    std::optional<Descriptor>* single = nullptr;         // kDescriptor's target when not a list
    std::map<std::string, std::string>* kept = nullptr;  // kAnnotations: null validates only
  };

  static std::uint32_t known_bit(Kind kind, std::string_view key) {
    static constexpr std::string_view kTopKeys[] = {"schemaVersion", "mediaType",  "artifactType",
                                                    "config",        "layers",     "manifests",
                                                    "subject",       "annotations"};
    static constexpr std::string_view kDescriptorKeys[] = {"mediaType", "digest", "size",
                                                           "artifactType", "annotations"};
    auto find = [&](const auto& keys) -> std::uint32_t {
      for (std::uint32_t i = 0; i < std::size(keys); ++i) {
        if (keys[i] == key) return 1u << i;
      }
      return 0;
    };
    if (kind == Kind::kTop) return find(kTopKeys);
    if (kind == Kind::kDescriptor) return find(kDescriptorKeys);
    return 0;
  }

  bool stop(std::unexpected<Error> failure) {
    if (!error) error = std::move(failure.error());
    return false;
  }

  // Counts bytes the result keeps against the reservation or the fixed cap.
  bool keep(std::size_t bytes) {
    kept_ += bytes;
    if (limits_.reservation != nullptr) {
      if (reserved_base_ + kept_ <= limits_.reservation->bytes()) return true;
      // Grow in steps of 64 KiB to keep the atomic traffic low, or exactly when that is all
      // the budget has left.
      if (limits_.reservation->grow_to(reserved_base_ + kept_ + 64 * 1024) ||
          limits_.reservation->grow_to(reserved_base_ + kept_)) {
        return true;
      }
      return stop(fail(ErrorCode::kTooManyRequests, "too many large manifests in flight"));
    }
    if (kept_ > limits_.max_kept_bytes) return stop(invalid("manifest too complex"));
    return true;
  }

  bool number(std::uint64_t value) {
    value_ = value;
    return scalar(Value::kUnsigned);
  }

  bool open(bool object) {
    if (stack_.size() >= limits_.max_depth) return stop(invalid("nesting too deep"));
    if (stack_.empty()) {
      if (!object) return stop(invalid("manifest must be a JSON object"));
      stack_.push_back(Frame{Kind::kTop, "manifest"});
      return true;
    }
    auto& parent = stack_.back();
    switch (parent.kind) {
      case Kind::kTop:
        return open_top_member(parent.key, object);
      case Kind::kDescriptor:
        if (parent.key == "annotations") {
          if (!object) return stop(invalid(parent.where + ": annotations must be an object"));
          stack_.push_back(Frame{Kind::kAnnotations, parent.where});
          return true;
        }
        if (known_bit(Kind::kDescriptor, parent.key) != 0)
          return stop(invalid(parent.where + ": descriptor " + parent.key + " has the wrong type"));
        break;
      case Kind::kDescriptorList: {
        if (!object) return stop(invalid(parent.where + ": descriptor must be an object"));
        Frame frame{Kind::kDescriptor, parent.where};
        frame.list = parent.list;
        stack_.push_back(std::move(frame));
        return true;
      }
      case Kind::kAnnotations:
        return stop(invalid(parent.where + ": annotation values must be strings"));
      case Kind::kSkip:
        break;
    }
    stack_.push_back(Frame{Kind::kSkip, parent.where});
    return true;
  }

  bool open_top_member(const std::string& key, bool object) {
    auto descriptor = [&](std::optional<Descriptor>& target) {
      if (!object) return stop(invalid(key + ": descriptor must be an object"));
      Frame frame{Kind::kDescriptor, key};
      frame.single = &target;
      stack_.push_back(std::move(frame));
      return true;
    };
    auto list = [&](std::optional<std::vector<Descriptor>>& target) {
      if (object) return stop(invalid(key + " must be an array"));
      target.emplace();
      Frame frame{Kind::kDescriptorList, key};
      frame.list = &*target;
      stack_.push_back(std::move(frame));
      return true;
    };
    if (key == "config") return descriptor(fields_.config);
    if (key == "subject") return descriptor(fields_.subject);
    if (key == "layers") return list(fields_.layers);
    if (key == "manifests") return list(fields_.manifests);
    if (key == "annotations") {
      if (!object) return stop(invalid("manifest: annotations must be an object"));
      Frame frame{Kind::kAnnotations, "manifest"};
      frame.kept = &fields_.annotations;
      stack_.push_back(std::move(frame));
      return true;
    }
    if (known_bit(Kind::kTop, key) != 0) return stop(invalid(key + " has the wrong type"));
    stack_.push_back(Frame{Kind::kSkip, key});
    return true;
  }

  bool close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.kind != Kind::kDescriptor) return true;
    auto& d = frame.descriptor;
    std::string missing;
    if (!d.media_type)
      missing = "mediaType missing";
    else if (!d.digest)
      missing = "digest missing";
    else if (!d.size)
      missing = "size must be a non-negative integer";
    if (!missing.empty()) {
      if (!bad_descriptor)
        bad_descriptor = invalid(frame.where + ": descriptor " + missing).error();
      return true;
    }
    Descriptor out{std::move(*d.media_type), std::move(*d.digest), *d.size,
                   std::move(d.artifact_type)};
    std::size_t bytes = out.media_type.size() + out.artifact_type.size() + out.digest.hex().size();
    if (frame.list != nullptr) {
      const auto capacity = frame.list->capacity();
      frame.list->push_back(std::move(out));
      bytes += (frame.list->capacity() - capacity) * sizeof(Descriptor);
    } else {
      *frame.single = std::move(out);
      bytes += sizeof(Descriptor);
    }
    return keep(bytes);
  }

  bool media_type_value(std::optional<std::string>& target, const std::string& what) {
    if (string_->size() > kMaxMediaTypeLength) return stop(invalid(what + " too long"));
    target = std::move(*string_);
    return keep(target->size());
  }

  bool scalar(Value value) {
    if (stack_.empty()) return stop(invalid("manifest must be a JSON object"));
    auto& frame = stack_.back();
    switch (frame.kind) {
      case Kind::kTop:
        return top_scalar(frame.key, value);
      case Kind::kDescriptor:
        return descriptor_scalar(frame, value);
      case Kind::kDescriptorList:
        return stop(invalid(frame.where + ": descriptor must be an object"));
      case Kind::kAnnotations:
        if (value != Value::kString)
          return stop(invalid(frame.where + ": annotation values must be strings"));
        if (frame.kept == nullptr) return true;
        if (!keep(frame.key.size() + string_->size() + 64)) return false;
        (*frame.kept)[frame.key] = std::move(*string_);
        return true;
      case Kind::kSkip:
        return true;
    }
    return true;
  }

  bool top_scalar(const std::string& key, Value value) {
    if (key == "schemaVersion") {
      fields_.has_schema = true;
      fields_.schema_is_two = value == Value::kUnsigned && value_ == 2;
      return true;
    }
    if (key == "mediaType") {
      if (value != Value::kString) return stop(invalid("mediaType must be a string"));
      return media_type_value(fields_.media_type, "mediaType");
    }
    if (key == "artifactType") {
      if (value != Value::kString) return stop(invalid("artifactType must be a string"));
      return media_type_value(fields_.artifact_type, "artifactType");
    }
    // A null subject or annotations means "none".
    if ((key == "subject" || key == "annotations") && value == Value::kNull) return true;
    if (key == "config") return stop(invalid("config: descriptor must be an object"));
    if (key == "layers" || key == "manifests") return stop(invalid(key + " must be an array"));
    if (key == "subject") return stop(invalid("subject: descriptor must be an object"));
    if (key == "annotations") return stop(invalid("manifest: annotations must be an object"));
    return true;
  }

  bool descriptor_scalar(Frame& frame, Value value) {
    auto& d = frame.descriptor;
    const auto& key = frame.key;
    if (key == "mediaType") {
      if (value != Value::kString)
        return stop(invalid(frame.where + ": descriptor mediaType missing"));
      return media_type_value(d.media_type, frame.where + ": mediaType");
    }
    if (key == "digest") {
      if (value != Value::kString)
        return stop(invalid(frame.where + ": descriptor digest missing"));
      auto digest = Digest::parse(*string_);
      if (!digest) return stop(invalid(frame.where + ": " + digest.error().message()));
      d.digest = std::move(*digest);
      return true;
    }
    if (key == "size") {
      if (value != Value::kUnsigned ||
          value_ > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return stop(invalid(frame.where + ": descriptor size must be a non-negative integer"));
      }
      d.size = static_cast<std::int64_t>(value_);
      return true;
    }
    if (key == "artifactType") {
      if (value != Value::kString) return true;  // tolerated, as before: not a string is absent
      std::optional<std::string> type;
      if (!media_type_value(type, frame.where + ": artifactType")) return false;
      d.artifact_type = std::move(*type);
      return true;
    }
    if (key == "annotations" && value != Value::kNull)
      return stop(invalid(frame.where + ": annotations must be an object"));
    return true;
  }

  Fields& fields_;
  const ParseLimits& limits_;
  std::vector<Frame> stack_;
  string_t* string_ = nullptr;  // the string value being handled
  std::uint64_t value_ = 0;     // the unsigned value being handled
  std::size_t kept_ = 0;
  std::size_t reserved_base_ = 0;
};

// The media type decided by the Content-Type header, the body's mediaType, or the body's shape.
Result<std::string> effective_media_type(const Fields& fields, std::string_view content_type) {
  const std::string body_type = fields.media_type.value_or("");
  const auto header_type = strip_parameters(content_type);
  if (media_type::is_manifest(header_type)) {
    if (!body_type.empty() && body_type != header_type) {
      return invalid("mediaType in body does not match Content-Type");
    }
    return std::string(header_type);
  }
  if (!body_type.empty()) {
    if (!media_type::is_manifest(body_type)) {
      return fail(ErrorCode::kUnsupported, "unsupported manifest media type", body_type);
    }
    return body_type;
  }
  if (!header_type.empty() && header_type != "application/json" &&
      header_type != "application/octet-stream") {
    return fail(ErrorCode::kUnsupported, "unsupported manifest media type",
                std::string(header_type.substr(0, kMaxMediaTypeLength)));
  }
  // OCI allows mediaType to be absent: decide by shape.
  if (fields.manifests) return std::string(media_type::kOciIndex);
  if (fields.config) return std::string(media_type::kOciManifest);
  return invalid("cannot tell the manifest type: no mediaType, config or manifests");
}

}  // namespace

Result<Manifest> parse_manifest(std::string_view body, std::string_view content_type,
                                const ParseLimits& limits) {
  Fields fields;
  ManifestReader reader(fields, limits);
  if (!json::sax_parse(body, &reader)) {
    if (reader.error) return fail(std::move(*reader.error));
    return invalid("body is not valid JSON");
  }
  if (!fields.has_schema || !fields.schema_is_two) return invalid("schemaVersion must be 2");
  auto type = effective_media_type(fields, content_type);
  if (!type) return fail(type.error());
  if (reader.bad_descriptor) return fail(std::move(*reader.bad_descriptor));

  Manifest out;
  out.media_type = std::move(*type);
  out.is_index = media_type::is_index(out.media_type);
  if (out.is_index) {
    if (!fields.manifests) return invalid("manifests missing");
    out.manifests = std::move(*fields.manifests);
  } else {
    if (!fields.config) return invalid("config missing");
    if (!fields.layers) return invalid("layers missing");
    out.config = std::move(fields.config);
    out.layers = std::move(*fields.layers);
  }
  out.subject = std::move(fields.subject);
  if (fields.artifact_type) {
    out.artifact_type = std::move(*fields.artifact_type);
  } else if (out.config) {
    out.artifact_type = out.config->media_type;
  }
  out.annotations = std::move(fields.annotations);
  return out;
}

}  // namespace common::oci
