#include "agent/container/process_exec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/container/security/capabilities.hpp"
#include "agent/container/security/no_new_privs.hpp"
#include "agent/container/security/oom_score.hpp"
#include "agent/container/security/process_attributes.hpp"
#include "agent/container/security/rlimits.hpp"
#include "agent/container/security/seccomp.hpp"
#include "agent/container/security/user.hpp"
#include "common/error.hpp"

namespace chrunc::container {
namespace {

bool executable_file(const std::string& path, int& err) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    err = errno;
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    err = EISDIR;
    return false;
  }
  if (::access(path.c_str(), X_OK) != 0) {
    err = errno;
    return false;
  }
  return true;
}

// strerror's text as Go prints an errno ("no such file or directory",
// "permission denied"): docker and podman look for exactly these words in a
// runtime's error to answer 127 (command not found) or 126 (not executable).
std::string errno_text_as_go(int err) {
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' && (text.size() < 2 || text[1] > 'Z'))
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

std::vector<char*> c_strings(std::vector<std::string>& values) {
  std::vector<char*> out;
  for (auto& v : values) out.push_back(v.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
  if (name.empty()) throw Error("exec: process.args is empty");
  int err = 0;
  if (name.find('/') != std::string::npos) {
    if (executable_file(name, err)) return name;
    throw Error("exec: \"" + name + "\": stat " + name + ": " + errno_text_as_go(err), err);
  }
  std::string path;
  for (const auto& entry : env)
    if (entry.starts_with("PATH=")) path = entry.substr(5);
  size_t start = 0;
  while (!path.empty() && start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (executable_file(candidate, err)) return candidate;
    start = end + 1;
  }
  throw Error("exec: \"" + name + "\": executable file not found in $PATH", ENOENT);
}

void finish_and_exec(const oci::Process& process,
                     const std::optional<oci::Personality>& personality,
                     const std::optional<oci::Seccomp>& seccomp, SyncChannel& channel,
                     const std::function<void()>& before_exec) {
  apply_rlimits(process.rlimits);
  apply_oom_score_adj(process.oom_score_adj);
  apply_io_priority(process.io_priority);
  apply_scheduler(process.scheduler);
  apply_personality(personality);
  // Without noNewPrivileges the filter needs CAP_SYS_ADMIN: load it while
  // still root; with it, as late as possible (runc's order).
  if (!process.no_new_privileges) load_seccomp(seccomp);
  prepare_keep_capabilities();
  switch_user(process.user);
  if (!process.cwd.empty() && ::chdir(process.cwd.c_str()) != 0)
    throw_errno("chdir to cwd " + process.cwd);
  apply_capabilities(process.capabilities);
  apply_no_new_privileges(process.no_new_privileges);
  std::string program = find_executable(process.args.empty() ? "" : process.args[0], process.env);

  channel.send(SyncType::kReady);
  SyncMessage message;
  if (!channel.receive(message) || message.type != SyncType::kStart)
    ::_exit(1);  // the caller went away
  if (process.no_new_privileges) load_seccomp(seccomp);
  before_exec();
  std::vector<std::string> args = process.args;
  std::vector<std::string> env = process.env;
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  ::execve(program.c_str(), argv.data(), envp.data());
  throw_errno("exec \"" + process.args[0] + "\"");
}

}  // namespace chrunc::container
