#include "common/oci/bearer_challenge.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace common::oci {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// A cursor over the auth-params of one challenge.
class ParamReader {
 public:
  explicit ParamReader(std::string_view text) : text_(text) {}

  // The next name=value pair; nullopt at the end or at malformed input.
  std::optional<std::pair<std::string, std::string>> next() {
    skip_separators();
    if (pos_ >= text_.size()) return std::nullopt;
    const std::size_t name_start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '=' && !is_space(text_[pos_]) &&
           text_[pos_] != ',') {
      ++pos_;
    }
    std::string name(text_.substr(name_start, pos_ - name_start));
    skip_spaces();
    if (pos_ >= text_.size() || text_[pos_] != '=' || name.empty()) return std::nullopt;
    ++pos_;
    skip_spaces();
    std::string value;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      for (; pos_ < text_.size() && text_[pos_] != '"'; ++pos_) {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        value += text_[pos_];
      }
      if (pos_ >= text_.size()) return std::nullopt;  // unterminated quote
      ++pos_;
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && !is_space(text_[pos_])) {
        value += text_[pos_++];
      }
    }
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::make_pair(std::move(name), std::move(value));
  }

 private:
  void skip_spaces() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  void skip_separators() {
    while (pos_ < text_.size() && (is_space(text_[pos_]) || text_[pos_] == ',')) ++pos_;
  }
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header) {
  std::size_t start = 0;
  while (start < header.size() && is_space(header[start])) ++start;
  std::size_t end = start;
  while (end < header.size() && !is_space(header[end])) ++end;
  if (!iequals(header.substr(start, end - start), "bearer")) return std::nullopt;
  BearerChallenge challenge;
  ParamReader reader(header.substr(end));
  while (auto param = reader.next()) {
    if (param->first == "realm") challenge.realm = std::move(param->second);
    if (param->first == "service") challenge.service = std::move(param->second);
    if (param->first == "scope") challenge.scope = std::move(param->second);
  }
  if (challenge.realm.empty()) return std::nullopt;
  return challenge;
}

common::Result<TokenGrant> parse_token_response(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return common::fail(common::ErrorCode::kPermissionDenied,
                        "the upstream's token service answered with something other than JSON");
  }
  TokenGrant grant;
  for (const char* key : {"token", "access_token"}) {
    const auto it = json.find(key);
    if (it != json.end() && it->is_string() && !it->get<std::string>().empty()) {
      grant.token = it->get<std::string>();
      break;
    }
  }
  if (grant.token.empty()) {
    return common::fail(common::ErrorCode::kPermissionDenied,
                        "the upstream's token service answered without a token");
  }
  const auto expires = json.find("expires_in");
  if (expires != json.end() && expires->is_number_integer() && expires->get<long long>() > 0) {
    grant.expires_in = std::chrono::seconds(expires->get<long long>());
  }
  return grant;
}

}  // namespace common::oci
