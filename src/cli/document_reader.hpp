// DocumentReader: the resource documents `apply -f` and `delete -f` take, from a file, every
// *.yaml/*.yml/*.json file of a directory (in name order, not recursive) or "-" (stdin).
// A file holds one or more YAML documents separated by `---` (JSON is YAML); empty
// documents are skipped; a `kind: List` document (what `get -o yaml` prints for several
// resources) stands for its `items`. Every resource must be a map with `kind` and
// `metadata.name`.
// Pure functions over the file system; thread-safe.
#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace cli {

struct Document {
  std::string source;  // "FILE" or "FILE (document N)", for messages
  nlohmann::json body;
};

// The documents of `text`, read from `source`. kInvalidArgument naming the source, line and
// column when it is not YAML, or naming the document that is not a resource.
[[nodiscard]] common::Result<std::vector<Document>> parse_documents(std::string_view text,
                                                                    const std::string& source);

// The documents of the file or directory at `path`, or of `in` when `path` is "-".
// kInvalidArgument as parse_documents, or when the path does not exist or a directory holds
// no document.
[[nodiscard]] common::Result<std::vector<Document>> read_documents(const std::string& path,
                                                                   std::istream& in);

}  // namespace cli
