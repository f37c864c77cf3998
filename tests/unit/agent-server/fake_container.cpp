#include "fake_container.hpp"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <unistd.h>

#include <vector>

#include "common/error.hpp"

namespace chrunc::agent::test {

namespace {

struct Pipe {
  UniqueFd read, write;
  Pipe() {
    int fds[2];
    check_syscall(::pipe2(fds, O_CLOEXEC), "pipe2");
    read.reset(fds[0]);
    write.reset(fds[1]);
  }
};

// Forks `args`; the child waits for a byte on `gate` (when valid) before execvp.
pid_t spawn(const oci::Process& process, container::ProcessStdio& stdio, int gate) {
  std::vector<char*> argv;
  for (const auto& arg : process.args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  if (process.terminal) {
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0) throw_errno("forkpty");
    if (pid == 0) {
      char byte;
      if (gate >= 0 && ::read(gate, &byte, 1) != 1) ::_exit(126);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    stdio.pty_master.reset(master);
    return pid;
  }
  Pipe in, out, err;
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ::dup2(in.read.get(), 0);
    ::dup2(out.write.get(), 1);
    ::dup2(err.write.get(), 2);
    char byte;
    if (gate >= 0 && ::read(gate, &byte, 1) != 1) ::_exit(126);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  stdio.stdin_write = std::move(in.write);
  stdio.stdout_read = std::move(out.read);
  stdio.stderr_read = std::move(err.read);
  return pid;
}

class FakeContainer final : public container::Container {
 public:
  explicit FakeContainer(container::CreateOptions options) : options_(std::move(options)) {
    Pipe gate;
    init_ = spawn(*options_.spec.process, init_stdio_, gate.read.get());
    gate_ = std::move(gate.write);
  }
  ~FakeContainer() override { destroy(); }
  const std::string& id() const override { return options_.id; }
  pid_t init_pid() const override { return init_; }
  container::ProcessStdio take_init_stdio() override { return std::move(init_stdio_); }
  void start() override {
    if (!gate_) throw Error("already started");
    check_syscall(::write(gate_.get(), "x", 1), "start");
    gate_.reset();
  }
  pid_t exec(const oci::Process& process, container::ProcessStdio& stdio) override {
    pid_t pid = spawn(process, stdio, -1);
    execs_.push_back(pid);
    return pid;
  }
  void signal(int signo, bool all) override {
    ::kill(init_, signo);
    if (all)
      for (pid_t pid : execs_) ::kill(pid, signo);
  }
  void pause() override { throw Error("pause: not in the fake"); }
  void resume() override { throw Error("resume: not in the fake"); }
  void update(const oci::Resources&) override { throw Error("update: not in the fake"); }
  std::vector<pid_t> pids() override {
    std::vector<pid_t> pids{init_};
    for (pid_t pid : execs_)
      if (::kill(pid, 0) == 0) pids.push_back(pid);
    return pids;
  }
  container::CgroupStats stats() override {
    container::CgroupStats s;
    s.pids_current = 1;
    s.memory_stat["anon"] = 4096;
    return s;
  }
  void destroy() override {
    gate_.reset();
    ::kill(init_, SIGKILL);
    for (pid_t pid : execs_) ::kill(pid, SIGKILL);
  }

 private:
  container::CreateOptions options_;
  pid_t init_ = 0;
  container::ProcessStdio init_stdio_;
  UniqueFd gate_;
  std::vector<pid_t> execs_;
};

}  // namespace

std::unique_ptr<container::Container> create_fake_container(container::CreateOptions options,
                                                            container::ProcessReaper&) {
  return std::make_unique<FakeContainer>(std::move(options));
}

}  // namespace chrunc::agent::test
