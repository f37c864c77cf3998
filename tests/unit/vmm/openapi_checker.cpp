#include "openapi_checker.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>

#include "build_config.hpp"

namespace chrunc::vmm::test {

std::filesystem::path openapi_contract_path() {
  // Beside the source tree, or beside its parent (a git worktree in <dir>/wt/<name>).
  const std::filesystem::path source(build::kSourceDir);
  const auto relative =
      std::filesystem::path("shared") / "reference" / "cloud-hypervisor-openapi.yaml";
  for (const auto& base : {source / "..", source / ".." / ".."}) {
    std::error_code ec;
    if (std::filesystem::exists(base / relative, ec)) return base / relative;
  }
  return source / ".." / relative;
}

OpenApiChecker::OpenApiChecker(const std::filesystem::path& yaml_file)
    : root_(YAML::LoadFile(yaml_file.string())) {}

YAML::Node OpenApiChecker::resolve(YAML::Node schema) const {
  for (int depth = 0; depth < 16 && schema.IsMap() && schema["$ref"]; ++depth) {
    std::string ref = schema["$ref"].as<std::string>();
    const std::string prefix = "#/components/schemas/";
    if (ref.rfind(prefix, 0) != 0) return YAML::Node();
    schema = root_["components"]["schemas"][ref.substr(prefix.size())];
  }
  return schema;
}

void OpenApiChecker::check_value(const YAML::Node& raw_schema, const void* json_value,
                                 const std::string& where,
                                 std::vector<std::string>& problems) const {
  const auto& v = *static_cast<const rapidjson::Value*>(json_value);
  YAML::Node schema = resolve(raw_schema);
  if (!schema || !schema.IsMap()) {
    problems.push_back(where + ": schema not found in the contract");
    return;
  }
  std::string type = schema["type"] ? schema["type"].as<std::string>() : "";
  if (type.empty() && schema["properties"]) type = "object";
  if (type == "object") {
    if (!v.IsObject()) {
      problems.push_back(where + ": expected an object");
      return;
    }
    if (schema["required"]) {
      for (const auto& req : schema["required"]) {
        if (!v.HasMember(req.as<std::string>().c_str()))
          problems.push_back(where + ": required property " + req.as<std::string>() + " missing");
      }
    }
    YAML::Node props = schema["properties"];
    YAML::Node extra = schema["additionalProperties"];
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      std::string name = m->name.GetString();
      if (props && props[name]) {
        check_value(props[name], &m->value, where + "." + name, problems);
      } else if (extra && extra.IsMap()) {
        check_value(extra, &m->value, where + "." + name, problems);
      } else if (!(extra && extra.IsScalar() && extra.as<bool>())) {
        problems.push_back(where + ": unknown property " + name);
      }
    }
  } else if (type == "array") {
    if (!v.IsArray()) {
      problems.push_back(where + ": expected an array");
      return;
    }
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      check_value(schema["items"], &v[i], where + "[" + std::to_string(i) + "]", problems);
  } else if (type == "integer") {
    if (!v.IsInt64() && !v.IsUint64()) {
      problems.push_back(where + ": expected an integer");
      return;
    }
    if (schema["minimum"] && v.IsInt64() && v.GetInt64() < schema["minimum"].as<int64_t>())
      problems.push_back(where + ": below the minimum " + schema["minimum"].as<std::string>());
  } else if (type == "string") {
    if (!v.IsString()) {
      problems.push_back(where + ": expected a string");
      return;
    }
    if (schema["enum"]) {
      bool found = false;
      for (const auto& e : schema["enum"]) found = found || e.as<std::string>() == v.GetString();
      if (!found) problems.push_back(where + ": \"" + v.GetString() + "\" is not in the enum");
    }
  } else if (type == "boolean") {
    if (!v.IsBool()) problems.push_back(where + ": expected a boolean");
  } else if (type == "number") {
    if (!v.IsNumber()) problems.push_back(where + ": expected a number");
  } else {
    problems.push_back(where + ": schema type \"" + type + "\" not understood by the checker");
  }
}

std::vector<std::string> OpenApiChecker::check(const std::string& method,
                                               const std::string& api_path,
                                               const std::string& body) const {
  std::vector<std::string> problems;
  const std::string prefix = "/api/v1";
  if (api_path.rfind(prefix, 0) != 0) return {"path " + api_path + " is not under " + prefix};
  const std::string path = api_path.substr(prefix.size());
  YAML::Node entry = root_["paths"][path];
  if (!entry) return {"path " + path + " is not in the contract"};
  std::string lower = method;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  YAML::Node operation = entry[lower];
  if (!operation) return {method + " " + path + " is not in the contract"};
  YAML::Node request_body = operation["requestBody"];
  if (!request_body) {
    if (!body.empty()) problems.push_back(method + " " + path + " takes no body but got: " + body);
    return problems;
  }
  if (body.empty()) {
    if (request_body["required"] && request_body["required"].as<bool>())
      problems.push_back(method + " " + path + " needs a body");
    return problems;
  }
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError()) return {method + " " + path + ": body is not JSON: " + body};
  check_value(request_body["content"]["application/json"]["schema"], &doc, path, problems);
  return problems;
}

}  // namespace chrunc::vmm::test
