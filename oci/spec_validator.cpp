// Validation of the top level, mounts and hooks; the public entry points.
#include "oci/spec_validator.hpp"

#include "common/error.hpp"
#include "oci/validate_parts.hpp"

namespace chrunc::oci {
namespace detail {

const Namespace* find_namespace(const Spec& spec, std::string_view type) {
  if (!spec.linux) return nullptr;
  for (const auto& ns : spec.linux->namespaces)
    if (ns.type == type) return &ns;
  return nullptr;
}

namespace {

void validate_hooks(const Hooks& hooks, Violations& v) {
  auto check = [&](const char* kind, const std::vector<Hook>& list) {
    for (size_t i = 0; i < list.size(); ++i) {
      std::string base = index_path(std::string("hooks.") + kind, i);
      if (!is_absolute(list[i].path)) v.add(base + ".path", "must be an absolute path");
      if (list[i].timeout && *list[i].timeout <= 0)
        v.add(base + ".timeout", "must be greater than zero");
    }
  };
  check("prestart", hooks.prestart);
  check("createRuntime", hooks.create_runtime);
  check("createContainer", hooks.create_container);
  check("startContainer", hooks.start_container);
  check("poststart", hooks.poststart);
  check("poststop", hooks.poststop);
}

}  // namespace
}  // namespace detail

std::vector<std::string> spec_violations(const Spec& spec) {
  detail::Violations v;
  if (spec.oci_version.empty()) v.add("ociVersion", "must be set");
  if (!spec.root) {
    v.add("root", "must be set");
  } else if (spec.root->path.empty()) {
    v.add("root.path", "must be set");
  }
  if (spec.process) detail::validate_process(*spec.process, v);
  if (!spec.hostname.empty() && !detail::find_namespace(spec, "uts"))
    v.add("hostname", "requires a uts namespace");
  if (!spec.domainname.empty() && !detail::find_namespace(spec, "uts"))
    v.add("domainname", "requires a uts namespace");
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    if (!detail::is_absolute(spec.mounts[i].destination))
      v.add(detail::index_path("mounts", i) + ".destination", "must be an absolute path");
  }
  if (spec.hooks) detail::validate_hooks(*spec.hooks, v);
  detail::validate_linux(spec, v);
  return std::move(v.list);
}

std::vector<std::string> process_violations(const Process& process) {
  detail::Violations v;
  detail::validate_process(process, v);
  return std::move(v.list);
}

void validate_spec(const Spec& spec) {
  auto violations = spec_violations(spec);
  if (!violations.empty()) throw Error("config.json: " + violations.front());
}

}  // namespace chrunc::oci
