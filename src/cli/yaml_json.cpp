#include "cli/yaml_json.hpp"

#include <cctype>
#include <regex>

namespace cli {
namespace {

using nlohmann::json;

bool is_null_text(const std::string& text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// The value a plain scalar stands for, nullopt when it is a string.
std::optional<json> plain_scalar(const std::string& text) {
  static const std::regex kInteger("[-+]?[0-9]+");
  static const std::regex kNumber(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (is_null_text(text)) return json(nullptr);
  if (text == "true" || text == "True" || text == "TRUE") return json(true);
  if (text == "false" || text == "False" || text == "FALSE") return json(false);
  if (std::regex_match(text, kInteger)) {
    try {
      return json(std::stoll(text));
    } catch (const std::out_of_range&) {
      return json(std::stod(text));
    }
  }
  if (std::regex_match(text, kNumber)) return json(std::stod(text));
  return std::nullopt;
}

// Whether a string must be quoted to read back as the same string, by this reader and by
// YAML 1.1 ones (PyYAML, Go's yaml.v2), which also take yes/no/on/off for booleans and
// more forms for numbers: anything that starts like a number is quoted.
bool needs_quotes(const std::string& text) {
  static const std::regex kYaml11Word("y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF");
  if (plain_scalar(text) || std::regex_match(text, kYaml11Word)) return true;
  if (text.find_first_of(":#{}[],&*!|>'\"%@`\t") != std::string::npos) return true;
  const char first = text.front();
  return std::isdigit(static_cast<unsigned char>(first)) || first == '.' || first == '+' ||
         first == '-' || first == ' ' || first == '?' || text.back() == ' ';
}

void emit(YAML::Emitter& out, const json& value) {
  if (value.is_object()) {
    if (value.empty()) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& [key, member] : value.items()) {
      out << YAML::Key;
      emit(out, json(key));
      out << YAML::Value;
      emit(out, member);
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    if (value.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (const auto& member : value) emit(out, member);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.find('\n') != std::string::npos)
      out << YAML::Literal << text;
    else if (needs_quotes(text))
      out << YAML::DoubleQuoted << text;
    else
      out << text;
  } else if (value.is_boolean()) {
    out << (value.get<bool>() ? "true" : "false");
  } else if (value.is_null()) {
    out << YAML::Null;
  } else {
    out << value.dump();
  }
}

}  // namespace

json json_from_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node) out[entry.first.Scalar()] = json_from_yaml(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& member : node) out.push_back(json_from_yaml(member));
      return out;
    }
    case YAML::NodeType::Scalar: {
      if (node.Tag() == "!") return node.Scalar();  // quoted: a string whatever it reads as
      auto typed = plain_scalar(node.Scalar());
      return typed ? *typed : json(node.Scalar());
    }
    default:
      return nullptr;
  }
}

std::string yaml_from_json(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace cli
