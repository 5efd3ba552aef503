#include "groundcontrol/model/sort_order.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "common/crypto/base64.hpp"

namespace groundcontrol::model {
namespace {

using common::ErrorCode;
using common::fail;

constexpr std::string_view kTokenPrefix = "s.";
constexpr char kSeparator = '\0';  // neither a name nor a field value holds it

}  // namespace

common::Result<SortOrder> SortOrder::parse(std::string_view text,
                                           std::span<const std::string_view> fields) {
  SortOrder order;
  if (text.empty()) return order;
  order.descending_ = text.front() == '-';
  if (order.descending_) text.remove_prefix(1);
  if (std::find(fields.begin(), fields.end(), text) == fields.end()) {
    std::string known;
    for (const auto field : fields) known += fmt::format("{}{}", known.empty() ? "" : ", ", field);
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("sortBy: \"{}\" is not a field this list sorts by ({}; a leading '-' "
                            "sorts descending)",
                            text.substr(0, 64), known));
  }
  order.field_ = std::string(text);
  return order;
}

std::string SortOrder::text() const {
  return descending_ ? "-" + field_ : field_;
}

bool SortOrder::before(std::string_view key_a, std::string_view name_a, std::string_view key_b,
                       std::string_view name_b) const noexcept {
  const auto a = std::pair{key_a, name_a};
  const auto b = std::pair{key_b, name_b};
  return descending_ ? b < a : a < b;
}

std::string encode_continue_token(const SortOrder& order, const SortedPosition& after) {
  std::string plain = order.text();
  plain += kSeparator;
  plain += after.key;
  plain += kSeparator;
  plain += after.name;
  return std::string(kTokenPrefix) + common::crypto::base64url_encode(plain);
}

common::Result<SortedPosition> decode_continue_token(const SortOrder& order,
                                                     std::string_view token) {
  const auto refused = [] {
    return fail(ErrorCode::kInvalidArgument,
                "continue: not a token of this list; pass the one the previous page returned, "
                "with the same sortBy");
  };
  if (!token.starts_with(kTokenPrefix)) return refused();
  auto plain = common::crypto::base64url_decode(token.substr(kTokenPrefix.size()));
  if (!plain) return refused();
  const std::string_view text = *plain;
  const auto first = text.find(kSeparator);
  const auto second = first == std::string_view::npos ? first : text.find(kSeparator, first + 1);
  if (second == std::string_view::npos || text.substr(0, first) != order.text()) return refused();
  return SortedPosition{std::string(text.substr(first + 1, second - first - 1)),
                        std::string(text.substr(second + 1))};
}

}  // namespace groundcontrol::model
