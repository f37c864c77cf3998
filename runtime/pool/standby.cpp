#include "runtime/pool/standby.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/transport_names.hpp"
#include "common/error.hpp"
#include "common/fd_passing.hpp"
#include "common/log.hpp"
#include "runtime/host/cpu_priority.hpp"
#include "runtime/host/host_cgroup.hpp"
#include "runtime/monitor/boot_slots.hpp"
#include "runtime/monitor/monitor_boot.hpp"
#include "runtime/monitor/spec_rewrite.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "runtime/monitor/vm_sizing.hpp"
#include "runtime/pool/claim.hpp"
#include "runtime/pool/pool_dir.hpp"
#include "runtime/pool/standby_wire.hpp"
#include "runtime/store/state_store.hpp"
#include "vmm/boot_image_pageout.hpp"
#include "vmm/hypervisor.hpp"
#include "vmm/virtiofsd.hpp"

#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

namespace chrunc::runtime::pool {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kLockWait = 30s;
constexpr auto kBootSlotWait = std::chrono::seconds(600);

int move_mount_fd(int from, const fs::path& to) {
  return static_cast<int>(
      ::syscall(SYS_move_mount, from, "", AT_FDCWD, to.c_str(), MOVE_MOUNT_F_EMPTY_PATH));
}

UniqueFd listen_seqpacket(const fs::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof address.sun_path)
    throw Error("path too long: " + path.string());
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ::unlink(path.c_str());
  mode_t old = ::umask(077);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::umask(old);
  if (rc != 0) throw_errno("bind " + path.string());
  if (::chmod(path.c_str(), 0600) != 0) throw_errno("chmod " + path.string());
  if (::listen(fd.get(), 4) != 0) throw_errno("listen " + path.string());
  return fd;
}

bool peer_allowed(int fd) {
  ucred cred{};
  socklen_t length = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) return false;
  return cred.uid == 0 || cred.uid == ::geteuid();
}

ProcessIdentity identity(pid_t pid) {
  return {pid, pid > 0 ? process_start_time(pid) : 0};
}

std::string field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key + " ")) return line.substr(key.size() + 1);
  return "";
}

// Waits until the guest's console says the agent serves (read from the
// console log the VMM writes, bounded); throws past `limit` or when the VMM
// exits.
void wait_serving_line(vmm::Hypervisor& hypervisor, const fs::path& console_log,
                       std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  const std::string line = agent::kStandbyServingLine;
  for (;;) {
    {
      std::ifstream in(console_log);
      std::string text;
      while (std::getline(in, text))
        if (text.find(line) != std::string::npos) return;
    }
    if (!hypervisor.alive()) throw Error("the VM exited while booting");
    if (std::chrono::steady_clock::now() > until)
      throw Error("the agent did not serve within " + std::to_string(limit.count()) + " s");
    std::this_thread::sleep_for(50ms);
  }
}

class Standby {
 public:
  Standby(fs::path pool_dir, std::string name, bool background)
      : pool_(std::move(pool_dir)),
        name_(std::move(name)),
        background_(background),
        vm_dir_(pool_.vm_dir(name_)),
        share_(vm_dir_ / "share") {}

  int run();

 private:
  void check_registered();
  void boot();
  // The claimer's connection; nullopt when the standby must end (its slot
  // was drained or its VM died).
  std::optional<UniqueFd> wait_for_claim();
  void serve(UniqueFd connection);
  void stop_vm() noexcept;
  void forget_slot() noexcept;
  // A background standby (a refill) runs at kBackgroundNice until claimed.
  void raise_cpu_priority() noexcept;
  // Pages the boot images out of the VMM (boot_image_pageout.hpp). The
  // kernel skips pages another VMM maps too (one booting at that moment: a
  // refill, a cold boot), so it is done again while waiting and at the claim.
  void page_out() noexcept { vmm::page_out_mapped_images(hypervisor_->pid(), boot_images_); }

  PoolDir pool_;
  std::string name_;
  bool background_ = false;
  fs::path vm_dir_, share_;
  StandbyRecord record_;
  VmHost host_;
  vmm::VirtiofsDaemon virtiofsd_;
  std::unique_ptr<vmm::Hypervisor> hypervisor_;
  std::vector<vmm::MappedImage> boot_images_;
  UniqueFd listen_;
};

void Standby::check_registered() {
  // The spawner holds the lock until it has written our record.
  PoolLock lock = pool_.lock(kLockWait);
  auto slot = pool_.find(name_);
  if (!slot || !slot->record || slot->record->standby.pid != ::getpid())
    throw Error("standby " + name_ + ": not registered in " + pool_.path().string());
  record_ = *slot->record;
}

void Standby::boot() {
  host_ = resolve_vm_host();
  const vmm::HostConfig& config = host_.config;
  if (host_.backend.kind == vmm::BackendChoice::Kind::CloudHypervisor)
    throw Error("standbys boot QEMU VMs only");
  if (record_.shape.hypervisor != shape_hypervisor(host_))
    throw Error("the host's backend is " + shape_hypervisor(host_) + ", not " +
                record_.shape.hypervisor);

  // Its own mount namespace: the share and, later, the container's mounts
  // on it are nobody else's.
  if (::unshare(CLONE_NEWNS) != 0) throw_errno("unshare mount namespace");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    throw_errno("mount --make-rslave /");
  if (::mkdir(share_.c_str(), 0700) != 0) throw_errno("mkdir " + share_.string());
  if (::mount(share_.c_str(), share_.c_str(), nullptr, MS_BIND, nullptr) != 0)
    throw_errno("bind " + share_.string());
  if (::mount(nullptr, share_.c_str(), nullptr, MS_SHARED, nullptr) != 0)
    throw_errno("mount --make-shared " + share_.string());
  if (::mkdir((share_ / kStandbyShareSubdir).c_str(), 0700) != 0)
    throw_errno("mkdir " + (share_ / kStandbyShareSubdir).string());

  vmm::VirtiofsOptions fs_options;
  fs_options.binary = config.virtiofsd_binary;
  fs_options.extra_args = config.virtiofsd_extra_args;
  virtiofsd_ = vmm::VirtiofsDaemon::start(
      share_, vm_dir_ / ("virtiofs-" + std::string(kShareTag) + ".sock"), false, fs_options);

  unsigned host_cpus = std::max(1u, std::thread::hardware_concurrency());
  VmSize size = size_vm(oci::Spec{}, record_.shape.vcpus, record_.shape.memory_mib, host_cpus);
  vmm::VmConfig vm = base_vm_config(host_, size);
  vm.tcg_tb_mib = record_.shape.tcg_cache_mib;  // the pool's, not the host's: host_config.hpp
  vm.filesystems = {{kShareTag, virtiofsd_.socket_path()}};
  vm.work_dir = vm_dir_;
  vm.console_log = vm_dir_ / "console.log";
  vm.kernel_cmdline_extra = agent::kStandbyCmdlineFlag;
  hypervisor_ = vmm::make_hypervisor(host_.backend, config);
  BootSlot slot;
  if (host_.backend.kind == vmm::BackendChoice::Kind::QemuTcg)
    slot = BootSlot::acquire(host_cpus, kBootSlotWait);
  const auto limit = std::chrono::seconds(config.boot_timeout_s);
  // As a cold boot does (boot_image_pageout.hpp): taken before the VMM maps them.
  boot_images_ = {vmm::mapped_image_of(vm.kernel), vmm::mapped_image_of(vm.initramfs)};
  hypervisor_->boot(vm);
  record_.vmm = identity(hypervisor_->pid());
  record_.virtiofsd = identity(virtiofsd_.pid());
  if (auto slot = pool_.find(name_)) pool_.update_record(*slot, record_);
  // The agent says on the console when it serves (kStandbyServingLine);
  // nobody connects before the claimer.
  wait_serving_line(*hypervisor_, vm.console_log, limit);
  log_info("standby " + name_ + ": agent serving");
  slot.release();
  page_out();
}

std::optional<UniqueFd> Standby::wait_for_claim() {
  {
    PoolLock lock = pool_.lock(kLockWait);
    auto slot = pool_.find(name_);
    if (!slot || slot->state != SlotState::kBooting) return std::nullopt;  // drained
    listen_ = listen_seqpacket(slot->dir / kClaimSocket);
    pool_.mark_ready(lock, *slot);
  }
  for (;;) {
    pollfd p{listen_.get(), POLLIN, 0};
    int n = ::poll(&p, 1, 1000);
    if (n < 0 && errno != EINTR) throw_errno("poll claim.sock");
    if (!hypervisor_->alive() || !virtiofsd_.running()) {
      log_warn("standby " + name_ + ": the VM or virtiofsd exited while waiting");
      return std::nullopt;
    }
    if (n <= 0) {
      page_out();
      continue;
    }
    UniqueFd connection(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection) continue;
    if (!peer_allowed(connection.get())) {
      log_warn("standby " + name_ + ": refused a claim from another user");
      continue;
    }
    listen_.reset();
    return connection;
  }
}

void Standby::serve(UniqueFd connection) {
  std::string request(kWireMax, '\0');
  ReceivedData got = receive_with_fds(connection.get(), request, 1, "receive the claim");
  request.resize(got.bytes);
  auto refuse = [&](const std::string& why) {
    const std::string answer = "error " + why + "\n";
    ::send(connection.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
    throw Error("claim refused: " + why);
  };
  if (got.bytes == 0) throw Error("the claimer hung up");
  if (!request.starts_with("claim\n") || got.fds.size() != 1) refuse("malformed claim");
  const std::string id = field(request, "id");
  const std::string cgroup = field(request, "cgroup");
  if (cgroup.find("..") != std::string::npos) refuse("bad cgroup path");
  log_info("standby " + name_ + ": claimed for container " + id);
  page_out();
  if (move_mount_fd(got.fds[0].get(), share_ / kStandbyShareSubdir) != 0)
    refuse(std::string("mount the container's share: ") + std::strerror(errno));
  got.fds.clear();
  try {
    if (!cgroup.empty()) {
      HostCgroup cg = HostCgroup::existing(cgroup);
      cg.add_process(record_.vmm.pid);
      cg.add_process(record_.virtiofsd.pid);
    }
  } catch (const Error& e) {
    refuse(std::string("join the container's cgroup: ") + e.what());
  }
  raise_cpu_priority();
  UniqueFd agent;
  try {
    agent = hypervisor_->connect_agent(10s);
  } catch (const Error& e) {
    refuse(std::string("connect to the agent: ") + e.what());
  }
  std::ostringstream answer;
  answer << "ok\nvmm " << record_.vmm.pid << " " << record_.vmm.start_time << "\nvirtiofsd "
         << record_.virtiofsd.pid << " " << record_.virtiofsd.start_time << "\n";
  const int fds[] = {agent.get()};
  send_with_fds(connection.get(), answer.str(), fds, "answer the claim");
  agent.reset();
  // The container's life: until the claimer says it is done or goes.
  for (;;) {
    pollfd p{connection.get(), POLLIN, 0};
    int n = ::poll(&p, 1, 500);
    if (n < 0 && errno != EINTR) break;
    if (n > 0) break;  // "end", or the claimer is gone
    if (!hypervisor_->alive() || !virtiofsd_.running()) break;
  }
  stop_vm();
  const std::string done = "done\n";
  ::send(connection.get(), done.data(), done.size(), MSG_NOSIGNAL);
}

void Standby::stop_vm() noexcept {
  if (hypervisor_) {
    try {
      hypervisor_->shutdown(3s);
    } catch (const std::exception& e) {
      log_debug(std::string("standby: vmm shutdown: ") + e.what());
    }
  }
  virtiofsd_.stop();
}

void Standby::raise_cpu_priority() noexcept {
  if (!background_) return;
  try {
    set_process_nice(record_.vmm.pid, 0);
    set_process_nice(record_.virtiofsd.pid, 0);
    set_process_nice(::getpid(), 0);
  } catch (const std::exception& e) {
    // The container still runs, with less of the CPU: not worth refusing it.
    log_warn("standby " + name_ + ": stays at nice " + std::to_string(kBackgroundNice) + ": " +
             e.what());
  }
}

void Standby::forget_slot() noexcept {
  try {
    PoolLock lock = pool_.lock(kLockWait);
    if (auto slot = pool_.find(name_)) pool_.forget(lock, *slot);
  } catch (const std::exception& e) {
    log_warn(std::string("standby: ") + e.what());
  }
}

int Standby::run() {
  int code = 0;
  try {
    check_registered();
    // Before virtiofsd and the VMM start: they inherit it.
    if (background_) set_own_nice(kBackgroundNice);
    boot();
    if (auto connection = wait_for_claim()) serve(std::move(*connection));
  } catch (const std::exception& e) {
    log_error("standby " + name_ + ": " + e.what());
    code = 1;
  }
  listen_.reset();
  stop_vm();
  // The share and the container's mounts on it are this namespace's only;
  // detached so that the directory can go.
  if (::umount2(share_.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    log_warn("standby " + name_ + ": umount " + share_.string() + ": " + std::strerror(errno));
  forget_slot();
  return code;
}

}  // namespace

int standby_main(int argc, char** argv) {
  std::string pool_dir, name;
  bool background = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--background")
      background = true;
    else if (a == "--pool" && i + 1 < argc)
      pool_dir = argv[++i];
    else if (a == "--slot" && i + 1 < argc)
      name = argv[++i];
  }
  if (pool_dir.empty() || name.empty() || name.find('/') != std::string::npos) {
    std::fprintf(stderr, "__standby: --pool DIR --slot NAME [--background]\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  try {
    PoolDir pool(pool_dir);
    // The spawner holds the lock until our slot and its vm- directory exist.
    (void)pool.lock(kLockWait);
    const fs::path log = pool.vm_dir(name) / "standby.log";
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) ::dup2(fd, 1), ::dup2(fd, 2), ::close(fd);
    configure_logging(log.string(), "text", false);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "__standby: %s\n", e.what());
    return 1;
  }
  auto* standby = new Standby(pool_dir, name, background);  // detached threads may outlive run()
  int code = standby->run();
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace chrunc::runtime::pool
