#include "agent/container/security/cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <set>
#include <sstream>

#include "agent/container/security/cgroup_devices.hpp"
#include "agent/container/security/cgroup_resources.hpp"
#include "agent/container/security/file_io.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace chrunc::container {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kWaitLimit = std::chrono::seconds(10);

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000};
  ::nanosleep(&ts, nullptr);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::set<std::string> words(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.insert(word);
  return out;
}

std::set<std::string> controllers_of(const std::string& dir) {
  return words(read_file(dir + "/cgroup.controllers").value_or(""));
}

// Enables every controller `dir` offers for its children. A cgroup with
// processes of its own refuses (EBUSY, "no internal processes"); then the
// controllers are tried one by one and the missing ones are reported later,
// by the limit that needs them.
void enable_subtree_controllers(const std::string& dir) {
  const auto available = controllers_of(dir);
  const auto enabled = words(read_file(dir + "/cgroup.subtree_control").value_or(""));
  std::string all;
  for (const auto& c : available)
    if (!enabled.count(c)) all += (all.empty() ? "+" : " +") + c;
  if (all.empty()) return;
  const std::string file = dir + "/cgroup.subtree_control";
  if (try_write_file(file, all) == 0) return;
  for (const auto& c : available)
    if (!enabled.count(c)) try_write_file(file, "+" + c);
}

void check_cgroup2(const std::string& root) {
  struct statfs fs {};
  if (::statfs(root.c_str(), &fs) != 0) throw_errno("cgroup root " + root);
  if (static_cast<unsigned long>(fs.f_type) != CGROUP2_SUPER_MAGIC)
    throw Error("cgroup root " + root + " is not a cgroup2 mount");
}

std::optional<std::string> event_value(const std::string& path, const std::string& key) {
  auto events = read_file(path + "/cgroup.events");
  if (!events) return std::nullopt;
  std::istringstream in(*events);
  for (std::string k, v; in >> k >> v;)
    if (k == key) return v;
  return std::nullopt;
}

// Waits until cgroup.events has `key value`; false after kWaitLimit.
bool wait_event(const std::string& path, const std::string& key, const std::string& value) {
  const auto deadline = Clock::now() + kWaitLimit;
  UniqueFd fd(::open((path + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC));
  while (event_value(path, key).value_or(value) != value) {
    if (Clock::now() >= deadline) return false;
    if (fd) {
      pollfd p{fd.get(), POLLPRI, 0};
      ::poll(&p, 1, 50);
    } else {
      sleep_ms(10);
    }
  }
  return true;
}

void set_frozen(const std::string& path, bool frozen) {
  const char* value = frozen ? "1" : "0";
  write_file(path + "/cgroup.freeze", value,
             std::string(frozen ? "freeze " : "thaw ") + "cgroup " + path);
  if (!wait_event(path, "frozen", value))
    throw Error(std::string(frozen ? "freeze " : "thaw ") + "cgroup " + path + ": timed out");
}

void remove_tree(const std::string& path) {
  if (DIR* dir = ::opendir(path.c_str())) {
    std::vector<std::string> children;
    while (dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (entry->d_type == DT_DIR && name != "." && name != "..") children.push_back(name);
    }
    ::closedir(dir);
    for (const auto& child : children) remove_tree(path + "/" + child);
  }
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY || attempt >= 20) throw_errno("remove cgroup " + path);
    sleep_ms(10L << std::min(attempt, 4));  // about 1 s in all
  }
}

}  // namespace

std::string normalize_cgroups_path(const std::string& cgroups_path) {
  std::string path = cgroups_path;
  // systemd notation "slice:prefix:name" (--systemd-cgroup); no systemd here.
  if (path.find('/') == std::string::npos && std::count(path.begin(), path.end(), ':') == 2) {
    auto first = path.find(':'), second = path.find(':', first + 1);
    std::string slice = path.substr(0, first), prefix = path.substr(first + 1, second - first - 1),
                name = path.substr(second + 1);
    path = (slice.empty() ? "" : slice + "/") + (prefix.empty() ? name : prefix + "-" + name) +
           ".scope";
  }
  std::string out;
  std::istringstream in(path);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty() || part == ".") continue;
    if (part == "..") throw Error("invalid cgroupsPath \"" + cgroups_path + "\": contains ..");
    out += (out.empty() ? "" : "/") + part;
  }
  if (out.empty()) throw Error("invalid cgroupsPath \"" + cgroups_path + "\": empty");
  return out;
}

Cgroup Cgroup::create(const std::string& cgroup_root, const std::string& cgroups_path,
                      const std::optional<oci::Resources>& resources) {
  check_cgroup2(cgroup_root);
  const std::string relative = normalize_cgroups_path(cgroups_path);
  std::string dir = cgroup_root;
  std::istringstream in(relative);
  for (std::string part; std::getline(in, part, '/');) {
    enable_subtree_controllers(dir);
    dir += "/" + part;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("create cgroup " + dir);
  }
  Cgroup cgroup(cgroup_root, dir);
  if (resources) cgroup.write_resources(*resources, true);
  return cgroup;
}

Cgroup Cgroup::open(const std::string& cgroup_root, const std::string& cgroups_path) {
  std::string dir = cgroup_root + "/" + normalize_cgroups_path(cgroups_path);
  if (!exists(dir + "/cgroup.procs")) throw Error("cgroup " + dir + " does not exist");
  return Cgroup(cgroup_root, dir);
}

void Cgroup::write_resources(const oci::Resources& resources, bool created) {
  const auto settings = cgroup_v2_settings(resources, exists(path_ + "/io.bfq.weight"));
  auto controllers = controllers_of(path_);
  for (const auto& setting : settings) {
    const std::string controller = cgroup_controller_of(setting.file);
    if (controller.empty() || controllers.count(controller)) continue;
    // update() may need a controller create() did not get (say, enabled in
    // the root since): try every ancestor again, top down.
    enable_subtree_controllers(root_);
    for (size_t slash = path_.find('/', root_.size() + 1); slash != std::string::npos;
         slash = path_.find('/', slash + 1))
      enable_subtree_controllers(path_.substr(0, slash));
    controllers = controllers_of(path_);
    if (!controllers.count(controller))
      throw Error("cgroup controller \"" + controller + "\" is not available in " + path_ + " (" +
                  setting.file + ")");
  }
  for (const auto& setting : settings)
    write_file(path_ + "/" + setting.file, setting.value,
               "cgroup " + path_ + ": " + setting.file + "=" + setting.value);
  if (!resources.devices.empty()) apply_device_rules(path_, resources.devices, created);
}

void Cgroup::add_process(pid_t pid) {
  write_file(path_ + "/cgroup.procs", std::to_string(pid),
             "add pid " + std::to_string(pid) + " to cgroup " + path_);
}

void Cgroup::freeze() {
  set_frozen(path_, true);
}
void Cgroup::thaw() {
  set_frozen(path_, false);
}

void Cgroup::update(const oci::Resources& resources) {
  write_resources(resources, false);
}

std::vector<pid_t> Cgroup::pids() const {
  auto content = read_file(path_ + "/cgroup.procs");
  if (!content) throw Error("cgroup " + path_ + " does not exist");
  std::vector<pid_t> out;
  std::istringstream in(*content);
  for (pid_t pid; in >> pid;) out.push_back(pid);
  return out;
}

void Cgroup::kill_all(int signal) {
  if (signal == SIGKILL && exists(path_ + "/cgroup.kill")) {
    write_file(path_ + "/cgroup.kill", "1", "kill cgroup " + path_);
    if (!wait_event(path_, "populated", "0"))
      throw Error("kill cgroup " + path_ + ": processes left after 10 s");
    return;
  }
  const auto deadline = Clock::now() + kWaitLimit;
  for (;;) {
    // Frozen, nothing can fork between reading cgroup.procs and the kill;
    // a cgroup frozen before (paused) stays frozen.
    const bool frozen = read_file(path_ + "/cgroup.freeze").value_or("1").starts_with("0") &&
                        try_write_file(path_ + "/cgroup.freeze", "1") == 0;
    const auto list = pids();
    for (pid_t pid : list)
      if (::kill(pid, signal) != 0 && errno != ESRCH)
        throw_errno("kill " + std::to_string(pid) + " in cgroup " + path_);
    if (frozen) try_write_file(path_ + "/cgroup.freeze", "0");
    if (signal != SIGKILL || list.empty()) return;
    if (Clock::now() >= deadline)
      throw Error("kill cgroup " + path_ + ": processes left after 10 s");
    sleep_ms(10);
  }
}

void Cgroup::remove() {
  remove_tree(path_);
}

}  // namespace chrunc::container
