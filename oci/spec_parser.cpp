// Top level of config.json: root, mounts, hooks, annotations; file loading.
#include "oci/spec_parser.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/unique_fd.hpp"
#include "oci/json_reader.hpp"
#include "oci/parse_parts.hpp"

namespace chrunc::oci {

using json::Node;

namespace {

Mount read_mount(const Node& node) {
  Mount m;
  m.destination = json::required_string(node, "destination");
  json::read(node, "type", m.type);
  json::read(node, "source", m.source);
  json::read(node, "options", m.options);
  json::read_array(node, "uidMappings", m.uid_mappings, detail::read_id_mapping);
  json::read_array(node, "gidMappings", m.gid_mappings, detail::read_id_mapping);
  return m;
}

Hook read_hook(const Node& node) {
  Hook h;
  h.path = json::required_string(node, "path");
  json::read(node, "args", h.args);
  json::read(node, "env", h.env);
  json::read(node, "timeout", h.timeout);
  return h;
}

Hooks read_hooks(const Node& node) {
  json::expect_object(node);
  Hooks h;
  json::read_array(node, "prestart", h.prestart, read_hook);
  json::read_array(node, "createRuntime", h.create_runtime, read_hook);
  json::read_array(node, "createContainer", h.create_container, read_hook);
  json::read_array(node, "startContainer", h.start_container, read_hook);
  json::read_array(node, "poststart", h.poststart, read_hook);
  json::read_array(node, "poststop", h.poststop, read_hook);
  return h;
}

Spec read_spec(const Node& node) {
  if (!node.value->IsObject()) json::fail("", "expected a JSON object at the top level");
  Spec s;
  json::read(node, "ociVersion", s.oci_version);
  if (auto m = json::member(node, "process")) s.process = detail::read_process(*m);
  if (auto m = json::member(node, "root")) {
    Root r;
    json::read(*m, "path", r.path);
    json::read(*m, "readonly", r.readonly);
    s.root = r;
  }
  json::read(node, "hostname", s.hostname);
  json::read(node, "domainname", s.domainname);
  json::read_array(node, "mounts", s.mounts, read_mount);
  if (auto m = json::member(node, "hooks")) s.hooks = read_hooks(*m);
  json::read(node, "annotations", s.annotations);
  if (auto m = json::member(node, "linux")) s.linux = detail::read_linux(*m);
  return s;
}

std::string read_file(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path.string());
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + path.string());
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Spec parse_spec(std::string_view json, std::string_view source) {
  rapidjson::Document doc;
  return read_spec(json::parse_document(doc, json, source));
}

Spec load_spec(const std::filesystem::path& config_json) {
  std::string text = read_file(config_json);
  rapidjson::Document doc;
  Node root = json::parse_document(doc, text, config_json.string());
  try {
    return read_spec(root);
  } catch (const Error& e) {
    throw Error(config_json.string() + ": " + e.what());
  }
}

Process parse_process(std::string_view json, std::string_view source) {
  rapidjson::Document doc;
  Node root = json::parse_document(doc, json, source);
  if (!root.value->IsObject()) json::fail("", "expected a JSON object at the top level");
  return detail::read_process(root);
}

Resources parse_resources(std::string_view json, std::string_view source) {
  rapidjson::Document doc;
  Node root = json::parse_document(doc, json, source);
  if (!root.value->IsObject()) json::fail("", "expected a JSON object at the top level");
  return detail::read_resources(root);
}

}  // namespace chrunc::oci
