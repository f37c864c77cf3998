// `create`: validate the bundle, reserve the id, fork the monitor and wait
// until it says the container is created (or why not).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/error.hpp"
#include "common/exec_args.hpp"
#include "common/log.hpp"
#include "common/private_file.hpp"
#include "oci/spec_parser.hpp"
#include "oci/spec_validator.hpp"
#include "runtime/cli/console_socket.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/cli/hooks.hpp"
#include "runtime/cli/lifecycle_common.hpp"
#include "runtime/cli/pid_file.hpp"
#include "runtime/host/host_cgroup.hpp"
#include "runtime/host/host_namespaces.hpp"
#include "runtime/host/update_limits.hpp"
#include "runtime/pool/detached_spawn.hpp"
#include "runtime/store/container_status.hpp"
#include "runtime/store/timing_log.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string rfc3339_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  ::gmtime_r(&ts.tv_sec, &utc);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return buf;
}

// The monitor's end of the ready channel (--preserve-fds is refused:
// refuse_passed_fds).
constexpr int kReadyFd = 3;

struct ExecPlan {
  std::string program;  // the monitor binary
  std::vector<std::string> args;
  std::vector<std::string> env;
  int stdio[3] = {0, 1, 2};
  int ready = -1;
};

// In the child: only async-signal-safe calls. Lays the fds out as
// 0-2 stdio, 3 the ready pipe, closes the rest, execs.
[[noreturn]] void exec_monitor(ExecPlan& plan, char** argv, char** envp) {
  int ready_target = kReadyFd;
  int floor = ready_target + 1;
  int ready = ::fcntl(plan.ready, F_DUPFD_CLOEXEC, floor);
  int stdio[3];
  for (int i = 0; i < 3; ++i)
    stdio[i] = plan.stdio[i] == i ? i : ::fcntl(plan.stdio[i], F_DUPFD_CLOEXEC, floor);
  for (int i = 0; i < 3; ++i)
    if (stdio[i] != i) ::dup2(stdio[i], i);
  ::dup2(ready, ready_target);
  ::close_range(static_cast<unsigned>(floor), ~0U, 0);
  for (int fd = 0; fd <= ready_target; ++fd) ::fcntl(fd, F_SETFD, 0);
  ::execve(plan.program.c_str(), argv, envp);
  const char msg[] = "exec of the container monitor (ch-runc-monitor) failed";
  ssize_t ignored = ::write(ready_target, msg, sizeof msg - 1);
  (void)ignored;
  ::_exit(127);
}

// The longest create waits for one answer of its monitor: a hang guard far
// above what the monitor's own deadlines allow (the KVM probe, boot_timeout,
// the container's creation), for a monitor that is stopped or wedged.
constexpr int kMonitorAnswerTimeoutMs = 600 * 1000;

// One message of the ready channel; empty at EOF. The monitor's warnings
// (kMonitorWarning) on the way are printed on stderr, each once.
std::string receive_message(int fd, bool& pool_refill) {
  std::string buf(65536, '\0');
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, kMonitorAnswerTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0)
      throw Error("container monitor did not answer within " +
                  std::to_string(kMonitorAnswerTimeoutMs / 1000) + " s");
    buf.resize(65536);
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (buf == kMonitorPoolRefill) {
      pool_refill = true;
      continue;
    }
    if (buf.starts_with(kMonitorWarning)) {
      log_warn(buf.substr(std::strlen(kMonitorWarning)));
      continue;
    }
    return buf;
  }
}

// `ch-runc-monitor pool fill --quiet --refill`, detached from the caller's session,
// stdio and fds: the standby the monitor may have taken is replaced.
void refill_pool() noexcept {
  try {
    pool::spawn_detached(monitor_binary().string(),
                         {kMonitorBinary, "pool", "fill", "--quiet", "--refill"},
                         pool::helper_environment());
  } catch (const std::exception& e) {
    log_debug(std::string("pool fill: ") + e.what());
  }
}

}  // namespace

pid_t create_with_monitor(const GlobalOptions& global, const CreateOptions& options,
                          bool foreground) {
  validate_container_id(options.id);
  refuse_passed_fds(options.preserve_fds, true);
  const fs::path bundle = fs::absolute(options.bundle).lexically_normal();
  const fs::path config_path = bundle / "config.json";
  oci::Spec spec = oci::load_spec(config_path);
  oci::validate_spec(spec);
  if (std::string note = host_resources_at_create(spec).note; !note.empty()) log_warn(note);
  const bool terminal = spec.process && spec.process->terminal;
  if (terminal && options.console_socket.empty() && !foreground)
    throw Error("cannot allocate tty if runc will detach without setting console socket");
  if (!terminal && !options.console_socket.empty())
    throw Error("cannot use console socket if runc will not detach or allocate tty");

  StateStore store = open_store(global);
  ContainerLock lock = store.reserve(options.id);
  const fs::path dir = store.dir(options.id);
  timing_mark(dir, "create");
  pid_t child = -1;
  bool pool_refill = false;
  try {
    // The state copy is the runtime's: 0600 whatever the bundle's mode.
    copy_to_private_file(config_path, dir / "config.json");
    ContainerRecord record;
    record.id = options.id;
    record.bundle = bundle;
    fs::path root = spec.root ? fs::path(spec.root->path) : fs::path("rootfs");
    record.rootfs = (root.is_relative() ? bundle / root : root).lexically_normal();
    record.status = Status::kCreating;
    record.created = rfc3339_now();
    record.annotations = spec.annotations;
    store.save(record);

    // The terminal: a host pty whose master goes to the console socket.
    HostPty pty;
    ExecPlan plan;
    if (terminal && !options.console_socket.empty()) {
      unsigned rows = 0, cols = 0;
      if (spec.process->console_size)
        rows = spec.process->console_size->height, cols = spec.process->console_size->width;
      pty = open_host_pty(rows, cols);
      send_fd_to_console_socket(options.console_socket, pty.master.get(), pty.slave_name);
      pty.master.reset();
      for (int& fd : plan.stdio) fd = pty.slave.get();
    }
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
      throw_errno("socketpair");
    UniqueFd ready_read(pair[0]), ready_write(pair[1]);
    plan.ready = ready_write.get();
    plan.program = monitor_binary().string();
    plan.args = {kMonitorBinary, kMonitorCommand,
                 "--root",       fs::absolute(store.root()).string(),
                 "--ready-fd",   std::to_string(kReadyFd)};
    if (global.debug) plan.args.push_back("--debug");
    if (!global.log_path.empty()) {
      plan.args.insert(plan.args.end(), {"--log", fs::absolute(global.log_path).string(),
                                         "--log-format", global.log_format});
    }
    plan.args.push_back(options.id);
    plan.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    for (const char* name : {"CHRUNC_CONFIG"})
      if (const char* v = std::getenv(name)) plan.env.push_back(std::string(name) + "=" + v);
    auto argv = c_strings(plan.args);
    auto envp = c_strings(plan.env);
    {
      PidNamespaceForChild pid_namespace(spec);
      child = ::fork();
      if (child < 0) throw_errno("fork");
      if (child == 0) exec_monitor(plan, argv.data(), envp.data());
    }
    ready_write.reset();
    pty.slave.reset();
    std::string answer = receive_message(ready_read.get(), pool_refill);
    if (answer == kMonitorNamespacesReady) {
      // Before the VM boots: hooks may fill the network namespace the VM's
      // NICs are made from (see kMonitorNamespacesReady).
      record = store.load(options.id);
      if (spec.hooks) {
        std::string state = oci::write_state_compact(record_state(record, Status::kCreating));
        // runc's order; createContainer hooks run here too (see spec_rewrite.hpp).
        run_hooks(spec.hooks->prestart, state, "prestart");
        run_hooks(spec.hooks->create_runtime, state, "createRuntime");
        run_hooks(spec.hooks->create_container, state, "createContainer");
      }
      if (::send(ready_read.get(), kMonitorGo, std::strlen(kMonitorGo), MSG_NOSIGNAL) < 0)
        throw_errno("container monitor: send go");
      answer = receive_message(ready_read.get(), pool_refill);
    }
    if (answer != "ok") {
      int status = 0;
      ::waitpid(child, &status, 0);
      child = -1;
      if (answer.empty()) {
        answer =
            WIFSIGNALED(status)
                ? "container monitor killed by signal " + std::to_string(WTERMSIG(status))
                : "container monitor exited with status " + std::to_string(WEXITSTATUS(status));
      }
      throw Error(answer);
    }
    if (!options.pid_file.empty()) write_pid_file(options.pid_file, child);
    if (pool_refill) refill_pool();
  } catch (...) {
    try {
      ContainerRecord record = store.load(options.id);
      if (child > 0) {
        // The monitor is up: have it tear the VM down, then clean what is left.
        try {
          call_monitor(dir, "shutdown");
        } catch (const Error&) {
        }
        int status;
        for (int i = 0; i < 500 && ::waitpid(child, &status, WNOHANG) == 0; ++i) ::usleep(20000);
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
      }
      if (!record.cgroups_path.empty()) HostCgroup::destroy(record.cgroups_path);
    } catch (const Error&) {
    }
    try {
      store.remove(options.id);
    } catch (const Error&) {
    }
    throw;
  }
  return child;
}

void create_container(const GlobalOptions& global, const CreateOptions& options) {
  create_with_monitor(global, options, false);
}

}  // namespace chrunc::runtime
