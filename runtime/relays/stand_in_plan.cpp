#include "runtime/relays/stand_in_plan.hpp"

#include <algorithm>

#include "common/guest_text.hpp"

namespace chrunc::runtime {

void bound_guest_process(GuestProcess& process) {
  if (process.comm.size() > kMaxCommBytes) process.comm.resize(kMaxCommBytes);
  size_t bytes = 0, kept = 0;
  for (const auto& arg : process.argv) {
    if (bytes + arg.size() + 1 > kMaxStandInArgvBytes) break;
    bytes += arg.size() + 1;
    ++kept;
  }
  if (kept == 0 && !process.argv.empty()) {
    process.argv[0].resize(std::min(process.argv[0].size(), kMaxStandInArgvBytes - 1));
    kept = 1;
  }
  process.argv.resize(kept);
}

std::vector<std::string> stand_in_argv(const GuestProcess& process) {
  GuestProcess bounded = process;
  bound_guest_process(bounded);
  if (bounded.argv.empty()) return {"[" + title_safe_text(bounded.comm, kMaxCommBytes) + "]"};
  std::vector<std::string> argv;
  for (const auto& arg : bounded.argv) argv.push_back(title_safe_text(arg, arg.size()));
  return argv;
}

std::string stand_in_identity(const GuestProcess& process, uint32_t host_uid, uint32_t host_gid) {
  return std::to_string(host_uid) + " " + std::to_string(host_gid) + " " +
         title_safe_text(process.comm, kMaxCommBytes);
}

StandInPlan plan_stand_ins(const std::map<pid_t, GuestProcess>& current,
                           const std::vector<GuestProcess>& listed) {
  std::vector<GuestProcess> wanted = listed;
  std::sort(wanted.begin(), wanted.end(),
            [](const GuestProcess& a, const GuestProcess& b) { return a.pid < b.pid; });
  wanted.erase(
      std::unique(wanted.begin(), wanted.end(),
                  [](const GuestProcess& a, const GuestProcess& b) { return a.pid == b.pid; }),
      wanted.end());
  if (wanted.size() > kMaxStandIns) wanted.resize(kMaxStandIns);
  StandInPlan plan;
  std::map<pid_t, const GuestProcess*> by_pid;
  for (const auto& process : wanted) by_pid[process.pid] = &process;
  for (const auto& [pid, process] : current) {
    auto it = by_pid.find(pid);
    if (it == by_pid.end() || !(*it->second == process)) plan.end.push_back(pid);
  }
  for (const auto& process : wanted) {
    auto it = current.find(process.pid);
    if (it == current.end() || !(it->second == process)) plan.start.push_back(process);
  }
  return plan;
}

}  // namespace chrunc::runtime
