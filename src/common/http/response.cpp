#include "common/http/response.hpp"

namespace common::http {

std::uint64_t Response::body_size() const noexcept {
  if (content_length) return *content_length;
  struct Visitor {
    std::uint64_t operator()(const std::monostate&) const { return 0; }
    std::uint64_t operator()(const std::string& s) const { return s.size(); }
    std::uint64_t operator()(const std::shared_ptr<const std::string>& s) const {
      return s ? s->size() : 0;
    }
    std::uint64_t operator()(const FileRange& f) const { return f.length; }
    std::uint64_t operator()(const StreamBody&) const { return 0; }
  };
  return std::visit(Visitor{}, body);
}

}  // namespace common::http
