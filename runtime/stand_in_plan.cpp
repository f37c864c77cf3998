#include "runtime/stand_in_plan.hpp"

#include <algorithm>

namespace chrunc::runtime {

std::vector<std::string> stand_in_argv(const GuestProcess& process) {
  if (process.argv.empty()) return {"[" + process.comm + "]"};
  std::vector<std::string> argv;
  size_t bytes = 0;
  for (const auto& arg : process.argv) {
    if (bytes + arg.size() + 1 > kMaxStandInArgvBytes) break;
    bytes += arg.size() + 1;
    argv.push_back(arg);
  }
  if (argv.empty()) argv.push_back(process.argv[0].substr(0, kMaxStandInArgvBytes - 1));
  return argv;
}

std::string stand_in_identity(const GuestProcess& process) {
  return std::to_string(process.uid) + " " + std::to_string(process.gid) + " " +
         process.comm.substr(0, 15);
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
