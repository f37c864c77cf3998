#pragma once
// A small builder for RapidJSON objects whose members follow the runtime-spec's
// Go struct order and "omitempty" rules. Internal to oci/.

#include <rapidjson/document.h>

#include <concepts>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chrunc::oci::json {

using Alloc = rapidjson::Document::AllocatorType;

inline rapidjson::Value string_value(const std::string& s, Alloc& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

template <std::integral T>
rapidjson::Value number_value(T v) {
  if constexpr (std::is_same_v<T, bool>) {
    return rapidjson::Value(v);
  } else if constexpr (std::is_signed_v<T>) {
    return rapidjson::Value(static_cast<int64_t>(v));
  } else {
    return rapidjson::Value(static_cast<uint64_t>(v));
  }
}

inline rapidjson::Value string_array(const std::vector<std::string>& list, Alloc& a) {
  rapidjson::Value arr(rapidjson::kArrayType);
  for (const auto& s : list) arr.PushBack(string_value(s, a), a);
  return arr;
}

inline rapidjson::Value string_map(const std::map<std::string, std::string>& map, Alloc& a) {
  rapidjson::Value obj(rapidjson::kObjectType);
  for (const auto& [k, v] : map) obj.AddMember(string_value(k, a), string_value(v, a), a);
  return obj;
}

// Keys must be string literals (they are referenced, not copied).
class Obj {
 public:
  explicit Obj(Alloc& a) : a_(a), v_(rapidjson::kObjectType) {}

  Obj& add(const char* key, rapidjson::Value&& v) {
    v_.AddMember(rapidjson::StringRef(key), v, a_);
    return *this;
  }
  Obj& str(const char* key, const std::string& s) { return add(key, string_value(s, a_)); }
  // omitempty
  Obj& str_opt(const char* key, const std::string& s) { return s.empty() ? *this : str(key, s); }
  Obj& flag(const char* key, bool b) { return add(key, rapidjson::Value(b)); }
  // omitempty: only true is written
  Obj& flag_opt(const char* key, bool b) { return b ? flag(key, b) : *this; }
  template <std::integral T>
  Obj& num(const char* key, T v) {
    return add(key, number_value(v));
  }
  template <std::integral T>
  Obj& num_opt(const char* key, const std::optional<T>& v) {
    return v ? num(key, *v) : *this;
  }
  // omitempty for plain integers
  template <std::integral T>
  Obj& num_nonzero(const char* key, T v) {
    return v != 0 ? num(key, v) : *this;
  }
  Obj& strings(const char* key, const std::vector<std::string>& list) {
    return list.empty() ? *this : add(key, string_array(list, a_));
  }
  Obj& map(const char* key, const std::map<std::string, std::string>& m) {
    return m.empty() ? *this : add(key, string_map(m, a_));
  }
  // An array of objects made by fn(element, alloc); omitted when empty.
  template <typename T, typename Fn>
  Obj& array(const char* key, const std::vector<T>& list, Fn fn) {
    if (list.empty()) return *this;
    rapidjson::Value arr(rapidjson::kArrayType);
    for (const auto& e : list) arr.PushBack(fn(e, a_), a_);
    return add(key, std::move(arr));
  }

  rapidjson::Value take() { return std::move(v_); }

 private:
  Alloc& a_;
  rapidjson::Value v_;
};

}  // namespace chrunc::oci::json
