#include "oci/features.hpp"

#include "oci/json_builder.hpp"
#include "oci/known_names.hpp"
#include "oci/spec_json.hpp"
#include "oci/version.hpp"

namespace chrunc::oci {

using json::Alloc;
using json::Obj;
using rapidjson::Value;

namespace {

Value name_array(NameList names, Alloc& a) {
  Value arr(rapidjson::kArrayType);
  for (std::string_view n : names)
    arr.PushBack(Value(n.data(), static_cast<rapidjson::SizeType>(n.size()), a), a);
  return arr;
}

Value enabled(bool on, Alloc& a) {
  return Obj(a).flag("enabled", on).take();
}

Value linux_features(Alloc& a) {
  return Obj(a)
      .add("namespaces", name_array(known_namespaces(), a))
      // Inside its own VM a container can hold every capability it asks for.
      .add("capabilities", name_array(known_capabilities(), a))
      .add("cgroup", Obj(a)
                         .flag("v1", true)
                         .flag("v2", true)
                         .flag("systemd", false)
                         .flag("systemdUser", false)
                         .take())
      .add("seccomp", Obj(a)
                          .flag("enabled", true)
                          .add("actions", name_array(known_seccomp_actions(), a))
                          .add("operators", name_array(known_seccomp_operators(), a))
                          .add("archs", name_array(known_seccomp_archs(), a))
                          .add("knownFlags", name_array(known_seccomp_flags(), a))
                          .add("supportedFlags", name_array(supported_seccomp_flags(), a))
                          .take())
      .add("apparmor", enabled(false, a))
      .add("selinux", enabled(false, a))
      .add("intelRdt", enabled(false, a))
      .take();
}

Value annotations(Alloc& a) {
  return Obj(a)
      .str("io.containerization.vm.cpus", "number of vCPUs of the container's VM")
      .str("io.containerization.vm.memory", "memory of the container's VM, in MiB")
      .take();
}

}  // namespace

std::string features_json() {
  rapidjson::Document doc;
  Alloc& a = doc.GetAllocator();
  Value root = Obj(a)
                   .str("ociVersionMin", kSpecVersionMin)
                   .str("ociVersionMax", kSpecVersion)
                   .add("hooks", name_array(known_hooks(), a))
                   .add("mountOptions", name_array(known_mount_options(), a))
                   .add("linux", linux_features(a))
                   .add("annotations", annotations(a))
                   .take();
  return detail::to_pretty(root, ' ', 4) + "\n";
}

}  // namespace chrunc::oci
