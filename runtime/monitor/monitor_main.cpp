// The monitor's life: create the container (reporting on the ready fd), serve
// until its init exits, then tear the VM down and exit with its exit code.
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "common/error.hpp"
#include "common/log.hpp"
#include "oci/spec_parser.hpp"
#include "oci/state.hpp"
#include "oci/version.hpp"
#include "runtime/cli/lifecycle.hpp"
#include "runtime/host/host_namespaces.hpp"
#include "runtime/host/host_process.hpp"
#include "runtime/host/update_limits.hpp"
#include "runtime/monitor/control_socket.hpp"
#include "runtime/monitor/monitor.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "runtime/relays/stand_in_user.hpp"
#include "runtime/store/socket_dir.hpp"
#include "runtime/store/timing_log.hpp"
#include "vmm/host_config.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Signals forwarded to the container's init (plus SIGWINCH for the tty).
constexpr int kForwarded[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2,   SIGTERM, SIGALRM,
                              SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGVTALRM, SIGPROF, SIGWINCH};

void noop_handler(int) {}

pid_t host_pid() {
  char buf[32] = {};
  ssize_t n = ::readlink("/proc/self", buf, sizeof buf - 1);
  return n > 0 ? static_cast<pid_t>(std::atoi(buf)) : ::getpid();
}

}  // namespace

MonitorOptions parse_monitor_args(int argc, char** argv) {
  MonitorOptions o;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error("__monitor: " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--root") {
      o.root = value();
    } else if (a == "--ready-fd") {
      o.ready_fd = std::stoi(value());
    } else if (a == "--debug") {
      o.debug = true;
    } else if (a == "--log") {
      o.log_path = value();
    } else if (a == "--log-format") {
      o.log_format = value();
    } else if (o.id.empty()) {
      o.id = a;
    } else {
      throw Error("__monitor: unexpected argument " + a);
    }
  }
  if (o.root.empty() || o.id.empty()) throw Error("__monitor: --root and an id are required");
  return o;
}

Monitor::Monitor(MonitorOptions options)
    : options_(std::move(options)), store_(options_.root), dir_(store_.dir(options_.id)) {}

void Monitor::report_ready(const std::string& message) {
  if (options_.ready_fd < 0) return;
  ssize_t ignored = ::send(options_.ready_fd, message.data(), message.size(), MSG_NOSIGNAL);
  (void)ignored;
  ::close(options_.ready_fd);
  options_.ready_fd = -1;
}

void Monitor::report_warning(const std::string& line) {
  if (options_.ready_fd < 0) return;
  const std::string message = kMonitorWarning + line;
  ssize_t ignored = ::send(options_.ready_fd, message.data(), message.size(), MSG_NOSIGNAL);
  (void)ignored;
}

void Monitor::warn_cold(const std::string& why) {
  const std::string line = "warm pool: " + why + "; booting the VM cold";
  log_warn(line);
  report_warning(line);
}

void Monitor::report_pool_refill() {
  if (options_.ready_fd < 0) return;
  const std::string message = kMonitorPoolRefill;
  ssize_t ignored = ::send(options_.ready_fd, message.data(), message.size(), MSG_NOSIGNAL);
  (void)ignored;
}

void Monitor::wait_for_create_hooks() {
  if (options_.ready_fd < 0) return;
  const std::string ready = kMonitorNamespacesReady;
  if (::send(options_.ready_fd, ready.data(), ready.size(), MSG_NOSIGNAL) < 0)
    throw_errno("send " + ready + " to create");
  char answer[16];
  ssize_t n;
  do {
    n = ::recv(options_.ready_fd, answer, sizeof answer, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0 || std::string(answer, static_cast<size_t>(n)) != kMonitorGo)
    throw Error("create stopped before the VM was booted");
}

void Monitor::set_status(Status status, std::optional<int> exit_code) {
  std::lock_guard lock(mutex_);
  // Saved first: a failed save (a full state root) leaves the status the
  // monitor answers with and the one `state` reads the same.
  ContainerRecord next = record_;
  next.status = status;
  if (exit_code) next.exit_code = exit_code;
  store_.save(next);
  record_ = std::move(next);
}

Status Monitor::status() {
  std::lock_guard lock(mutex_);
  return record_.status;
}

void Monitor::create() {
  timing_mark(dir_, "monitor-started");
  record_ = store_.load(options_.id);
  spec_ = oci::load_spec(dir_ / "config.json");

  // Signals: forwarded ones arrive on a signalfd (with a no-op handler, so
  // that a pid-namespace init still receives them); no SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) {
    struct sigaction sa {};
    sa.sa_handler = noop_handler;
    ::sigaction(sig, &sa, nullptr);
    sigaddset(&set, sig);
  }
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) throw_errno("sigprocmask");
  signal_fd_ = UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd_) throw_errno("signalfd");
  wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) throw_errno("eventfd");

  // Its own session, away from the caller's terminal signals; the host pty
  // (terminal mode) becomes its controlling terminal, for SIGWINCH.
  ::setsid();
  bool terminal = spec_.process && spec_.process->terminal;
  if (terminal && ::isatty(stdio_[0].get())) ::ioctl(stdio_[0].get(), TIOCSCTTY, 0);

  // Read in the host's /proc, which enter_monitor_namespaces may cover.
  record_.monitor_pid = host_pid();
  record_.monitor_start_time = process_start_time(record_.monitor_pid);
  host_proc_ = UniqueFd(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const auto stand_in_helper = StandIns::default_helper();
  // Resolved in the host's mount namespace, before the spec's is joined:
  // the VMM, image and KVM verdict, and the stand-ins' user (host passwd).
  const VmHost vm_host = resolve_vm_host();
  if (std::string warning = fallback_warning(vm_host.backend); !warning.empty()) {
    log_warn(warning);
    report_warning(warning);
  }
  const HostIdentity stand_in_user = stand_in_identity_for_monitor(vm_host.config.stand_in_user);
  disks_ = open_host_block_devices(spec_);
  // A warm standby when one serves this container (runtime/pool/claim.hpp):
  // claimed here, in the host's namespaces, handed the container once its
  // share exists. Any failure: one warning, and the VM boots cold.
  std::unique_ptr<pool::ClaimedStandby> standby;
  const pool::WarmFit fit = pool::warm_fit(spec_, vm_host, options_.debug, !disks_.empty());
  if (fit.reason.empty()) {
    try {
      standby = pool::ClaimedStandby::take(vm_host.config.pool, fit.shape);
    } catch (const std::exception& e) {
      warn_cold(e.what());
    }
    // create starts a replacement (or the first) standby once it is done.
    report_pool_refill();
  }
  enter_monitor_namespaces(spec_);

  std::string cgroup_path =
      cgroup_relative_path(spec_.linux ? spec_.linux->cgroups_path : "", options_.id);
  // The spec's resources, a memory limit under the VM's floor raised to it
  // (update_limits.hpp; `create` has told the caller).
  std::optional<oci::Resources> host_resources;
  if (spec_.linux && spec_.linux->resources)
    host_resources = host_resources_at_create(spec_).resources;
  cgroup_.emplace(HostCgroup::create(cgroup_path, host_resources));
  cgroup_->add_process(0);
  record_.cgroups_path = cgroup_path;
  store_.save(record_);
  wait_for_create_hooks();
  // The interfaces the hooks (or the engine, beforehand) put in the network
  // namespace, carried into the VM.
  network_ = HostNetwork::plumb(spec_, dir_);
  timing_mark(dir_, "network-plumbed");
  if (standby && !network_->nics().empty()) {
    standby.reset();
    warn_cold("the container has network interfaces and standbys have no NICs");
  }

  oci::State state;
  state.oci_version = oci::kSpecVersion;
  state.id = options_.id;
  state.status = "creating";
  state.pid = record_.monitor_pid;
  state.bundle = record_.bundle.string();
  state.annotations = record_.annotations;
  BootRequest request{
      options_.id,    spec_,          record_.bundle, dir_,   oci::write_state_compact(state),
      options_.debug, network_.get(), &vm_host,       &disks_};
  request.cgroup_path = cgroup_path;
  if (standby) {
    bool standby_failed = false;
    try {
      vm_ = VmSession::adopt(request, std::move(standby), standby_failed);
    } catch (const std::exception& e) {
      if (!standby_failed) throw;
      warn_cold(e.what());
    }
  }
  if (!vm_) vm_ = VmSession::boot(request);
  disks_.clear();  // the VMM has its own fds of them now
  // The VMM's host identity: `delete` ends it from the host if this monitor
  // cannot (host_process.hpp).
  if (auto vmm = vm_->standby_vmm() ? vm_->standby_vmm()
                 : host_proc_
                     ? find_host_child(host_proc_.get(), record_.monitor_pid, vm_->vmm_pid())
                     : std::nullopt) {
    record_.vmm_pid = vmm->pid;
    record_.vmm_start_time = vmm->start_time;
  } else {
    log_warn("container " + options_.id + ": the VMM's host pid was not found");
  }
  host_proc_.reset();
  dns_ = start_dns_relay(spec_, record_.bundle, vm_->agent());

  processes_ = std::make_unique<GuestProcessWatch>(vm_->agent(), options_.id, stand_in_helper,
                                                   stand_in_user);
  listen_ = listen_unix_socket(make_socket_dir(dir_) / "monitor.sock");
  output_ = std::make_unique<OutputRelay>(vm_->agent(), options_.id, "", stdio_[1].get(),
                                          stdio_[2].get());
  stdin_ = std::make_unique<StdinRelay>(vm_->agent(), options_.id, "", stdio_[0].get());
  agent_calls_ = std::make_unique<BoundedWorker>(kAgentCallQueue);
  // The initial size: the console size asked for, or the caller's terminal (run -t).
  if (terminal) handle_signal(SIGWINCH);

  std::thread([this] {
    int code;
    try {
      auto r = vm_->agent().wait_process(options_.id, "");
      code = r.signal() != 0 ? 128 + r.signal() : r.exit_code();
      container_synced_ = r.container_synced();
    } catch (const std::exception& e) {
      log_warn(std::string("container ") + options_.id + ": lost the VM: " + e.what());
      code = 128 + SIGKILL;
    }
    exit_code_ = code;
    exited_ = true;
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_.get(), &one, sizeof one);
    (void)ignored;
  }).detach();

  {
    std::lock_guard lock(mutex_);
    record_.status = Status::kCreated;
    store_.save(record_);
  }
  cgroup_->keep();
}

int Monitor::finish() {
  if (!exited_) exit_code_ = 128 + SIGKILL;
  listen_.reset();
  ::unlink((socket_dir_path(dir_) / "monitor.sock").c_str());
  if (output_) output_->finish(exited_ && !shutdown_requested_ ? 5s : 500ms);
  if (processes_) processes_->stop();
  try {
    set_status(Status::kStopped, exit_code_.load());
  } catch (const Error& e) {
    // The teardown goes on; `state` says stopped once the monitor is gone.
    log_warn("container " + options_.id + ": " + e.what());
  }
  timing_mark(dir_, "exited");
  // The queued calls are dropped; the ones under way (the worker's, the
  // requests') end by their deadlines, before the agent client goes.
  closing_ = true;
  if (agent_calls_) agent_calls_->stop(agent::kControlCallTimeout + 2s);
  if (!requests_.wait_idle(agent::kControlCallTimeout + 2s))
    log_warn("container " + options_.id + ": requests still under way at teardown");
  dns_.reset();
  vm_->teardown(container_synced_);
  network_.reset();
  timing_mark(dir_, "torn-down");
  return exit_code_;
}

// Keeps the container's stdio on fds above 2 and points 0-2 at the log.
void Monitor::take_stdio() {
  for (int i = 0; i < 3; ++i) stdio_[i] = UniqueFd(::fcntl(i, F_DUPFD_CLOEXEC, 3));
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int log_fd =
      ::open((dir_ / "monitor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (null_fd >= 0) ::dup2(null_fd, 0), ::close(null_fd);
  if (log_fd >= 0) ::dup2(log_fd, 1), ::dup2(log_fd, 2), ::close(log_fd);
}

int Monitor::run() {
  take_stdio();
  try {
    configure_logging(
        options_.log_path.empty() ? (dir_ / "monitor.log").string() : options_.log_path,
        options_.log_format, options_.debug);
  } catch (const Error&) {
  }
  try {
    create();
  } catch (const std::exception& e) {
    std::string message = e.what();
    log_error(message);
    if (agent_calls_) agent_calls_->stop(agent::kControlCallTimeout + 2s);
    dns_.reset();
    vm_.reset();
    network_.reset();
    cgroup_.reset();
    ::unlink((socket_dir_path(dir_) / "monitor.sock").c_str());
    report_ready(message.empty() ? "create failed" : message);
    return 1;
  }
  report_ready("ok");
  serve();
  return finish();
}

int monitor_main(int argc, char** argv) {
  MonitorOptions options;
  try {
    options = parse_monitor_args(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  // Objects are not destroyed: detached threads may still use them.
  auto* monitor = new Monitor(std::move(options));
  int code = monitor->run();
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace chrunc::runtime
