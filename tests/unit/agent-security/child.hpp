#pragma once
// Runs a function in a forked child and collects what it reports.

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "common/error.hpp"

namespace chrunc::container::test {

struct ChildResult {
  int status = 0;      // raw wait status
  std::string output;  // what the function returned, or "ERROR: <message>"

  bool exited_ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
  bool killed_by(int signal) const { return WIFSIGNALED(status) && WTERMSIG(status) == signal; }
};

// fn runs in a child; its return value (or "ERROR: " + the chrunc::Error)
// comes back through a pipe. The child exits 0 on success, 1 on Error.
inline ChildResult run_in_child(const std::function<std::string()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) throw_errno("pipe");
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    int code = 0;
    try {
      out = fn();
    } catch (const std::exception& e) {
      out = std::string("ERROR: ") + e.what();
      code = 1;
    }
    const char* p = out.data();
    size_t left = out.size();
    while (left > 0) {
      ssize_t n = ::write(fds[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  ChildResult result;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) result.output.append(buffer, n);
  ::close(fds[0]);
  ::waitpid(pid, &result.status, 0);
  return result;
}

// A field of /proc/self/status ("CapEff" -> "0000000000000421").
inline std::string status_field(const std::string& name) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) == 0) {
      std::string value = line.substr(name.size() + 1);
      auto begin = value.find_first_not_of(" \t");
      return begin == std::string::npos ? "" : value.substr(begin);
    }
  }
  return "<missing>";
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace chrunc::container::test
