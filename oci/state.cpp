#include "oci/state.hpp"

#include <time.h>

#include <cstdio>

#include "oci/json_builder.hpp"
#include "oci/json_reader.hpp"
#include "oci/spec_json.hpp"

namespace chrunc::oci {

using json::Alloc;
using json::Obj;

namespace {

// runc's libcontainer container state, in its member order.
rapidjson::Value runc_state_json(const State& s, Alloc& a) {
  return Obj(a)
      .str("ociVersion", s.oci_version)
      .str("id", s.id)
      .num("pid", s.pid)
      .str("status", s.status)
      .str("bundle", s.bundle)
      .str("rootfs", s.rootfs)
      .str("created", s.created)
      .map("annotations", s.annotations)
      .str("owner", s.owner)
      .take();
}

}  // namespace

std::string write_state(const State& state) {
  rapidjson::Document doc;
  return detail::to_pretty(runc_state_json(state, doc.GetAllocator()), ' ', 2);
}

std::string write_state_compact(const State& s) {
  rapidjson::Document doc;
  Alloc& a = doc.GetAllocator();
  Obj o(a);
  o.str("ociVersion", s.oci_version).str("id", s.id).str("status", s.status);
  o.num_nonzero("pid", s.pid).str("bundle", s.bundle).map("annotations", s.annotations);
  return detail::to_compact(o.take());
}

std::string write_state_list(const std::vector<State>& states) {
  if (states.empty()) return "null\n";
  rapidjson::Document doc;
  Alloc& a = doc.GetAllocator();
  rapidjson::Value arr(rapidjson::kArrayType);
  for (const State& s : states) arr.PushBack(runc_state_json(s, a), a);
  return detail::to_compact(arr) + "\n";
}

std::string rfc3339_nano(std::chrono::system_clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ns / 1000000000);
  long frac = static_cast<long>(ns % 1000000000);
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (frac != 0) {
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%09ld", frac);
    std::string f(digits);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

State parse_state(std::string_view text) {
  rapidjson::Document doc;
  json::Node root = json::parse_document(doc, text, "state");
  if (!root.value->IsObject()) json::fail("", "state: expected a JSON object");
  State s;
  json::read(root, "ociVersion", s.oci_version);
  json::read(root, "id", s.id);
  json::read(root, "status", s.status);
  json::read(root, "pid", s.pid);
  json::read(root, "bundle", s.bundle);
  json::read(root, "rootfs", s.rootfs);
  json::read(root, "created", s.created);
  json::read(root, "owner", s.owner);
  json::read(root, "annotations", s.annotations);
  return s;
}

}  // namespace chrunc::oci
