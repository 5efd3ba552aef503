// LayoutRequest: one `satellite import` or `satellite export` as the admin socket carries
// it (one text line; the layout's fd travels beside it), and execute(), which runs it
// against a RegistryService: in the command's own process when the satellite is stopped,
// or in the running satellite that received it. Value type; execute() is blocking.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"
#include "registry/registry_service.hpp"

namespace satellite::admin {

struct LayoutRequest {
  enum class Op { kImport, kExport };
  Op op = Op::kImport;
  // Import: at most one (empty: from the layout's names). Export: those to write (empty: all).
  std::vector<std::string> repositories;

  // "import [REPO]" / "export [REPO...]" with a newline.
  std::string encode() const;
  // Parses encode()'s line; kInvalidArgument for anything else.
  [[nodiscard]] static common::Result<LayoutRequest> parse(std::string_view line);
};

// Imports from, or exports to, the layout directory or tar file `target`; returns the
// one-line summary. Errors from LayoutSource/LayoutSink, LayoutImporter, LayoutExporter.
[[nodiscard]] common::Result<std::string> execute(registry::RegistryService& service,
                                                  const LayoutRequest& request,
                                                  common::fs::UniqueFd target);

}  // namespace satellite::admin
