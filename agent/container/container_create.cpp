// Container::create: the parent's side of making a container (see
// init_process.cpp for the child's).
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <optional>
#include <utility>

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

// The first `"pid"\s*:\s*-?[0-9]+` of `json`, as offset and length. By hand:
// std::regex took 50 ms of a create in a TCG guest.
std::optional<std::pair<size_t, size_t>> find_pid_member(const std::string& json) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t at = json.find("\"pid\""); at != std::string::npos;
       at = json.find("\"pid\"", at + 1)) {
    size_t i = at + 5;
    while (i < json.size() && is_space(json[i])) ++i;
    if (i == json.size() || json[i] != ':') continue;
    ++i;
    while (i < json.size() && is_space(json[i])) ++i;
    if (i < json.size() && json[i] == '-') ++i;
    const size_t digits = i;
    while (i < json.size() && is_digit(json[i])) ++i;
    if (i > digits) return std::make_pair(at, i - at);
  }
  return std::nullopt;
}

// The hooks' state JSON with the init's pid (as the caller sees it).
std::string state_with_pid(const CreateOptions& options, pid_t pid) {
  const std::string number = std::to_string(pid);
  if (options.state_json.empty())
    return R"({"ociVersion":")" + json_escape(options.spec.oci_version) + R"(","id":")" +
           json_escape(options.id) + R"(","status":"creating","pid":)" + number +
           R"(,"bundle":""})";
  if (auto member = find_pid_member(options.state_json)) {
    std::string out = options.state_json;
    out.replace(member->first, member->second, "\"pid\":" + number);
    return out;
  }
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
