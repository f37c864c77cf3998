// oci::Linux and oci::Resources -> RapidJSON values (Go struct order).
#include "oci/spec_json.hpp"

namespace chrunc::oci::detail {

using json::Alloc;
using json::Obj;
using rapidjson::Value;

namespace {

Value device_rule_to_json(const DeviceCgroupRule& r, Alloc& a) {
  return Obj(a)
      .flag("allow", r.allow)
      .str_opt("type", r.type)
      .num_opt("major", r.major)
      .num_opt("minor", r.minor)
      .str_opt("access", r.access)
      .take();
}

Value memory_to_json(const MemoryResources& m, Alloc& a) {
  Obj o(a);
  o.num_opt("limit", m.limit).num_opt("reservation", m.reservation).num_opt("swap", m.swap);
  o.num_opt("kernel", m.kernel).num_opt("kernelTCP", m.kernel_tcp);
  o.num_opt("swappiness", m.swappiness);
  if (m.disable_oom_killer) o.flag("disableOOMKiller", *m.disable_oom_killer);
  if (m.use_hierarchy) o.flag("useHierarchy", *m.use_hierarchy);
  if (m.check_before_update) o.flag("checkBeforeUpdate", *m.check_before_update);
  return o.take();
}

Value cpu_to_json(const CpuResources& c, Alloc& a) {
  return Obj(a)
      .num_opt("shares", c.shares)
      .num_opt("quota", c.quota)
      .num_opt("burst", c.burst)
      .num_opt("period", c.period)
      .num_opt("realtimeRuntime", c.realtime_runtime)
      .num_opt("realtimePeriod", c.realtime_period)
      .str_opt("cpus", c.cpus)
      .str_opt("mems", c.mems)
      .num_opt("idle", c.idle)
      .take();
}

Value weight_device_to_json(const BlockIoWeightDevice& d, Alloc& a) {
  return Obj(a)
      .num("major", d.major)
      .num("minor", d.minor)
      .num_opt("weight", d.weight)
      .num_opt("leafWeight", d.leaf_weight)
      .take();
}

Value throttle_device_to_json(const BlockIoThrottleDevice& d, Alloc& a) {
  return Obj(a).num("major", d.major).num("minor", d.minor).num("rate", d.rate).take();
}

Value block_io_to_json(const BlockIoResources& b, Alloc& a) {
  return Obj(a)
      .num_opt("weight", b.weight)
      .num_opt("leafWeight", b.leaf_weight)
      .array("weightDevice", b.weight_device, weight_device_to_json)
      .array("throttleReadBpsDevice", b.throttle_read_bps_device, throttle_device_to_json)
      .array("throttleWriteBpsDevice", b.throttle_write_bps_device, throttle_device_to_json)
      .array("throttleReadIOPSDevice", b.throttle_read_iops_device, throttle_device_to_json)
      .array("throttleWriteIOPSDevice", b.throttle_write_iops_device, throttle_device_to_json)
      .take();
}

Value network_to_json(const NetworkResources& n, Alloc& a) {
  return Obj(a)
      .num_opt("classID", n.class_id)
      .array("priorities", n.priorities,
             [](const NetworkPriority& p, Alloc& a) {
               return Obj(a).str("name", p.name).num("priority", p.priority).take();
             })
      .take();
}

Value namespace_to_json(const Namespace& ns, Alloc& a) {
  return Obj(a).str("type", ns.type).str_opt("path", ns.path).take();
}

Value device_to_json(const Device& d, Alloc& a) {
  return Obj(a)
      .str("path", d.path)
      .str("type", d.type)
      .num("major", d.major)
      .num("minor", d.minor)
      .num_opt("fileMode", d.file_mode)
      .num_opt("uid", d.uid)
      .num_opt("gid", d.gid)
      .take();
}

Value seccomp_arg_to_json(const SeccompArg& arg, Alloc& a) {
  return Obj(a)
      .num("index", arg.index)
      .num("value", arg.value)
      .num_nonzero("valueTwo", arg.value_two)
      .str("op", arg.op)
      .take();
}

Value syscall_to_json(const SeccompSyscall& s, Alloc& a) {
  return Obj(a)
      .add("names", json::string_array(s.names, a))
      .str("action", s.action)
      .num_opt("errnoRet", s.errno_ret)
      .array("args", s.args, seccomp_arg_to_json)
      .take();
}

Value seccomp_to_json(const Seccomp& s, Alloc& a) {
  return Obj(a)
      .str("defaultAction", s.default_action)
      .num_opt("defaultErrnoRet", s.default_errno_ret)
      .strings("architectures", s.architectures)
      .strings("flags", s.flags)
      .str_opt("listenerPath", s.listener_path)
      .str_opt("listenerMetadata", s.listener_metadata)
      .array("syscalls", s.syscalls, syscall_to_json)
      .take();
}

Value time_offsets_to_json(const std::map<std::string, TimeOffset>& offsets, Alloc& a) {
  Value obj(rapidjson::kObjectType);
  for (const auto& [clock, off] : offsets) {
    obj.AddMember(json::string_value(clock, a),
                  Obj(a).num_nonzero("secs", off.secs).num_nonzero("nanosecs", off.nanosecs).take(),
                  a);
  }
  return obj;
}

}  // namespace

Value resources_to_json(const Resources& r, Alloc& a) {
  Obj o(a);
  o.array("devices", r.devices, device_rule_to_json);
  if (r.memory) o.add("memory", memory_to_json(*r.memory, a));
  if (r.cpu) o.add("cpu", cpu_to_json(*r.cpu, a));
  if (r.pids) o.add("pids", Obj(a).num_opt("limit", r.pids->limit).take());
  if (r.block_io) o.add("blockIO", block_io_to_json(*r.block_io, a));
  o.array("hugepageLimits", r.hugepage_limits, [](const HugepageLimit& h, Alloc& a) {
    return Obj(a).str("pageSize", h.page_size).num("limit", h.limit).take();
  });
  if (r.network) o.add("network", network_to_json(*r.network, a));
  o.map("unified", r.unified);
  return o.take();
}

Value linux_to_json(const Linux& l, Alloc& a) {
  Obj o(a);
  o.array("uidMappings", l.uid_mappings, id_mapping_to_json);
  o.array("gidMappings", l.gid_mappings, id_mapping_to_json);
  o.map("sysctl", l.sysctl);
  if (l.resources) o.add("resources", resources_to_json(*l.resources, a));
  o.str_opt("cgroupsPath", l.cgroups_path);
  o.array("namespaces", l.namespaces, namespace_to_json);
  o.array("devices", l.devices, device_to_json);
  if (l.seccomp) o.add("seccomp", seccomp_to_json(*l.seccomp, a));
  o.str_opt("rootfsPropagation", l.rootfs_propagation);
  o.strings("maskedPaths", l.masked_paths);
  o.strings("readonlyPaths", l.readonly_paths);
  o.str_opt("mountLabel", l.mount_label);
  if (l.has_intel_rdt) o.add("intelRdt", Value(rapidjson::kObjectType));
  if (l.personality) {
    o.add(
        "personality",
        Obj(a).str("domain", l.personality->domain).strings("flags", l.personality->flags).take());
  }
  if (!l.time_offsets.empty()) o.add("timeOffsets", time_offsets_to_json(l.time_offsets, a));
  return o.take();
}

}  // namespace chrunc::oci::detail
