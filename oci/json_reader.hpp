#pragma once
// Small helpers for reading RapidJSON values into the OCI model with errors
// that name the JSON path of the offending value ("process.args[0]: expected
// a string"). Internal to oci/; JSON null is treated as absent, as Go does.

#include <rapidjson/document.h>

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chrunc::oci::json {

// A JSON value and the path that names it in error messages.
struct Node {
  const rapidjson::Value* value = nullptr;
  std::string path;
};

// Parses `text` into `doc`; throws "<source>: invalid JSON at offset N: <reason>".
// Returns the root as a Node with an empty path.
Node parse_document(rapidjson::Document& doc, std::string_view text, std::string_view source);

// Throws chrunc::Error "<path>: <what>" (just "<what>" for the root).
[[noreturn]] void fail(const std::string& path, std::string_view what);

void expect_object(const Node& node);
// The member `key` of the object `obj`, or nullopt when absent or null.
std::optional<Node> member(const Node& obj, const char* key);
// The elements of an array, named path[0], path[1], ...
std::vector<Node> elements(const Node& arr);

std::string as_string(const Node& node);
bool as_bool(const Node& node);
int64_t as_int64(const Node& node);
uint64_t as_uint64(const Node& node);
std::vector<std::string> as_string_array(const Node& node);
std::map<std::string, std::string> as_string_map(const Node& node);

template <std::integral T>
T as_integer(const Node& node) {
  if constexpr (std::is_signed_v<T>) {
    int64_t v = as_int64(node);
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
      fail(node.path, "integer out of range");
    return static_cast<T>(v);
  } else {
    uint64_t v = as_uint64(node);
    if (v > std::numeric_limits<T>::max()) fail(node.path, "integer out of range");
    return static_cast<T>(v);
  }
}

// Readers that leave `out` unchanged when the member is absent or null.
void read(const Node& obj, const char* key, std::string& out);
void read(const Node& obj, const char* key, bool& out);
void read(const Node& obj, const char* key, std::vector<std::string>& out);
void read(const Node& obj, const char* key, std::map<std::string, std::string>& out);

template <std::integral T>
void read(const Node& obj, const char* key, T& out) {
  if (auto m = member(obj, key)) out = as_integer<T>(*m);
}

template <std::integral T>
void read(const Node& obj, const char* key, std::optional<T>& out) {
  if (auto m = member(obj, key)) out = as_integer<T>(*m);
}

void read(const Node& obj, const char* key, std::optional<bool>& out);

// Like read(), but a missing member is an error "<path>.<key>: required".
std::string required_string(const Node& obj, const char* key);

// Reads each element of the array member `key` with `fn(const Node&)` into `out`.
template <typename T, typename Fn>
void read_array(const Node& obj, const char* key, std::vector<T>& out, Fn fn) {
  if (auto m = member(obj, key)) {
    out.clear();
    for (const Node& e : elements(*m)) out.push_back(fn(e));
  }
}

}  // namespace chrunc::oci::json
