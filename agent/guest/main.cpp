// ch-runc-agent: PID 1 of the VM. Mounts the early filesystems, loads the
// image's kernel modules (the Debian-kernel image only), brings lo up, leaves the initramfs for a
// tmpfs root (so containers can pivot_root), then serves agent.proto over the host transport until
// Shutdown (or until the host is gone for good), and powers the VM off. It never exits: PID 1
// exiting panics the kernel.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "agent/guest/early_mounts.hpp"
#include "agent/guest/host_link.hpp"
#include "agent/guest/kernel_modules.hpp"
#include "agent/guest/loopback.hpp"
#include "agent/guest/power.hpp"
#include "agent/guest/root_switch.hpp"
#include "agent/server/agent_service.hpp"
#include "agent/server/grpc_server.hpp"
#include "agent/transport_names.hpp"
#include "common/error.hpp"

namespace {

bool g_debug = false;

void say(const char* level, const char* message) {
  std::fprintf(stderr, "chrunc-agent: %s: %s\n", level, message);
  std::fflush(stderr);
}

double uptime_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void debug_line(const char* message) {
  if (!g_debug) return;
  char line[512];
  std::snprintf(line, sizeof line, "[%.3f] %s", uptime_seconds(), message);
  say("debug", line);
}

std::unique_ptr<chrunc::container::Container> create_container(
    chrunc::container::CreateOptions options, chrunc::container::ProcessReaper& reaper) {
#ifdef CHRUNC_AGENT_HAVE_CONTAINER_LIBRARY
  return chrunc::container::Container::create(std::move(options), reaper);
#else
  throw chrunc::Error("this agent was built without the container library");
#endif
}

[[noreturn]] void fatal(const char* what) {
  say("error", what);
  chrunc::agent::power_off();
}

// virtio_balloon's free page reporting hands back free guest memory in
// blocks of 2^page_reporting_order pages; the kernel sets the pageblock order
// (2 MiB) when the driver registers, ignoring the boot parameter, so a
// finer order is written here, after the module is loaded. An idle VM's
// host footprint then follows what the guest really uses (bench/ memory).
void report_small_free_pages() {
  const char* param = "/sys/module/page_reporting/parameters/page_reporting_order";
  int fd = ::open(param, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;  // a kernel without free page reporting
  const char order[] =
      "0";  // single pages (bench/ memory: 13 MiB less per idle VM than 2 MiB blocks)
  ssize_t ignored = ::write(fd, order, sizeof order - 1);
  (void)ignored;
  ::close(fd);
}

}  // namespace

int main() {
  using namespace chrunc::agent;
  const bool pid1 = ::getpid() == 1;
  ::setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
  try {
    if (pid1) mount_early_filesystems();
    g_debug = kernel_cmdline_has(kDebugCmdlineFlag);
    if (pid1 && kernel_cmdline_has(kPowerOffAtInitCmdlineFlag)) power_off();
    debug_line("filesystems mounted");
    int modules = load_kernel_modules();
    debug_line(("loaded " + std::to_string(modules) + " modules").c_str());
    if (pid1) report_small_free_pages();
    bring_up_loopback();
    if (pid1 && switch_to_tmpfs_root()) debug_line("switched to a tmpfs root");
  } catch (const std::exception& e) {
    if (pid1) fatal(e.what());
    say("error", e.what());
    return 1;
  }
  try {
    ChildReaper reaper;
    ServiceOptions options;
    options.create_container = create_container;
    options.power_off = [] { power_off(); };
    options.sync_after_container = true;
    if (kernel_cmdline_has(kStandbyCmdlineFlag)) {
      // The claim's CreateContainer finds it mounted (transport_names.hpp).
      try {
        options.premount = Premount::mount(kContainerShareTag, kContainerShareGuestPath);
      } catch (const std::exception& e) {
        say("warning", e.what());  // CreateContainer mounts it then
      }
    }
    AgentService service(std::move(options), reaper);
    FdServer server(service);
    debug_line("gRPC server up");
    HostLinkOptions link;
    if (!kernel_cmdline_has(kStandbyCmdlineFlag))
      link.gone = [] {
        say("error", "the host connection is gone; powering off");
        power_off();
      };
    link.debug = debug_line;
    if (pid1 && kernel_cmdline_has(kPowerOffWhenReadyCmdlineFlag))
      link.serving = [] { power_off(); };
    else if (kernel_cmdline_has(kStandbyCmdlineFlag))
      link.serving = [] { say("info", "standby serving"); };
    serve_host(server, link);
  } catch (const std::exception& e) {
    if (pid1) fatal(e.what());
    say("error", e.what());
    return 1;
  }
}
