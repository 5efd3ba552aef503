#include "satellite/oci_layout/image_name.hpp"

#include "common/digest.hpp"
#include "common/oci/repository_name.hpp"

namespace satellite::oci_layout {
namespace {

common::Error invalid(std::string_view text, std::string why) {
  return common::Error(common::ErrorCode::kInvalidArgument, "invalid image name",
                       "'" + std::string(text.substr(0, 300)) + "': " + std::move(why));
}

}  // namespace

common::Result<ImageName> ImageName::parse(std::string_view text) {
  if (text.find('/') == std::string_view::npos && text.find(':') == std::string_view::npos &&
      text.find('@') == std::string_view::npos) {
    if (!common::oci::is_valid_tag(text)) return common::fail(invalid(text, "not a valid tag"));
    return ImageName{"", std::string(text)};
  }
  std::string_view name = text;
  bool by_digest = false;
  if (const auto at = name.find('@'); at != std::string_view::npos) {
    if (!common::Digest::parse(name.substr(at + 1)))
      return common::fail(invalid(text, "not a valid digest"));
    name = name.substr(0, at);
    by_digest = true;
  }
  ImageName result;
  const auto slash = name.rfind('/');
  const auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    result.tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
    if (!common::oci::is_valid_tag(result.tag))
      return common::fail(invalid(text, "not a valid tag"));
  } else if (!by_digest) {
    result.tag = "latest";
  }
  if (const auto first = name.find('/'); first != std::string_view::npos) {
    const auto host = name.substr(0, first);
    if (host.find('.') != std::string_view::npos || host.find(':') != std::string_view::npos ||
        host == "localhost") {
      name = name.substr(first + 1);
      if ((host == "docker.io" || host == "index.docker.io") &&
          name.find('/') == std::string_view::npos)
        result.repository = "library/";
    }
  }
  result.repository += std::string(name);
  if (!common::oci::validate_repository_name(result.repository))
    return common::fail(invalid(text, "not a valid repository name"));
  return result;
}

}  // namespace satellite::oci_layout
