#pragma once
// What cmd/ calls: one function per runc command. Each throws chrunc::Error
// (one line, naming the cause) on failure; cmd/ prints it once and exits 1.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace chrunc::runtime {

// The global flags of runc.
struct GlobalOptions {
  std::filesystem::path root;       // --root, default /run/containerization
  std::string log_path;             // --log
  std::string log_format = "text";  // --log-format text|json
  bool debug = false;               // --debug
  bool systemd_cgroup = false;      // --systemd-cgroup
  bool rootless = false;            // --rootless (accepted)
};

struct CreateOptions {
  std::string id;
  std::filesystem::path bundle = ".";  // --bundle/-b
  std::string console_socket;          // --console-socket
  std::string pid_file;                // --pid-file
  bool no_pivot = false;               // --no-pivot
  bool no_new_keyring = false;         // --no-new-keyring
  unsigned preserve_fds = 0;           // --preserve-fds
};

struct RunOptions {
  CreateOptions create;
  bool detach = false;        // --detach/-d
  bool keep = false;          // --keep
  bool no_subreaper = false;  // --no-subreaper
};

struct ExecOptions {
  std::string id;
  std::string process_file;  // --process/-p (JSON "process" object); overrides args/flags
  std::vector<std::string> args;
  std::string console_socket;
  std::string cwd;
  std::vector<std::string> env;
  bool tty = false;
  std::string user;  // "uid[:gid]"
  std::vector<uint32_t> additional_gids;
  bool detach = false;
  std::string pid_file;
  bool no_new_privs = false;
  std::vector<std::string> caps;
  unsigned preserve_fds = 0;
  std::string process_label;
  std::string apparmor;
  bool ignore_paused = false;
};

// runc update's per-field flags and --resources (a LinuxResources JSON file, or "-" for stdin).
struct UpdateOptions {
  std::string id;
  std::string resources_file;
  std::optional<uint64_t> blkio_weight, cpu_period, cpu_rt_period, cpu_share;
  std::optional<int64_t> cpu_quota, cpu_rt_runtime, memory, memory_reservation, memory_swap,
      kernel_memory, kernel_memory_tcp, pids_limit;
  std::string cpuset_cpus, cpuset_mems;
  std::optional<int64_t> cpu_idle;
};

void create_container(const GlobalOptions& global, const CreateOptions& options);
void start_container(const GlobalOptions& global, const std::string& id);
// Returns the exit code `ch-runc run` exits with (the container's, 128+N for signal N).
int run_container(const GlobalOptions& global, const RunOptions& options);
void kill_container(const GlobalOptions& global, const std::string& id, int signal, bool all);
void delete_container(const GlobalOptions& global, const std::string& id, bool force);
void pause_container(const GlobalOptions& global, const std::string& id);
void resume_container(const GlobalOptions& global, const std::string& id);
// Returns the exit code of the process (or 0 with --detach).
int exec_process(const GlobalOptions& global, const ExecOptions& options);
// `ps`: format "table" or "json"; ps_args are passed to ps in the guest (table format).
std::string list_processes(const GlobalOptions& global, const std::string& id,
                           const std::string& format, const std::vector<std::string>& ps_args);
void update_container(const GlobalOptions& global, const UpdateOptions& options);
// `events`: prints JSON lines on stdout until the container stops (or once with stats_once).
void stream_events(const GlobalOptions& global, const std::string& id, bool stats_once,
                   std::chrono::seconds interval);

// The container's monitor is its own executable, `ch-runc-monitor __monitor
// ...`, installed beside ch-runc (kMonitorBinary) and exec'd by create: it
// carries the VMM, agent (gRPC, protobuf) and cloud-hypervisor API (libcurl)
// code, so the ch-runc CLI, which engines run for every state, kill and ps,
// starts without loading any of it. `ch-runc check` execs it too
// (`ch-runc-monitor check [--reprobe]`): the probe boots a VM.
inline constexpr const char* kMonitorBinary = "ch-runc-monitor";
inline constexpr const char* kMonitorCommand = "__monitor";
inline constexpr const char* kCheckCommand = "check";
// The monitor binary beside the running executable (/proc/self/exe).
std::filesystem::path monitor_binary();
// The ready channel (a SOCK_SEQPACKET pair) between create and the monitor:
//   monitor -> create  kMonitorNamespacesReady  (its namespaces and cgroup are
//                      in place; create now runs the prestart, createRuntime
//                      and createContainer hooks, e.g. docker's
//                      libnetwork-setkey, which fills the network namespace)
//   create -> monitor  kMonitorGo               (hooks done: boot the VM)
//   monitor -> create  "ok" or the error text   (then the channel closes)
// Before "ok" or the error, the monitor may send kMonitorWarning messages
// (one line each, e.g. the KVM probe's fallback), which create prints.
// An error before the first step is sent instead of kMonitorNamespacesReady;
// create closing the channel instead of sending kMonitorGo aborts the monitor.
inline constexpr const char* kMonitorNamespacesReady = "namespaces-ready";
inline constexpr const char* kMonitorGo = "go";
inline constexpr const char* kMonitorWarning = "warning: ";
// Before "ok": the pool is on and this container could take a standby;
// create then starts `ch-runc-monitor pool fill --quiet --refill`, detached, to
// replace it (the monitor runs in the container's namespaces and cgroup,
// where no standby may start).
inline constexpr const char* kMonitorPoolRefill = "pool-refill";
int monitor_main(int argc, char** argv);

}  // namespace chrunc::runtime
