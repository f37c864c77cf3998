// Cgroup::stats(): the cgroup v2 statistics files as CgroupStats.
#include <cstdint>
#include <limits>
#include <sstream>

#include "agent/container/security/cgroup.hpp"
#include "agent/container/security/file_io.hpp"

namespace chrunc::container {
namespace {

// "key value" lines (cpu.stat, memory.stat).
std::map<std::string, uint64_t> key_values(const std::optional<std::string>& text) {
  std::map<std::string, uint64_t> out;
  if (!text) return out;
  std::istringstream in(*text);
  std::string key;
  uint64_t value;
  while (in >> key >> value) out[key] = value;
  return out;
}

// A one-value file: nullopt when missing, `max_value` for "max".
std::optional<uint64_t> single_value(const std::string& path, uint64_t max_value) {
  auto text = read_file(path);
  if (!text) return std::nullopt;
  if (text->starts_with("max")) return max_value;
  return std::strtoull(text->c_str(), nullptr, 10);
}

void add_io_stat(const std::optional<std::string>& text, CgroupStats& stats) {
  if (!text) return;
  // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
  std::istringstream in(*text);
  for (std::string token; in >> token;) {
    auto eq = token.find('=');
    if (eq == std::string::npos) continue;
    const uint64_t value = std::strtoull(token.c_str() + eq + 1, nullptr, 10);
    const std::string key = token.substr(0, eq);
    if (key == "rbytes") stats.io_read_bytes += value;
    if (key == "wbytes") stats.io_write_bytes += value;
  }
}

}  // namespace

CgroupStats Cgroup::stats() const {
  constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();
  const std::string& dir = path();
  CgroupStats stats;
  const auto cpu = key_values(read_file(dir + "/cpu.stat"));
  auto get = [](const std::map<std::string, uint64_t>& map, const char* key) {
    auto it = map.find(key);
    return it == map.end() ? uint64_t{0} : it->second;
  };
  stats.cpu_usage_usec = get(cpu, "usage_usec");
  stats.cpu_user_usec = get(cpu, "user_usec");
  stats.cpu_system_usec = get(cpu, "system_usec");
  stats.cpu_throttled_periods = get(cpu, "nr_throttled");
  stats.cpu_throttled_usec = get(cpu, "throttled_usec");

  stats.memory_usage_bytes = single_value(dir + "/memory.current", kUnlimited).value_or(0);
  stats.memory_limit_bytes = single_value(dir + "/memory.max", kUnlimited).value_or(0);
  stats.memory_max_usage_bytes = single_value(dir + "/memory.peak", kUnlimited).value_or(0);
  stats.memory_stat = key_values(read_file(dir + "/memory.stat"));
  stats.memory_cache_bytes = get(stats.memory_stat, "file");
  stats.memory_oom_kills = get(key_values(read_file(dir + "/memory.events")), "oom_kill");

  stats.pids_current = single_value(dir + "/pids.current", 0).value_or(0);
  stats.pids_limit = single_value(dir + "/pids.max", 0).value_or(0);

  add_io_stat(read_file(dir + "/io.stat"), stats);
  return stats;
}

}  // namespace chrunc::container
