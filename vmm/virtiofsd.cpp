#include "vmm/virtiofsd.hpp"

#include <algorithm>
#include <thread>

#include "common/error.hpp"
#include "vmm/log_tail.hpp"

namespace chrunc::vmm {

namespace fs = std::filesystem;

VirtiofsDaemon& VirtiofsDaemon::operator=(VirtiofsDaemon&& other) noexcept {
  if (this != &other) {
    stop();
    process_ = std::move(other.process_);
    socket_path_ = std::move(other.socket_path_);
    source_dir_ = std::move(other.source_dir_);
    read_only_ = other.read_only_;
    other.socket_path_.clear();
  }
  return *this;
}

VirtiofsDaemon VirtiofsDaemon::start(const fs::path& source_dir, const fs::path& socket_path,
                                     bool read_only, const VirtiofsOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(source_dir, ec))
    throw Error("virtiofsd: shared directory " + source_dir.string() + " is not a directory");
  fs::remove(socket_path, ec);
  fs::path log =
      options.log_file.empty() ? fs::path(socket_path.string() + ".log") : options.log_file;

  SpawnOptions spawn;
  spawn.argv = {options.binary, "--socket-path=" + socket_path.string(),
                "-o",           "source=" + source_dir.string(),
                "-o",           "cache=none"};
  if (read_only && options.supports_readonly) spawn.argv.push_back("--readonly");
  spawn.argv.insert(spawn.argv.end(), options.extra_args.begin(), options.extra_args.end());
  spawn.stderr_file = log;
  spawn.stdout_file = log;

  VirtiofsDaemon daemon;
  daemon.socket_path_ = socket_path;
  daemon.source_dir_ = source_dir;
  daemon.read_only_ = read_only;
  try {
    daemon.process_ = ChildProcess::spawn(spawn);
  } catch (const Error& e) {
    throw Error(std::string("virtiofsd: ") + e.what(), e.sys_errno());
  }
  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (!fs::exists(socket_path, ec)) {
    if (!daemon.process_.running()) {
      std::string said = last_line(log);
      daemon.socket_path_.clear();
      throw Error("virtiofsd for " + source_dir.string() +
                  " exited: " + (said.empty() ? "no message" : said));
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("virtiofsd for " + source_dir.string() + ": socket " + socket_path.string() +
                  " did not appear in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return daemon;
}

void VirtiofsDaemon::stop(std::chrono::milliseconds grace) noexcept {
  if (process_.running()) {
    process_.signal(SIGTERM);
    if (!process_.wait_for(grace)) process_.kill_and_wait();
  }
  if (!socket_path_.empty()) {
    std::error_code ec;
    fs::remove(socket_path_, ec);
    socket_path_.clear();
  }
}

}  // namespace chrunc::vmm
