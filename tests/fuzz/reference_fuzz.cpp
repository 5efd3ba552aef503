// Fuzz target: the name grammar of the distribution-spec. The whole input is, in turn, a
// repository name, a tag, a digest and a request path (bare and behind "/v2/"). Properties
// beyond "no crash": an accepted name or tag matches its grammar (checked here by a second,
// deliberately naive reading), an accepted digest prints back to the same text, and a path
// routed by the registry's /v2/ table yields a name and reference without '/' where the
// endpoint forbids one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/digest.hpp"
#include "common/http/router.hpp"
#include "common/oci/repository_name.hpp"
#include "fuzz_check.hpp"
#include "oci_match_router.hpp"
#include "registry/http/oci_route.hpp"

namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Every component non-empty, starting and ending with [a-z0-9], separators only . _ -.
bool naive_valid_name(std::string_view name) {
  if (name.empty() || name.size() > common::oci::kMaxRepositoryNameLength) return false;
  std::size_t start = 0;
  for (;;) {
    const auto slash = name.find('/', start);
    const auto part = name.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part.empty() || !is_lower_alnum(part.front()) || !is_lower_alnum(part.back())) return false;
    for (char c : part) {
      if (!is_lower_alnum(c) && c != '.' && c != '_' && c != '-') return false;
    }
    if (part.find("..") != std::string_view::npos) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

void check_name(std::string_view text) {
  if (common::oci::validate_repository_name(text)) FUZZ_CHECK(naive_valid_name(text));
}

void check_tag(std::string_view text) {
  if (!common::oci::is_valid_tag(text)) return;
  FUZZ_CHECK(!text.empty() && text.size() <= 128);
  FUZZ_CHECK(text.front() != '.' && text.front() != '-');
  for (char c : text) {
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-');
  }
}

void check_digest(std::string_view text) {
  const auto digest = common::Digest::parse(text);
  if (!digest) {
    FUZZ_CHECK(digest.error().code() == common::ErrorCode::kDigestInvalid);
    return;
  }
  FUZZ_CHECK(digest->str() == text);
  FUZZ_CHECK(digest->hex().size() ==
             (digest->algorithm() == common::DigestAlgorithm::kSha256 ? 64u : 128u));
}

void check_route(std::string_view path) {
  using Outcome = common::http::RouteLookup::Outcome;
  common::http::RouteMatch match;
  const auto found = fuzz::oci_match_router().find(common::http::Method::kGet, path, match);
  if (found.outcome != Outcome::kMatched) return;
  const auto route = registry::http::oci_route(match);
  const auto name = match.route();
  if (name == "base" || name == "catalog") {
    FUZZ_CHECK(route.name.empty() && route.reference.empty());
  } else if (name == "tags" || name == "upload_start") {
    FUZZ_CHECK(route.reference.empty());
  } else {
    FUZZ_CHECK(!route.reference.empty() && route.reference.find('/') == std::string::npos);
  }
  // What RegistryService then does with the parts must not crash either.
  check_name(route.name);
  check_tag(route.reference);
  check_digest(route.reference);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_name(text);
  check_tag(text);
  check_digest(text);
  check_route(text);
  check_route("/v2/" + std::string(text));
  return 0;
}
