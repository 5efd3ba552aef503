// SortOrder: a list's `sortBy`, one documented field, ascending, or descending with a leading
// '-' (`sortBy=-metadata.creationTimestamp`). Items with equal values are ordered by name in
// the same direction, so the order is total and a page can resume after its last item. Which
// fields exist is the caller's (each list names its own); a field outside them is refused by
// name. Immutable value type.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace groundcontrol::model {

class SortOrder {
 public:
  SortOrder() = default;  // by metadata.name, ascending
  // "" gives the default. kInvalidArgument ("sortBy: …") for a field outside `fields`.
  [[nodiscard]] static common::Result<SortOrder> parse(std::string_view text,
                                                       std::span<const std::string_view> fields);

  const std::string& field() const noexcept { return field_; }
  bool descending() const noexcept { return descending_; }
  // True for the store's own order, which a list pages through without sorting.
  bool by_name_ascending() const noexcept { return field_ == "metadata.name" && !descending_; }
  // The text parse() accepts back ("-status.sync").
  std::string text() const;

  // True when (key_a, name_a) comes before (key_b, name_b) in this order.
  bool before(std::string_view key_a, std::string_view name_a, std::string_view key_b,
              std::string_view name_b) const noexcept;

 private:
  std::string field_ = "metadata.name";
  bool descending_ = false;
};

// Where a sorted list's next page starts: after the item with this sort key and name. The
// token is opaque to clients ("s." and base64url, never a valid name, so the name-ordered
// lists' tokens stay plain names) and names its order, so a token is refused by a list
// sorted another way.
struct SortedPosition {
  std::string key;
  std::string name;
};
std::string encode_continue_token(const SortOrder& order, const SortedPosition& after);
// kInvalidArgument ("continue: …") for text that encode_continue_token did not make for
// `order`.
[[nodiscard]] common::Result<SortedPosition> decode_continue_token(const SortOrder& order,
                                                                   std::string_view token);

}  // namespace groundcontrol::model
