#include "cli/document_reader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/yaml_json.hpp"

namespace cli {
namespace {

using common::ErrorCode;
using common::fail;

common::Status check_resource(const nlohmann::json& body, const std::string& source) {
  if (!body.is_object())
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: not a resource document", source));
  if (!body.contains("kind") || !body["kind"].is_string())
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: no kind", source));
  const auto metadata = body.find("metadata");
  if (metadata == body.end() || !metadata->is_object() || !metadata->contains("name") ||
      !(*metadata)["name"].is_string())
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: no metadata.name", source));
  return {};
}

common::Result<std::string> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: cannot be read", path.string()));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool is_document_file(const std::filesystem::path& path) {
  const auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

}  // namespace

common::Result<std::vector<Document>> parse_documents(std::string_view text,
                                                      const std::string& source) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: line {}, column {}: {}", source, error.mark.line + 1,
                            error.mark.column + 1, error.msg));
  }
  std::vector<Document> out;
  std::size_t index = 0;
  for (const auto& node : nodes) {
    ++index;
    if (node.IsNull()) continue;
    auto body = json_from_yaml(node);
    auto name = nodes.size() > 1 ? fmt::format("{} (document {})", source, index) : source;
    // A List (what `get -o yaml` prints for several resources) stands for its items.
    if (body.is_object() && body.value("kind", "") == "List" && body.contains("items") &&
        body["items"].is_array()) {
      std::size_t item = 0;
      for (auto& member : body["items"]) {
        auto member_name = fmt::format("{} (item {})", name, ++item);
        if (auto checked = check_resource(member, member_name); !checked)
          return fail(checked.error());
        out.push_back(Document{std::move(member_name), std::move(member)});
      }
      continue;
    }
    if (auto checked = check_resource(body, name); !checked) return fail(checked.error());
    out.push_back(Document{std::move(name), std::move(body)});
  }
  return out;
}

common::Result<std::vector<Document>> read_documents(const std::string& path, std::istream& in) {
  if (path == "-") {
    std::ostringstream text;
    text << in.rdbuf();
    return parse_documents(text.str(), "<stdin>");
  }
  std::error_code error;
  const std::filesystem::path root(path);
  if (!std::filesystem::exists(root, error))
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: no such file or directory", path));
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(root, error)) {
    for (const auto& entry : std::filesystem::directory_iterator(root, error))
      if (entry.is_regular_file() && is_document_file(entry.path())) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: no .yaml, .yml or .json file in it", path));
  } else {
    files.push_back(root);
  }
  std::vector<Document> out;
  for (const auto& file : files) {
    auto text = slurp(file);
    if (!text) return fail(text.error());
    auto documents = parse_documents(*text, file.string());
    if (!documents) return fail(documents.error());
    for (auto& document : *documents) out.push_back(std::move(document));
  }
  return out;
}

}  // namespace cli
