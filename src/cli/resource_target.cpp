#include "cli/resource_target.hpp"

namespace cli {

common::Result<std::vector<ResourceTarget>> parse_targets(const std::vector<std::string>& args) {
  using common::ErrorCode;
  if (args.empty())
    return common::fail(ErrorCode::kInvalidArgument,
                        "name a resource type (e.g. satellites) or TYPE/NAME");
  std::vector<ResourceTarget> out;
  if (args.front().find('/') != std::string::npos) {
    for (const auto& arg : args) {
      const auto slash = arg.find('/');
      if (slash == std::string::npos || slash + 1 == arg.size())
        return common::fail(ErrorCode::kInvalidArgument,
                            "\"" + arg + "\": use TYPE/NAME for every argument, or TYPE NAME…");
      auto kind = find_kind(arg.substr(0, slash));
      if (!kind) return common::fail(kind.error());
      out.push_back({*kind, arg.substr(slash + 1)});
    }
    return out;
  }
  auto kind = find_kind(args.front());
  if (!kind) return common::fail(kind.error());
  if (args.size() == 1) return std::vector<ResourceTarget>{{*kind, ""}};
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].find('/') != std::string::npos)
      return common::fail(ErrorCode::kInvalidArgument,
                          "\"" + args[i] + "\": there is a type already; give only NAME");
    out.push_back({*kind, args[i]});
  }
  return out;
}

}  // namespace cli
