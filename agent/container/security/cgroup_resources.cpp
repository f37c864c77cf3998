#include "agent/container/security/cgroup_resources.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace chrunc::container {
namespace {

std::string limit_or_max(int64_t value) {
  return value < 0 ? std::string("max") : std::to_string(value);
}

std::string device(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

void add_cpu(const oci::CpuResources& cpu, std::vector<CgroupSetting>& out) {
  if (!cpu.cpus.empty()) out.push_back({"cpuset.cpus", cpu.cpus});
  if (!cpu.mems.empty()) out.push_back({"cpuset.mems", cpu.mems});
  if (cpu.shares && *cpu.shares != 0)
    out.push_back({"cpu.weight", std::to_string(cpu_shares_to_weight(*cpu.shares))});
  const int64_t quota = cpu.quota.value_or(0);
  const uint64_t period = cpu.period.value_or(0);
  if (quota != 0 || period != 0) {
    std::string value = quota > 0 ? std::to_string(quota) : std::string("max");
    if (period != 0) value += " " + std::to_string(period);
    out.push_back({"cpu.max", value});
  }
  if (cpu.burst) out.push_back({"cpu.max.burst", std::to_string(*cpu.burst)});
  if (cpu.idle) out.push_back({"cpu.idle", std::to_string(*cpu.idle)});
  if (cpu.realtime_runtime.value_or(0) != 0 || cpu.realtime_period.value_or(0) != 0)
    throw Error("cpu.realtimeRuntime and cpu.realtimePeriod are not supported on cgroup v2");
}

// OCI swap is memory+swap (v1 memsw); v2 memory.swap.max is swap alone.
// Returns nullopt for "leave unchanged", -1 for max.
std::optional<int64_t> swap_v2(const oci::MemoryResources& memory) {
  const int64_t limit = memory.limit.value_or(0);
  const int64_t swap = memory.swap.value_or(0);
  if (limit == -1 && swap == 0) return -1;
  if (swap == 0) return std::nullopt;
  if (swap == -1) return -1;
  if (limit <= 0)
    throw Error("memory.swap " + std::to_string(swap) + " needs a memory.limit (cgroup v2)");
  if (swap < limit)
    throw Error("memory.swap " + std::to_string(swap) + " is below memory.limit " +
                std::to_string(limit) + " (swap is memory+swap)");
  return swap - limit;
}

void add_memory(const oci::MemoryResources& memory, std::vector<CgroupSetting>& out) {
  if (auto swap = swap_v2(memory)) out.push_back({"memory.swap.max", limit_or_max(*swap)});
  if (memory.limit && *memory.limit != 0)
    out.push_back({"memory.max", limit_or_max(*memory.limit)});
  if (memory.reservation && *memory.reservation != 0)
    out.push_back({"memory.low", limit_or_max(*memory.reservation)});
}

void add_throttle(const std::vector<oci::BlockIoThrottleDevice>& devices, const char* key,
                  std::vector<CgroupSetting>& out) {
  for (const auto& d : devices) {
    // As in v1, a rate of 0 removes the limit.
    std::string rate = d.rate == 0 ? std::string("max") : std::to_string(d.rate);
    out.push_back({"io.max", device(d.major, d.minor) + " " + key + "=" + rate});
  }
}

void add_block_io(const oci::BlockIoResources& io, bool bfq, std::vector<CgroupSetting>& out) {
  const char* file = bfq ? "io.bfq.weight" : "io.weight";
  auto convert = [bfq](uint16_t w) { return bfq ? uint64_t{w} : blkio_weight_to_io_weight(w); };
  if (io.weight && *io.weight != 0)
    out.push_back({file, "default " + std::to_string(convert(*io.weight))});
  for (const auto& d : io.weight_device)
    if (d.weight && *d.weight != 0)
      out.push_back({file, device(d.major, d.minor) + " " + std::to_string(convert(*d.weight))});
  add_throttle(io.throttle_read_bps_device, "rbps", out);
  add_throttle(io.throttle_write_bps_device, "wbps", out);
  add_throttle(io.throttle_read_iops_device, "riops", out);
  add_throttle(io.throttle_write_iops_device, "wiops", out);
}

void check_unified_key(const std::string& key) {
  if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos ||
      key.find('.') == std::string::npos || key.front() == '.')
    throw Error("invalid linux.resources.unified key \"" + key + "\"");
}

}  // namespace

uint64_t cpu_shares_to_weight(uint64_t shares) {
  shares = std::clamp<uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
  weight = std::clamp<uint64_t>(weight, 10, 1000);
  return 1 + ((weight - 10) * 9999) / 990;
}

std::string cgroup_controller_of(const std::string& file) {
  std::string prefix = file.substr(0, file.find('.'));
  return prefix == "cgroup" ? std::string() : prefix;
}

std::vector<CgroupSetting> cgroup_v2_settings(const oci::Resources& resources, bool bfq_weight) {
  std::vector<CgroupSetting> out;
  if (resources.cpu) add_cpu(*resources.cpu, out);
  if (resources.memory) add_memory(*resources.memory, out);
  if (resources.pids && resources.pids->limit && *resources.pids->limit != 0)
    out.push_back({"pids.max", limit_or_max(*resources.pids->limit)});
  if (resources.block_io) add_block_io(*resources.block_io, bfq_weight, out);
  for (const auto& hugepage : resources.hugepage_limits) {
    if (hugepage.page_size.empty() || hugepage.page_size.find('/') != std::string::npos ||
        hugepage.page_size.find('.') != std::string::npos)
      throw Error("invalid hugepage pageSize \"" + hugepage.page_size + "\"");
    out.push_back({"hugetlb." + hugepage.page_size + ".max", std::to_string(hugepage.limit)});
  }
  for (const auto& [key, value] : resources.unified) {
    check_unified_key(key);
    out.push_back({key, value});
  }
  return out;
}

}  // namespace chrunc::container
