// The monitor's control socket: one JSON request per connection, each in
// its own thread; the main loop also forwards signals and notices the end.
#include <poll.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "common/error.hpp"
#include "common/log.hpp"
#include "oci/spec_parser.hpp"
#include "oci/spec_writer.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/host/update_limits.hpp"
#include "runtime/monitor/control_socket.hpp"
#include "runtime/monitor/monitor.hpp"
#include "runtime/monitor/vm_sizing.hpp"
#include "runtime/store/timing_log.hpp"

namespace chrunc::runtime {
namespace {

using namespace std::chrono_literals;
using rapidjson::Value;

// {"error": message}, with "timedOut": true when a deadline ran out (the
// guest did not answer): the CLI tells that apart from a stopped container.
std::string error_json(const std::string& message, bool timed_out = false) {
  rapidjson::Document d(rapidjson::kObjectType);
  d.AddMember("error", Value(message.c_str(), d.GetAllocator()), d.GetAllocator());
  if (timed_out) d.AddMember("timedOut", true, d.GetAllocator());
  return json_text(d);
}

const std::string kOk = "{\"ok\":true}";

// A client has this long to send its whole request once connected.
constexpr std::chrono::milliseconds kRequestTimeout = 10s;

std::string string_member(const rapidjson::Document& d, const char* key) {
  auto it = d.FindMember(key);
  return it != d.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

int exit_code_of(const agent::v1::WaitProcessResponse& r) {
  return r.signal() != 0 ? 128 + r.signal() : r.exit_code();
}

}  // namespace

void Monitor::serve() {
  while (!exited_) {
    pollfd fds[3] = {
        {listen_.get(), POLLIN, 0}, {signal_fd_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    int n = ::poll(fds, 3, 1000);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (fds[0].revents & POLLIN)) {
      int conn = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (conn >= 0 && !peer_may_control(conn)) {
        log_warn("container " + options_.id + ": refused a control connection from another uid");
        ::close(conn);
      } else if (conn >= 0) {
        std::thread([this, conn] { handle_connection(UniqueFd(conn)); }).detach();
      }
    }
    if (n > 0 && (fds[1].revents & POLLIN)) {
      signalfd_siginfo info{};
      while (::read(signal_fd_.get(), &info, sizeof info) == sizeof info)
        handle_signal(static_cast<int>(info.ssi_signo));
    }
    if (exited_) break;
    // A SIGWINCH can come before the process runs, or be merged with
    // another: the size is also compared once a second, and sent again
    // after start.
    forward_window_size(resend_window_size_.exchange(false));
    vm_->page_out_boot_images_again();
    if (!vm_->vmm_alive()) {
      log_warn("container " + options_.id + ": the VMM exited");
      break;
    }
    if (vm_->share_server_exited()) {
      // As the VMM's end: the container stops (137), so that its commands
      // say so at once instead of waiting on the guest's file accesses.
      log_warn("container " + options_.id +
               ": virtiofsd (the container's file share) exited; stopping the container");
      break;
    }
    if (shutdown_requested_ && std::chrono::steady_clock::now() > shutdown_deadline_) break;
  }
}

void Monitor::undo_unless_saved(Status status, const std::function<void()>& undo) {
  try {
    set_status(status);
  } catch (const Error&) {
    try {
      undo();
    } catch (const std::exception& e) {
      log_warn("container " + options_.id + ": undoing after a failed status save: " + e.what());
    }
    throw;
  }
}

bool Monitor::post_agent_call(const std::string& what, std::function<void()> call) {
  bool queued = agent_calls_ && agent_calls_->post([what, call = std::move(call)] {
    try {
      call();
    } catch (const std::exception& e) {
      log_warn(what + ": " + e.what());
    }
  });
  if (!queued)
    log_warn("container " + options_.id + ": " + what +
             " dropped: " + std::to_string(kAgentCallQueue) +
             " agent calls already wait (the guest is not answering)");
  return queued;
}

void Monitor::handle_signal(int signo) {
  if (exited_) return;
  if (signo == SIGWINCH) return forward_window_size(true);
  post_agent_call("forwarding signal " + std::to_string(signo), [this, signo] {
    if (!exited_) vm_->agent().signal_process(options_.id, "", signo);
  });
}

void Monitor::forward_window_size(bool force) {
  if (!spec_.process || !spec_.process->terminal || !stdio_[0]) return;
  winsize ws{};
  if (::ioctl(stdio_[0].get(), TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return;
  if (!force && ws.ws_row == sent_rows_ && ws.ws_col == sent_cols_) return;
  // One at a time: a guest that does not answer gets one call per deadline,
  // not one a second. The loop compares again once this one is done.
  if (resize_queued_.exchange(true)) {
    if (force) resend_window_size_ = true;
    return;
  }
  unsigned short rows = ws.ws_row, cols = ws.ws_col;
  bool queued = post_agent_call("window size", [this, rows, cols] {
    struct Done {
      std::atomic<bool>& flag;
      ~Done() { flag = false; }
    } done{resize_queued_};
    vm_->agent().resize_tty(options_.id, "", rows, cols);
    sent_rows_ = rows;
    sent_cols_ = cols;
  });
  if (!queued) resize_queued_ = false;
}

void Monitor::handle_connection(UniqueFd connection) {
  std::string answer;
  try {
    auto message = receive_control_message(connection.get(), kRequestTimeout);
    if (!message) return;
    rapidjson::Document request = parse_control_json(message->json);
    // Requests other than exec (which lasts as long as its process) are
    // counted, so that the VM is torn down only once their agent calls have
    // ended (each by its deadline): finish() waits for them.
    if (string_member(request, "command") == "exec") {
      answer = dispatch(connection.get(), request, message->fds);
    } else {
      if (!requests_.try_acquire())
        throw Error("monitor: too many requests in flight (the guest is not answering)");
      struct Release {
        InFlightLimit& limit;
        ~Release() { limit.release(); }
      } release{requests_};
      if (closing_) throw Error("container not running");
      answer = dispatch(connection.get(), request, message->fds);
    }
  } catch (const Error& e) {
    answer = error_json(e.what(), e.sys_errno() == ETIMEDOUT);
  } catch (const std::exception& e) {
    answer = error_json(e.what());
  }
  try {
    if (!answer.empty()) send_control_message(connection.get(), answer);
  } catch (const std::exception&) {
  }
}

std::string Monitor::dispatch(int connection, const rapidjson::Document& request,
                              std::vector<UniqueFd>& fds) {
  const std::string command = string_member(request, "command");
  auto& agent = vm_->agent();
  const std::string& id = options_.id;
  if (command == "shutdown") {
    shutdown_deadline_ = std::chrono::steady_clock::now() + 5s;
    shutdown_requested_ = true;
    // Answered at once: the kill waits its turn on the worker, and the serve
    // loop ends at the deadline whether or not the guest answers it. A short
    // deadline: the VM is torn down next in any case.
    if (!exited_)
      post_agent_call("shutdown: killing the container's processes", [this] {
        if (!exited_) vm_->agent().signal_process(options_.id, "", SIGKILL, true, 3s);
      });
    return kOk;
  }
  if (exited_) throw Error("container not running");
  if (command == "start") {
    Status s = status();
    if (s != Status::kCreated)
      throw Error(std::string("cannot start a container that is ") + to_string(s));
    agent.start_container(id, 30s);
    std::string unsaved;
    try {
      set_status(Status::kRunning);
    } catch (const Error& e) {
      // The process runs and cannot be unstarted: the monitor says so, and
      // start fails naming why `state` does not.
      std::lock_guard lock(mutex_);
      record_.status = Status::kRunning;
      unsaved = e.what();
    }
    processes_->start();
    resend_window_size_ = true;
    timing_mark(dir_, "started");
    if (!unsaved.empty()) throw Error("started, but the state could not be saved: " + unsaved);
    return kOk;
  }
  if (command == "kill") {
    int signo = request.HasMember("signal") && request["signal"].IsInt()
                    ? request["signal"].GetInt()
                    : SIGTERM;
    bool all = request.HasMember("all") && request["all"].IsBool() && request["all"].GetBool();
    agent.signal_process(id, "", signo, all);
    return kOk;
  }
  if (command == "pause") {
    if (status() != Status::kRunning) throw Error("container not running");
    agent.pause(id);
    undo_unless_saved(Status::kPaused, [&] { agent.resume(id); });
    return kOk;
  }
  if (command == "resume") {
    if (status() != Status::kPaused) throw Error("container not paused");
    agent.resume(id);
    undo_unless_saved(Status::kRunning, [&] { agent.pause(id); });
    return kOk;
  }
  if (command == "ps") {
    auto list = agent.list_processes(id);
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value procs(rapidjson::kArrayType);
    for (const auto& p : list.processes()) {
      Value o(rapidjson::kObjectType);
      o.AddMember("pid", p.pid(), a);
      o.AddMember("ppid", p.ppid(), a);
      o.AddMember("uid", p.uid(), a);
      o.AddMember("state", Value(p.state().c_str(), a), a);
      o.AddMember("start_time", static_cast<uint64_t>(p.start_time_ticks()), a);
      o.AddMember("cpu_time", static_cast<uint64_t>(p.cpu_time_ticks()), a);
      o.AddMember("cmdline", Value(p.cmdline().c_str(), a), a);
      o.AddMember("comm", Value(p.comm().c_str(), a), a);
      procs.PushBack(o, a);
    }
    d.AddMember("processes", procs, a);
    return json_text(d);
  }
  if (command == "stand-ins") {
    // Brought up to date, then listed: `ps --format json` keeps these pids
    // of the container's cgroup (the monitor, the VMM and virtiofsd are not
    // the container's processes).
    processes_->refresh();
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("ok", true, a);
    Value pids(rapidjson::kArrayType);
    for (const auto& [guest_pid, pid] : processes_->stand_in_pids()) pids.PushBack(pid, a);
    d.AddMember("pids", pids, a);
    return json_text(d);
  }
  if (command == "stats") {
    auto s = agent.stats(id);
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    auto num = [&](const char* key, uint64_t v) { d.AddMember(Value(key, a), Value(v), a); };
    num("cpu_usage_usec", s.cpu_usage_usec());
    num("cpu_user_usec", s.cpu_user_usec());
    num("cpu_system_usec", s.cpu_system_usec());
    num("cpu_throttled_periods", s.cpu_throttled_periods());
    num("cpu_throttled_usec", s.cpu_throttled_usec());
    num("memory_usage_bytes", s.memory_usage_bytes());
    num("memory_limit_bytes", s.memory_limit_bytes());
    num("memory_max_usage_bytes", s.memory_max_usage_bytes());
    num("memory_cache_bytes", s.memory_cache_bytes());
    num("pids_current", s.pids_current());
    num("pids_limit", s.pids_limit());
    num("io_read_bytes", s.io_read_bytes());
    num("io_write_bytes", s.io_write_bytes());
    num("memory_oom_kills", s.memory_oom_kills());
    Value stat(rapidjson::kObjectType);
    for (const auto& [k, v] : s.memory_stat())
      stat.AddMember(Value(k.c_str(), a), Value(static_cast<uint64_t>(v)), a);
    d.AddMember("memory_stat", stat, a);
    return json_text(d);
  }
  if (command == "update") {
    std::string resources = string_member(request, "resources");
    oci::Resources parsed = oci::parse_resources(resources);
    if (parsed.cpu && (!parsed.cpu->cpus.empty() || !parsed.cpu->mems.empty())) {
      // The host cgroup gets the cpuset as asked, the guest's the VM's CPUs.
      oci::Resources guest = parsed;
      fit_cpuset_to_vm(*guest.cpu, vm_->vcpus());
      agent.update_resources(id, oci::write_resources(guest));
    } else {
      agent.update_resources(id, resources);
    }
    HostUpdate host = host_update_for(parsed, vm_->memory_mib());
    if (cgroup_) cgroup_->apply(host.resources);
    if (host.note.empty()) return kOk;
    log_warn("update: " + host.note);
    rapidjson::Document d(rapidjson::kObjectType);
    d.AddMember("ok", true, d.GetAllocator());
    d.AddMember("warning", Value(host.note.c_str(), d.GetAllocator()), d.GetAllocator());
    return json_text(d);
  }
  if (command == "exec") return handle_exec(connection, request, fds);
  throw Error("monitor: unknown command \"" + command + "\"");
}

std::string Monitor::handle_exec(int connection, const rapidjson::Document& request,
                                 std::vector<UniqueFd>& fds) {
  auto& agent = vm_->agent();
  Status s = status();
  if (s != Status::kRunning && s != Status::kCreated &&
      !(request.HasMember("ignore_paused") && s == Status::kPaused))
    throw Error(std::string("cannot exec in a ") + to_string(s) + " container");
  std::string exec_id = string_member(request, "exec_id");
  if (exec_id.empty()) throw Error("exec: missing exec_id");
  agent::v1::ExecProcessRequest req;
  req.set_container_id(options_.id);
  req.set_exec_id(exec_id);
  req.set_process_json(string_member(request, "process"));
  int pid = agent.exec_process(req, 30s);
  int in = !fds.empty() ? fds[0].get() : -1;
  int out = fds.size() > 1 ? fds[1].get() : -1;
  int err = fds.size() > 2 ? fds[2].get() : out;
  OutputRelay output(agent, options_.id, exec_id, out, err);
  std::optional<StdinRelay> input;
  if (in >= 0) input.emplace(agent, options_.id, exec_id, in);
  send_control_message(connection, "{\"ok\":true,\"pid\":" + std::to_string(pid) + "}");
  UniqueFd stop(::eventfd(0, EFD_CLOEXEC));
  if (!stop) throw_errno("eventfd");
  std::thread watcher(
      [this, connection, &stop, &exec_id] { watch_exec_client(connection, stop.get(), exec_id); });
  int code;
  try {
    code = exit_code_of(agent.wait_process(options_.id, exec_id));
  } catch (const std::exception& e) {
    log_warn(std::string("exec: ") + e.what());
    code = 128 + SIGKILL;
  }
  uint64_t one = 1;
  ssize_t ignored = ::write(stop.get(), &one, sizeof one);
  (void)ignored;
  watcher.join();
  output.finish(3s);
  return "{\"exit_code\":" + std::to_string(code) + "}";
}

// While an exec'd process runs: its client's "signal" and "resize" messages;
// the client gone (killed) takes the process with it, as the pid that stood
// for it is gone.
void Monitor::watch_exec_client(int connection, int stop, const std::string& exec_id) {
  auto& agent = vm_->agent();
  for (;;) {
    pollfd fds[2] = {{connection, POLLIN, 0}, {stop, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    std::optional<ControlMessage> message;
    try {
      message = receive_control_message(connection, kRequestTimeout);
    } catch (const std::exception&) {
    }
    try {
      if (!message) {
        agent.signal_process(options_.id, exec_id, SIGKILL);
        return;
      }
      rapidjson::Document d = parse_control_json(message->json);
      std::string command = string_member(d, "command");
      if (command == "signal" && d.HasMember("signal") && d["signal"].IsInt()) {
        agent.signal_process(options_.id, exec_id, d["signal"].GetInt());
      } else if (command == "resize" && d.HasMember("rows") && d["rows"].IsUint() &&
                 d.HasMember("cols") && d["cols"].IsUint()) {
        agent.resize_tty(options_.id, exec_id, d["rows"].GetUint(), d["cols"].GetUint());
      } else {
        log_warn("exec: unexpected message " + message->json.substr(0, 80));
      }
    } catch (const std::exception& e) {
      log_debug(std::string("exec ") + exec_id + ": " + e.what());
      if (!message) return;
    }
  }
}

}  // namespace chrunc::runtime
