// config.json "linux.resources" (and `update -r` input) -> oci::Resources.
#include "oci/json_reader.hpp"
#include "oci/parse_parts.hpp"

namespace chrunc::oci::detail {

using json::Node;

static DeviceCgroupRule read_device_rule(const Node& node) {
  DeviceCgroupRule r;
  json::read(node, "allow", r.allow);
  json::read(node, "type", r.type);
  json::read(node, "major", r.major);
  json::read(node, "minor", r.minor);
  json::read(node, "access", r.access);
  return r;
}

static MemoryResources read_memory(const Node& node) {
  MemoryResources m;
  json::read(node, "limit", m.limit);
  json::read(node, "reservation", m.reservation);
  json::read(node, "swap", m.swap);
  json::read(node, "kernel", m.kernel);
  json::read(node, "kernelTCP", m.kernel_tcp);
  json::read(node, "swappiness", m.swappiness);
  json::read(node, "disableOOMKiller", m.disable_oom_killer);
  json::read(node, "useHierarchy", m.use_hierarchy);
  json::read(node, "checkBeforeUpdate", m.check_before_update);
  return m;
}

static CpuResources read_cpu(const Node& node) {
  CpuResources c;
  json::read(node, "shares", c.shares);
  json::read(node, "quota", c.quota);
  json::read(node, "burst", c.burst);
  json::read(node, "period", c.period);
  json::read(node, "realtimeRuntime", c.realtime_runtime);
  json::read(node, "realtimePeriod", c.realtime_period);
  json::read(node, "cpus", c.cpus);
  json::read(node, "mems", c.mems);
  json::read(node, "idle", c.idle);
  return c;
}

static BlockIoWeightDevice read_weight_device(const Node& node) {
  BlockIoWeightDevice d;
  json::read(node, "major", d.major);
  json::read(node, "minor", d.minor);
  json::read(node, "weight", d.weight);
  json::read(node, "leafWeight", d.leaf_weight);
  return d;
}

static BlockIoThrottleDevice read_throttle_device(const Node& node) {
  BlockIoThrottleDevice d;
  json::read(node, "major", d.major);
  json::read(node, "minor", d.minor);
  json::read(node, "rate", d.rate);
  return d;
}

static BlockIoResources read_block_io(const Node& node) {
  BlockIoResources b;
  json::read(node, "weight", b.weight);
  json::read(node, "leafWeight", b.leaf_weight);
  json::read_array(node, "weightDevice", b.weight_device, read_weight_device);
  json::read_array(node, "throttleReadBpsDevice", b.throttle_read_bps_device, read_throttle_device);
  json::read_array(node, "throttleWriteBpsDevice", b.throttle_write_bps_device,
                   read_throttle_device);
  json::read_array(node, "throttleReadIOPSDevice", b.throttle_read_iops_device,
                   read_throttle_device);
  json::read_array(node, "throttleWriteIOPSDevice", b.throttle_write_iops_device,
                   read_throttle_device);
  return b;
}

static HugepageLimit read_hugepage_limit(const Node& node) {
  HugepageLimit h;
  h.page_size = json::required_string(node, "pageSize");
  json::read(node, "limit", h.limit);
  return h;
}

static NetworkResources read_network(const Node& node) {
  NetworkResources n;
  json::read(node, "classID", n.class_id);
  json::read_array(node, "priorities", n.priorities, [](const Node& e) {
    NetworkPriority p;
    p.name = json::required_string(e, "name");
    json::read(e, "priority", p.priority);
    return p;
  });
  return n;
}

Resources read_resources(const Node& node) {
  json::expect_object(node);
  Resources r;
  json::read_array(node, "devices", r.devices, read_device_rule);
  if (auto m = json::member(node, "memory")) r.memory = read_memory(*m);
  if (auto m = json::member(node, "cpu")) r.cpu = read_cpu(*m);
  if (auto m = json::member(node, "pids")) {
    PidsResources p;
    json::read(*m, "limit", p.limit);
    r.pids = p;
  }
  if (auto m = json::member(node, "blockIO")) r.block_io = read_block_io(*m);
  json::read_array(node, "hugepageLimits", r.hugepage_limits, read_hugepage_limit);
  if (auto m = json::member(node, "network")) r.network = read_network(*m);
  json::read(node, "unified", r.unified);
  return r;
}

}  // namespace chrunc::oci::detail
