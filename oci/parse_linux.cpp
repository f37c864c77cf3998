// config.json "linux" -> oci::Linux (resources are in parse_resources.cpp).
#include "oci/json_reader.hpp"
#include "oci/parse_parts.hpp"

namespace chrunc::oci::detail {

using json::Node;

IdMapping read_id_mapping(const Node& node) {
  IdMapping m;
  json::read(node, "containerID", m.container_id);
  json::read(node, "hostID", m.host_id);
  json::read(node, "size", m.size);
  return m;
}

static Namespace read_namespace(const Node& node) {
  Namespace ns;
  ns.type = json::required_string(node, "type");
  json::read(node, "path", ns.path);
  return ns;
}

static Device read_device(const Node& node) {
  Device d;
  d.type = json::required_string(node, "type");
  d.path = json::required_string(node, "path");
  // The spec makes major and minor REQUIRED except for fifos ("p"). The model
  // cannot tell "absent" from 0, so this MUST is checked here.
  auto major = json::member(node, "major");
  auto minor = json::member(node, "minor");
  if (d.type != "p") {
    if (!major) json::fail(node.path + ".major", "required for device type \"" + d.type + "\"");
    if (!minor) json::fail(node.path + ".minor", "required for device type \"" + d.type + "\"");
  }
  if (major) d.major = json::as_integer<int64_t>(*major);
  if (minor) d.minor = json::as_integer<int64_t>(*minor);
  json::read(node, "fileMode", d.file_mode);
  json::read(node, "uid", d.uid);
  json::read(node, "gid", d.gid);
  return d;
}

static SeccompArg read_seccomp_arg(const Node& node) {
  SeccompArg a;
  json::read(node, "index", a.index);
  json::read(node, "value", a.value);
  json::read(node, "valueTwo", a.value_two);
  a.op = json::required_string(node, "op");
  return a;
}

static SeccompSyscall read_syscall(const Node& node) {
  SeccompSyscall s;
  json::read(node, "names", s.names);
  s.action = json::required_string(node, "action");
  json::read(node, "errnoRet", s.errno_ret);
  json::read_array(node, "args", s.args, read_seccomp_arg);
  return s;
}

static Seccomp read_seccomp(const Node& node) {
  Seccomp s;
  s.default_action = json::required_string(node, "defaultAction");
  json::read(node, "defaultErrnoRet", s.default_errno_ret);
  json::read(node, "architectures", s.architectures);
  json::read(node, "flags", s.flags);
  json::read(node, "listenerPath", s.listener_path);
  json::read(node, "listenerMetadata", s.listener_metadata);
  json::read_array(node, "syscalls", s.syscalls, read_syscall);
  return s;
}

static std::map<std::string, TimeOffset> read_time_offsets(const Node& node) {
  json::expect_object(node);
  std::map<std::string, TimeOffset> out;
  for (const auto& m : node.value->GetObject()) {
    std::string clock(m.name.GetString(), m.name.GetStringLength());
    Node child{&m.value, node.path + "." + clock};
    TimeOffset off;
    json::read(child, "secs", off.secs);
    json::read(child, "nanosecs", off.nanosecs);
    out[clock] = off;
  }
  return out;
}

Linux read_linux(const Node& node) {
  json::expect_object(node);
  Linux l;
  json::read_array(node, "namespaces", l.namespaces, read_namespace);
  json::read_array(node, "uidMappings", l.uid_mappings, read_id_mapping);
  json::read_array(node, "gidMappings", l.gid_mappings, read_id_mapping);
  json::read_array(node, "devices", l.devices, read_device);
  json::read(node, "cgroupsPath", l.cgroups_path);
  if (auto m = json::member(node, "resources")) l.resources = read_resources(*m);
  json::read(node, "sysctl", l.sysctl);
  if (auto m = json::member(node, "seccomp")) l.seccomp = read_seccomp(*m);
  json::read(node, "rootfsPropagation", l.rootfs_propagation);
  json::read(node, "maskedPaths", l.masked_paths);
  json::read(node, "readonlyPaths", l.readonly_paths);
  json::read(node, "mountLabel", l.mount_label);
  if (auto m = json::member(node, "personality")) {
    Personality p;
    p.domain = json::required_string(*m, "domain");
    json::read(*m, "flags", p.flags);
    l.personality = p;
  }
  if (auto m = json::member(node, "timeOffsets")) l.time_offsets = read_time_offsets(*m);
  if (auto m = json::member(node, "intelRdt")) {
    json::expect_object(*m);  // accepted and ignored: a VM has no RDT
    l.has_intel_rdt = true;
  }
  return l;
}

}  // namespace chrunc::oci::detail
