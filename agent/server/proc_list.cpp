#include "agent/server/proc_list.hpp"

#include <fstream>
#include <sstream>
#include <vector>

namespace chrunc::agent {

namespace {
// At most `limit` bytes of the file.
std::optional<std::string> slurp(const std::string& path, size_t limit = 64 * 1024) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

// The comm field of a /proc/<pid>/stat text.
std::optional<std::string> stat_comm(const std::string& stat) {
  auto open = stat.find('(');
  auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  return stat.substr(open + 1, close - open - 1);
}

std::optional<v1::ProcessInfo> read_process_info_once(const std::string& dir, pid_t pid);
}  // namespace

// stat and cmdline are two reads: a process that execs between them would
// show the old comm with the new command line, and the host would replace
// its stand-in again on the next poll. Read again until comm holds still.
std::optional<v1::ProcessInfo> read_process_info(pid_t pid, const std::string& proc) {
  std::string dir = proc + "/" + std::to_string(pid);
  std::optional<v1::ProcessInfo> info;
  for (int attempt = 0; attempt < 3; ++attempt) {
    info = read_process_info_once(dir, pid);
    if (!info) return std::nullopt;
    auto stat = slurp(dir + "/stat");
    if (!stat) return std::nullopt;
    if (stat_comm(*stat) == info->comm()) return info;
  }
  return info;
}

namespace {
std::optional<v1::ProcessInfo> read_process_info_once(const std::string& dir, pid_t pid) {
  auto stat = slurp(dir + "/stat");
  if (!stat) return std::nullopt;
  v1::ProcessInfo info;
  info.set_pid(pid);
  // "pid (comm) state ppid ..." — comm may hold spaces and parentheses.
  auto comm = stat_comm(*stat);
  if (!comm) return std::nullopt;
  info.set_comm(*comm);
  std::istringstream rest(stat->substr(stat->rfind(')') + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 20) return std::nullopt;
  info.set_state(fields[0]);
  info.set_ppid(std::stoi(fields[1]));
  info.set_cpu_time_ticks(std::stoull(fields[11]) + std::stoull(fields[12]));  // utime + stime
  info.set_start_time_ticks(std::stoull(fields[19]));                          // starttime
  if (auto status = slurp(dir + "/status")) {
    std::istringstream lines(*status);
    for (std::string line; std::getline(lines, line);) {
      bool uid = line.rfind("Uid:", 0) == 0, gid = line.rfind("Gid:", 0) == 0;
      if (!uid && !gid) continue;
      std::istringstream real(line.substr(4));  // real, effective, saved, fs
      unsigned value = 0;
      real >> value;
      uid ? info.set_uid(value) : info.set_gid(value);
    }
  }
  // A process chooses its command line's size (megabytes): the host shows
  // kMaxCmdlineBytes at most, so no more crosses.
  if (auto cmdline = slurp(dir + "/cmdline", kMaxCmdlineBytes)) {
    std::string text = *cmdline;
    while (!text.empty() && text.back() == '\0') text.pop_back();
    if (!text.empty())
      for (size_t start = 0;;) {
        size_t end = text.find('\0', start);
        info.add_argv(text.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
      }
    for (char& c : text)
      if (c == '\0') c = ' ';
    info.set_cmdline(text);
  }
  return info;
}
}  // namespace

}  // namespace chrunc::agent
