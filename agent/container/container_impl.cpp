#include "agent/container/container_impl.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "agent/container/exec_process.hpp"
#include "common/error.hpp"

namespace chrunc::container {

int DirectReaper::wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waitpid " + std::to_string(pid));
  }
  return status;
}

UniqueFd open_pidfd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

constexpr int kOutputPipeBytes = 1 << 20;

void make_stdio_pipes(ProcessStdio& parent, UniqueFd child_ends[3]) {
  int fds[2];
  check_syscall(::pipe2(fds, O_CLOEXEC), "pipe for stdin");
  child_ends[0].reset(fds[0]);
  parent.stdin_write.reset(fds[1]);
  check_syscall(::pipe2(fds, O_CLOEXEC), "pipe for stdout");
  // A 1 MiB pipe lets the agent take a writer's output in 1 MiB chunks (one
  // gRPC message each) instead of 64 KiB ones: half the guest CPU per byte
  // under TCG (bench/ execio). Best effort: the default size still works.
  ::fcntl(fds[0], F_SETPIPE_SZ, kOutputPipeBytes);
  parent.stdout_read.reset(fds[0]);
  child_ends[1].reset(fds[1]);
  check_syscall(::pipe2(fds, O_CLOEXEC), "pipe for stderr");
  parent.stderr_read.reset(fds[0]);
  child_ends[2].reset(fds[1]);
}

ChildGuard::~ChildGuard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  try {
    reaper_.wait_status(pid_);
  } catch (...) {
  }
}

void ChildGuard::reap() {
  if (pid_ <= 0) return;
  pid_t pid = std::exchange(pid_, 0);
  reaper_.wait_status(pid);
}

ContainerImpl::~ContainerImpl() {
  try {
    destroy();
  } catch (...) {
  }
}

void ContainerImpl::start() {
  if (started_) throw Error("container " + id_ + " has already been started");
  if (destroyed_) throw Error("container " + id_ + " has been destroyed");
  started_ = true;
  try {
    channel_.send(SyncType::kStart);
  } catch (const Error&) {
    throw Error("start container " + id_ + ": its init has exited");
  }
  SyncMessage message;
  bool got = channel_.receive(message);
  channel_.close();
  if (got && message.type == SyncType::kError) throw Error(message.payload);
}

pid_t ContainerImpl::exec(const oci::Process& process, ProcessStdio& stdio) {
  if (destroyed_) throw Error("container " + id_ + " has been destroyed");
  ExecPlan plan{init_pid_, &process, spec_.linux ? &*spec_.linux : nullptr};
  ProcessStdio parent;
  UniqueFd child_ends[3];
  if (!process.terminal) make_stdio_pipes(parent, child_ends);
  auto [channel, child_channel] = SyncChannel::make_pair();
  ChildStdio child_stdio{child_ends[0].get(), child_ends[1].get(), child_ends[2].get()};

  pid_t intermediate = ::fork();
  if (intermediate < 0) throw_errno("fork for exec");
  if (intermediate == 0) run_exec_intermediate(plan, child_channel, child_stdio);
  ChildGuard process_guard(reaper_);
  ChildGuard intermediate_guard(reaper_);
  intermediate_guard.arm(intermediate);
  child_channel.close();
  for (auto& end : child_ends) end.reset();

  if (cgroup_) cgroup_->add_process(intermediate);
  channel.send(SyncType::kGo);
  SyncMessage pid_message = channel.expect(SyncType::kPid, "exec: join the container");
  pid_t pid = static_cast<pid_t>(std::stol(pid_message.payload));
  process_guard.arm(pid);
  intermediate_guard.reap();
  channel.send(SyncType::kGo);
  for (;;) {
    SyncMessage message;
    if (!channel.receive(message)) throw Error("exec: the process exited during set-up");
    if (message.type == SyncType::kError) throw Error(message.payload);
    if (message.type == SyncType::kPtyMaster) parent.pty_master = std::move(message.fd);
    if (message.type == SyncType::kReady) break;
  }
  channel.send(SyncType::kStart);
  SyncMessage message;
  if (channel.receive(message) && message.type == SyncType::kError) throw Error(message.payload);
  process_guard.dismiss();
  stdio = std::move(parent);
  return pid;
}

void ContainerImpl::signal(int signal, bool all) {
  if (all && cgroup_) return cgroup_->kill_all(signal);
  int rc = init_pidfd_ ? static_cast<int>(::syscall(SYS_pidfd_send_signal, init_pidfd_.get(),
                                                    signal, nullptr, 0))
                       : ::kill(init_pid_, signal);
  if (rc != 0) throw_errno("signal " + std::to_string(signal) + " to container " + id_);
}

Cgroup& ContainerImpl::require_cgroup(const char* operation) {
  if (!cgroup_)
    throw Error(std::string(operation) + ": container " + id_ +
                " has no cgroup (linux.cgroupsPath is empty)");
  return *cgroup_;
}

void ContainerImpl::pause() {
  require_cgroup("pause").freeze();
}
void ContainerImpl::resume() {
  require_cgroup("resume").thaw();
}
void ContainerImpl::update(const oci::Resources& resources) {
  require_cgroup("update").update(resources);
}
CgroupStats ContainerImpl::stats() {
  return require_cgroup("stats").stats();
}

std::vector<pid_t> ContainerImpl::pids() {
  if (cgroup_) return cgroup_->pids();
  return {init_pid_};
}

void ContainerImpl::wait_init_gone() {
  if (!init_pidfd_) return;
  pollfd pfd{init_pidfd_.get(), POLLIN, 0};
  while (::poll(&pfd, 1, 10000) < 0 && errno == EINTR) {
  }
}

void ContainerImpl::destroy() {
  if (destroyed_) return;
  destroyed_ = true;
  channel_.close();  // an init parked before execve exits on EOF
  std::string first_error;
  if (cgroup_) {
    try {
      cgroup_->kill_all(SIGKILL);
    } catch (const std::exception& e) {
      first_error = e.what();
    }
  }
  if (init_pidfd_)
    ::syscall(SYS_pidfd_send_signal, init_pidfd_.get(), SIGKILL, nullptr, 0);
  else if (init_pid_ > 0)
    ::kill(init_pid_, SIGKILL);
  wait_init_gone();
  if (cgroup_) {
    try {
      cgroup_->remove();
    } catch (const std::exception& e) {
      if (first_error.empty()) first_error = e.what();
    }
  }
  if (!first_error.empty()) throw Error("destroy container " + id_ + ": " + first_error);
}

}  // namespace chrunc::container
