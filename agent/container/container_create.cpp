// Container::create: the parent's side of making a container (see
// init_process.cpp for the child's).
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <regex>

#include "agent/container/container_impl.hpp"
#include "agent/container/init_process.hpp"
#include "agent/container/namespaces.hpp"
#include "common/error.hpp"

namespace chrunc::container {
namespace {

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out;
}

// The hooks' state JSON with the init's pid (as the caller sees it).
std::string state_with_pid(const CreateOptions& options, pid_t pid) {
  const std::string number = std::to_string(pid);
  if (options.state_json.empty())
    return R"({"ociVersion":")" + json_escape(options.spec.oci_version) + R"(","id":")" +
           json_escape(options.id) + R"(","status":"creating","pid":)" + number +
           R"(,"bundle":""})";
  static const std::regex pid_member(R"("pid"\s*:\s*-?[0-9]+)");
  if (std::regex_search(options.state_json, pid_member))
    return std::regex_replace(options.state_json, pid_member, "\"pid\":" + number,
                              std::regex_constants::format_first_only);
  size_t brace = options.state_json.find('{');
  if (brace == std::string::npos) return options.state_json;
  std::string out = options.state_json;
  out.insert(brace + 1, "\"pid\":" + number + ",");
  return out;
}

// Removes the cgroup on the error path (after the processes are gone).
struct CgroupGuard {
  std::optional<Cgroup>* cgroup;
  bool armed = true;
  ~CgroupGuard() {
    if (!armed || !*cgroup) return;
    try {
      (*cgroup)->kill_all(SIGKILL);
      (*cgroup)->remove();
    } catch (...) {
    }
  }
};

}  // namespace

std::unique_ptr<Container> Container::create(CreateOptions options, ProcessReaper& reaper) {
  const oci::Spec& spec = options.spec;
  if (!spec.root || spec.root->path.empty()) throw Error("root.path is required");
  char real[PATH_MAX];
  if (!::realpath(spec.root->path.c_str(), real)) throw_errno("rootfs " + spec.root->path);

  InitPlan plan;
  plan.spec = &spec;
  plan.rootfs = real;
  plan.no_pivot = options.no_pivot;
  plan.cgroup_root = options.cgroup_root;
  if (spec.linux)
    for (const auto& ns : spec.linux->namespaces)
      plan.new_user_ns |= (ns.type == "user" && ns.path.empty());

  auto container = std::make_unique<ContainerImpl>(options.id, spec, reaper);
  std::optional<Cgroup> cgroup;
  CgroupGuard cgroup_guard{&cgroup};
  if (spec.linux && !spec.linux->cgroups_path.empty())
    cgroup.emplace(
        Cgroup::create(options.cgroup_root, spec.linux->cgroups_path, spec.linux->resources));

  ProcessStdio stdio;
  UniqueFd child_ends[3];
  if (!(spec.process && spec.process->terminal)) make_stdio_pipes(stdio, child_ends);
  auto [channel, child_channel] = SyncChannel::make_pair();
  ChildStdio child_stdio{child_ends[0].get(), child_ends[1].get(), child_ends[2].get()};

  pid_t intermediate = ::fork();
  if (intermediate < 0) throw_errno("fork the container's intermediate process");
  if (intermediate == 0) run_intermediate(plan, child_channel, child_stdio);
  ChildGuard init_guard(reaper);
  ChildGuard intermediate_guard(reaper);
  intermediate_guard.arm(intermediate);
  child_channel.close();
  for (auto& end : child_ends) end.reset();

  if (cgroup) cgroup->add_process(intermediate);
  channel.send(SyncType::kGo);
  SyncMessage pid_message = channel.expect(SyncType::kPid, "clone the container's init");
  pid_t init_pid = static_cast<pid_t>(std::stol(pid_message.payload));
  init_guard.arm(init_pid);
  intermediate_guard.reap();
  UniqueFd pidfd = open_pidfd(init_pid);

  if (plan.new_user_ns) write_id_mappings(init_pid, *spec.linux);
  channel.send(SyncType::kGo, state_with_pid(options, init_pid));
  for (;;) {
    SyncMessage message;
    if (!channel.receive(message)) throw Error("create: the container's init exited during set-up");
    if (message.type == SyncType::kError) throw Error(message.payload, 0);
    if (message.type == SyncType::kPtyMaster) stdio.pty_master = std::move(message.fd);
    if (message.type == SyncType::kReady) break;
  }

  init_guard.dismiss();
  cgroup_guard.armed = false;
  container->init_pid_ = init_pid;
  container->init_pidfd_ = std::move(pidfd);
  container->channel_ = std::move(channel);
  container->stdio_ = std::move(stdio);
  container->cgroup_ = std::move(cgroup);
  return container;
}

}  // namespace chrunc::container
