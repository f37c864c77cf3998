// `exec`: another process in the container. The CLI hands its stdio (or the
// slave of a pty whose master went to --console-socket) to the monitor, which
// runs agent ExecProcess and relays; the CLI exits with the process's exit
// code. With --detach a child of the CLI stands for the process (its pid goes
// to --pid-file) and exits with its exit code.
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/error.hpp"
#include "oci/spec_parser.hpp"
#include "oci/spec_writer.hpp"
#include "runtime/cli/console_socket.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/cli/exec_forwarding.hpp"
#include "runtime/cli/lifecycle_common.hpp"
#include "runtime/cli/pid_file.hpp"
#include "runtime/store/container_status.hpp"

namespace chrunc::runtime {
namespace {

oci::Process process_from_flags(const oci::Spec& spec, const ExecOptions& o) {
  if (o.args.empty()) throw Error("exec: no command given (args or --process)");
  oci::Process p;
  if (spec.process) {
    p.env = spec.process->env;
    p.cwd = spec.process->cwd;
    p.user = spec.process->user;
    p.capabilities = spec.process->capabilities;
    p.no_new_privileges = spec.process->no_new_privileges;
    p.rlimits = spec.process->rlimits;
  }
  if (p.cwd.empty()) p.cwd = "/";
  p.args = o.args;
  for (const auto& e : o.env) p.env.push_back(e);
  if (!o.cwd.empty()) p.cwd = o.cwd;
  if (!o.user.empty()) {
    size_t colon = o.user.find(':');
    try {
      p.user.uid = static_cast<uint32_t>(std::stoul(o.user.substr(0, colon)));
      if (colon != std::string::npos)
        p.user.gid = static_cast<uint32_t>(std::stoul(o.user.substr(colon + 1)));
    } catch (const std::exception&) {
      throw Error("exec: --user must be uid[:gid], got \"" + o.user + "\"");
    }
  }
  if (!o.additional_gids.empty()) p.user.additional_gids = o.additional_gids;
  if (o.no_new_privs) p.no_new_privileges = true;
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (auto* set :
         {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted})
      for (const auto& c : o.caps) set->push_back(c);
  }
  p.terminal = o.tty;
  return p;
}

}  // namespace

int exec_process(const GlobalOptions& global, const ExecOptions& options) {
  refuse_passed_fds(options.preserve_fds, false);
  StateStore store = open_store(global);
  ContainerRecord record = store.load(options.id);
  Status status = effective_status(store, record);
  if (status == Status::kPaused && !options.ignore_paused)
    throw Error("cannot exec in a paused container");
  if (status != Status::kRunning && status != Status::kCreated && status != Status::kPaused)
    throw Error("cannot exec in a stopped container");

  oci::Process process;
  if (!options.process_file.empty()) {
    process = oci::parse_process(read_text_file(options.process_file), options.process_file);
    if (options.tty) process.terminal = true;
  } else {
    process = process_from_flags(load_saved_spec(store, options.id), options);
  }
  if (process.terminal && options.console_socket.empty() && options.detach)
    throw Error("cannot allocate tty if runc will detach without setting console socket");

  // The terminal: with --console-socket a host pty whose master goes to the
  // socket (its receiver resizes it); otherwise the caller's own terminal,
  // whose size follows SIGWINCH (runc's exec -t in the foreground).
  HostPty pty;
  std::vector<int> fds = {0, 1, 2};
  int tty = -1;
  if (process.terminal && !options.console_socket.empty()) {
    unsigned rows = process.console_size ? process.console_size->height : 0;
    unsigned cols = process.console_size ? process.console_size->width : 0;
    pty = open_host_pty(rows, cols);
    send_fd_to_console_socket(options.console_socket, pty.master.get(), pty.slave_name);
    pty.master.reset();
    fds = {pty.slave.get(), pty.slave.get(), pty.slave.get()};
  } else if (process.terminal) {
    tty = caller_terminal();
    winsize ws{};
    if (tty >= 0 && !process.console_size && ::ioctl(tty, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
      process.console_size = oci::ConsoleSize{ws.ws_row, ws.ws_col};
  }
  std::optional<RawTerminal> raw;
  if (process.terminal && options.console_socket.empty() && !options.detach && ::isatty(0))
    raw.emplace(0);

  rapidjson::Document request(rapidjson::kObjectType);
  auto& a = request.GetAllocator();
  request.AddMember("command", "exec", a);
  request.AddMember("exec_id", rapidjson::Value(random_hex(8).c_str(), a), a);
  request.AddMember("process", rapidjson::Value(oci::write_process(process).c_str(), a), a);
  if (options.ignore_paused) request.AddMember("ignore_paused", true, a);
  ForwardedSignals signals;
  MonitorClient client(store.dir(options.id));
  client.call(request, fds, kMonitorSlowAnswerTimeout);

  if (options.detach) {
    pid_t child = ::fork();
    if (child < 0) throw_errno("fork");
    if (child == 0) {
      // Stands for the process: signals it gets go to the process, it exits
      // with its exit code; the pty (console socket) becomes its controlling
      // terminal, so that a resize by the receiver reaches it as SIGWINCH.
      ::setsid();
      if (pty.slave) ::ioctl(pty.slave.get(), TIOCSCTTY, 0);
      for (int fd = 0; fd < 3; ++fd) {
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0 && devnull != fd) ::dup2(devnull, fd), ::close(devnull);
      }
      int code = 255;
      try {
        code = wait_exec_forwarding(client, signals, pty.slave.get(), false);
      } catch (...) {
      }
      ::_exit(code);
    }
    pty.slave.reset();
    if (!options.pid_file.empty()) write_pid_file(options.pid_file, child);
    return 0;
  }
  pty.slave.reset();
  return wait_exec_forwarding(client, signals, tty, false);
}

}  // namespace chrunc::runtime
