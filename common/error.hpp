#pragma once
// The one error type of ch-runc. Every layer throws chrunc::Error with a
// one-line message naming the cause; the CLI catches it once and prints it.

#include <cerrno>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chrunc {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int sys_errno = 0)
      : std::runtime_error(message), errno_(sys_errno) {}

  // The errno behind the failure, or 0 when it did not come from a syscall.
  int sys_errno() const noexcept { return errno_; }

 private:
  int errno_;
};

// An error that also sets the process's exit status (runc's `exec` exits 255
// whenever the process could not be run: docker turns that into 126 or 127).
class ExitStatusError : public Error {
 public:
  ExitStatusError(const std::string& message, int status) : Error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

// "what: strerror(errno)" as a chrunc::Error carrying errno.
[[noreturn]] void throw_errno(std::string_view what, int err = errno);

// Returns `result`, or throws "what: strerror(errno)" when it is -1.
template <typename T>
T check_syscall(T result, std::string_view what) {
  if (result == static_cast<T>(-1)) throw_errno(what);
  return result;
}

}  // namespace chrunc
