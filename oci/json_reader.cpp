#include "oci/json_reader.hpp"

#include <rapidjson/error/en.h>

#include "common/error.hpp"

namespace chrunc::oci::json {

Node parse_document(rapidjson::Document& doc, std::string_view text, std::string_view source) {
  // Iterative parsing: deeply nested input must not exhaust the stack.
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  doc.Parse<kFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    throw Error(std::string(source) + ": invalid JSON at offset " +
                std::to_string(doc.GetErrorOffset()) + ": " +
                rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return Node{&doc, ""};
}

void fail(const std::string& path, std::string_view what) {
  if (path.empty()) throw Error(std::string(what));
  throw Error(path + ": " + std::string(what));
}

static std::string child_path(const std::string& parent, const char* key) {
  return parent.empty() ? std::string(key) : parent + "." + key;
}

void expect_object(const Node& node) {
  if (!node.value->IsObject()) fail(node.path, "expected an object");
}

std::optional<Node> member(const Node& obj, const char* key) {
  expect_object(obj);
  auto it = obj.value->FindMember(key);
  if (it == obj.value->MemberEnd() || it->value.IsNull()) return std::nullopt;
  return Node{&it->value, child_path(obj.path, key)};
}

std::vector<Node> elements(const Node& arr) {
  if (!arr.value->IsArray()) fail(arr.path, "expected an array");
  std::vector<Node> out;
  out.reserve(arr.value->Size());
  for (rapidjson::SizeType i = 0; i < arr.value->Size(); ++i)
    out.push_back(Node{&(*arr.value)[i], arr.path + "[" + std::to_string(i) + "]"});
  return out;
}

std::string as_string(const Node& node) {
  if (!node.value->IsString()) fail(node.path, "expected a string");
  return std::string(node.value->GetString(), node.value->GetStringLength());
}

bool as_bool(const Node& node) {
  if (!node.value->IsBool()) fail(node.path, "expected a boolean");
  return node.value->GetBool();
}

int64_t as_int64(const Node& node) {
  const auto& v = *node.value;
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsUint64()) fail(node.path, "integer out of range");
  fail(node.path, "expected an integer");
}

uint64_t as_uint64(const Node& node) {
  const auto& v = *node.value;
  if (v.IsUint64()) return v.GetUint64();
  if (v.IsInt64()) fail(node.path, "integer out of range");
  fail(node.path, "expected an integer");
}

std::vector<std::string> as_string_array(const Node& node) {
  std::vector<std::string> out;
  for (const Node& e : elements(node)) out.push_back(as_string(e));
  return out;
}

std::map<std::string, std::string> as_string_map(const Node& node) {
  expect_object(node);
  std::map<std::string, std::string> out;
  for (const auto& m : node.value->GetObject()) {
    std::string key(m.name.GetString(), m.name.GetStringLength());
    Node child{&m.value, child_path(node.path, key.c_str())};
    out[key] = as_string(child);
  }
  return out;
}

void read(const Node& obj, const char* key, std::string& out) {
  if (auto m = member(obj, key)) out = as_string(*m);
}

void read(const Node& obj, const char* key, bool& out) {
  if (auto m = member(obj, key)) out = as_bool(*m);
}

void read(const Node& obj, const char* key, std::optional<bool>& out) {
  if (auto m = member(obj, key)) out = as_bool(*m);
}

void read(const Node& obj, const char* key, std::vector<std::string>& out) {
  if (auto m = member(obj, key)) out = as_string_array(*m);
}

void read(const Node& obj, const char* key, std::map<std::string, std::string>& out) {
  if (auto m = member(obj, key)) out = as_string_map(*m);
}

std::string required_string(const Node& obj, const char* key) {
  auto m = member(obj, key);
  if (!m) fail(child_path(obj.path, key), "required");
  return as_string(*m);
}

}  // namespace chrunc::oci::json
