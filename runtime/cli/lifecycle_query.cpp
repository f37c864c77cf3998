// `pause`, `resume`, `ps`, `events`, `update`: requests to the monitor.
// ps lists the processes as the guest sees them (pids are guest pids); with
// --format json, the host pids of the container's processes (as runc): their
// stand-ins.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/log.hpp"
#include "oci/spec_parser.hpp"
#include "oci/spec_writer.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/cli/lifecycle_common.hpp"
#include "runtime/cli/ps_table.hpp"
#include "runtime/host/host_cgroup.hpp"
#include "runtime/host/host_process.hpp"
#include "runtime/store/container_status.hpp"

namespace chrunc::runtime {
namespace {

using rapidjson::Value;

Status require_alive(const StateStore& store, const std::string& id) {
  Status s = effective_status(store, store.load(id));
  if (s == Status::kStopped || s == Status::kCreating) throw Error("container not running");
  return s;
}

uint64_t u64(const Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

// runc's `events --stats` data from the agent's figures.
std::string stats_event(const std::string& id, const rapidjson::Document& s) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("type", "stats", a);
  d.AddMember("id", Value(id.c_str(), a), a);
  Value data(rapidjson::kObjectType);

  Value cpu(rapidjson::kObjectType), usage(rapidjson::kObjectType),
      throttling(rapidjson::kObjectType);
  usage.AddMember("total", u64(s, "cpu_usage_usec") * 1000, a);
  usage.AddMember("kernel", u64(s, "cpu_system_usec") * 1000, a);
  usage.AddMember("user", u64(s, "cpu_user_usec") * 1000, a);
  throttling.AddMember("throttledPeriods", u64(s, "cpu_throttled_periods"), a);
  throttling.AddMember("throttledTime", u64(s, "cpu_throttled_usec") * 1000, a);
  cpu.AddMember("usage", usage, a);
  cpu.AddMember("throttling", throttling, a);
  data.AddMember("cpu", cpu, a);

  Value memory(rapidjson::kObjectType), mem_usage(rapidjson::kObjectType),
      raw(rapidjson::kObjectType);
  memory.AddMember("cache", u64(s, "memory_cache_bytes"), a);
  mem_usage.AddMember("limit", u64(s, "memory_limit_bytes"), a);
  mem_usage.AddMember("usage", u64(s, "memory_usage_bytes"), a);
  mem_usage.AddMember("max", u64(s, "memory_max_usage_bytes"), a);
  mem_usage.AddMember("failcnt", 0, a);
  memory.AddMember("usage", mem_usage, a);
  if (s.HasMember("memory_stat") && s["memory_stat"].IsObject())
    for (auto& m : s["memory_stat"].GetObject())
      raw.AddMember(Value(m.name, a), Value(m.value, a), a);
  memory.AddMember("raw", raw, a);
  data.AddMember("memory", memory, a);

  Value pids(rapidjson::kObjectType);
  pids.AddMember("current", u64(s, "pids_current"), a);
  if (u64(s, "pids_limit") > 0) pids.AddMember("limit", u64(s, "pids_limit"), a);
  data.AddMember("pids", pids, a);

  Value blkio(rapidjson::kObjectType);
  data.AddMember("blkio", blkio, a);
  Value hugetlb(rapidjson::kObjectType);
  data.AddMember("hugetlb", hugetlb, a);
  d.AddMember("data", data, a);
  return json_text(d);
}

}  // namespace

void pause_container(const GlobalOptions& global, const std::string& id) {
  StateStore store = open_store(global);
  ContainerLock lock = store.lock(id);
  if (require_alive(store, id) != Status::kRunning) throw Error("container not running");
  call_monitor(store.dir(id), "pause");
}

void resume_container(const GlobalOptions& global, const std::string& id) {
  StateStore store = open_store(global);
  ContainerLock lock = store.lock(id);
  if (require_alive(store, id) != Status::kPaused) throw Error("container not paused");
  call_monitor(store.dir(id), "resume");
}

std::string list_processes(const GlobalOptions& global, const std::string& id,
                           const std::string& format, const std::vector<std::string>& ps_args) {
  StateStore store = open_store(global);
  require_alive(store, id);
  if (format != "table" && format != "json") throw Error("invalid format option");
  if (format == "json" && !ps_args.empty())
    throw Error("ps options are not supported with the json format");
  std::ostringstream out;
  if (format == "json") {
    // As runc: the host pids of the container's processes, read here in the
    // caller's pid namespace. For ch-runc these are the stand-ins of the
    // guest's processes (stand_ins.hpp): docker top runs the host's ps on
    // these pids. The monitor brings them up to date first, so that it
    // shows the guest's processes of this moment, and names them; the rest
    // of the container's cgroup (the monitor, the VMM, virtiofsd) is left out.
    const ContainerRecord state = store.load(id);
    rapidjson::Document answer = call_monitor(store.dir(id), "stand-ins");
    std::set<pid_t> stand_ins;
    if (answer.IsObject() && answer.HasMember("pids") && answer["pids"].IsArray())
      for (const auto& pid : answer["pids"].GetArray())
        if (pid.IsInt()) stand_ins.insert(pid.GetInt());
    out << "[";
    bool first = true;
    for (pid_t pid :
         children_known_as(state.monitor_pid, HostCgroup::pids(state.cgroups_path), stand_ins)) {
      out << (first ? "" : ",") << pid;
      first = false;
    }
    out << "]\n";
    return out.str();
  }
  rapidjson::Document answer = call_monitor(store.dir(id), "ps");
  const Value& procs = answer["processes"];
  std::vector<ProcessRow> rows;
  for (const auto& p : procs.GetArray()) {
    ProcessRow row;
    row.pid = p["pid"].GetInt();
    row.ppid = p["ppid"].GetInt();
    row.uid = p["uid"].GetUint();
    // Whole strings (NULs included): ps_table escapes what the guest put there.
    row.state.assign(p["state"].GetString(), p["state"].GetStringLength());
    row.cpu_ticks = p["cpu_time"].GetUint64();
    row.cmdline.assign(p["cmdline"].GetString(), p["cmdline"].GetStringLength());
    row.comm.assign(p["comm"].GetString(), p["comm"].GetStringLength());
    rows.push_back(std::move(row));
  }
  out << format_process_table(rows, ps_args, ::sysconf(_SC_CLK_TCK));
  return out.str();
}

// Polls the monitor every second: an "oom" event as soon as the guest's
// memory.events oom_kill count grows (as runc's OOM notification), the stats
// every `interval`; ends when the container stops.
void stream_events(const GlobalOptions& global, const std::string& id, bool stats_once,
                   std::chrono::seconds interval) {
  using Clock = std::chrono::steady_clock;
  StateStore store = open_store(global);
  require_alive(store, id);
  if (stats_once) {
    std::cout << stats_event(id, call_monitor(store.dir(id), "stats")) << std::endl;
    return;
  }
  if (interval.count() <= 0) interval = std::chrono::seconds(5);
  std::optional<uint64_t> oom_kills;
  auto next_stats = Clock::now();
  for (;;) {
    rapidjson::Document stats;
    try {
      stats = call_monitor(store.dir(id), "stats");
    } catch (const Error& e) {
      // The guest or the monitor did not answer: the caller's to see, not a
      // quiet end. Any other error: the container stopped.
      if (is_timeout(e)) throw;
      return;
    }
    uint64_t kills = u64(stats, "memory_oom_kills");
    if (oom_kills && kills > *oom_kills)
      std::cout << "{\"type\":\"oom\",\"id\":" << json_text(Value(id.c_str(), stats.GetAllocator()))
                << "}" << std::endl;
    oom_kills = kills;
    if (Clock::now() >= next_stats) {
      std::cout << stats_event(id, stats) << std::endl;
      next_stats = Clock::now() + interval;
    }
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::seconds(1), next_stats - Clock::now()));
    try {
      if (effective_status(store, store.load(id)) == Status::kStopped) return;
    } catch (const Error&) {
      return;
    }
  }
}

void update_container(const GlobalOptions& global, const UpdateOptions& o) {
  StateStore store = open_store(global);
  ContainerLock lock = store.lock(o.id);
  require_alive(store, o.id);
  oci::Resources r;
  if (!o.resources_file.empty()) {
    std::string text = read_text_file(o.resources_file);
    r = oci::parse_resources(text, o.resources_file == "-" ? "stdin" : o.resources_file);
  }
  auto& mem = r.memory ? *r.memory : r.memory.emplace();
  if (o.memory) mem.limit = *o.memory;
  if (o.memory_reservation) mem.reservation = *o.memory_reservation;
  if (o.memory_swap) mem.swap = *o.memory_swap;
  if (o.kernel_memory) mem.kernel = *o.kernel_memory;
  if (o.kernel_memory_tcp) mem.kernel_tcp = *o.kernel_memory_tcp;
  auto& cpu = r.cpu ? *r.cpu : r.cpu.emplace();
  if (o.cpu_period) cpu.period = *o.cpu_period;
  if (o.cpu_quota) cpu.quota = *o.cpu_quota;
  if (o.cpu_share) cpu.shares = *o.cpu_share;
  if (o.cpu_rt_period) cpu.realtime_period = *o.cpu_rt_period;
  if (o.cpu_rt_runtime) cpu.realtime_runtime = *o.cpu_rt_runtime;
  if (o.cpu_idle) cpu.idle = *o.cpu_idle;
  if (!o.cpuset_cpus.empty()) cpu.cpus = o.cpuset_cpus;
  if (!o.cpuset_mems.empty()) cpu.mems = o.cpuset_mems;
  if (o.pids_limit) r.pids.emplace().limit = *o.pids_limit;
  if (o.blkio_weight)
    (r.block_io ? *r.block_io : r.block_io.emplace()).weight =
        static_cast<uint16_t>(*o.blkio_weight);
  if (r.memory == oci::MemoryResources{}) r.memory.reset();
  if (r.cpu == oci::CpuResources{}) r.cpu.reset();

  rapidjson::Document request(rapidjson::kObjectType);
  auto& a = request.GetAllocator();
  request.AddMember("command", "update", a);
  request.AddMember("resources", Value(oci::write_resources(r).c_str(), a), a);
  MonitorClient client(store.dir(o.id));
  rapidjson::Document answer = client.call(request);
  // A limit the host cgroup cannot take as it is (update_limits.hpp).
  if (answer.IsObject() && answer.HasMember("warning") && answer["warning"].IsString())
    log_warn(answer["warning"].GetString());
}

}  // namespace chrunc::runtime
