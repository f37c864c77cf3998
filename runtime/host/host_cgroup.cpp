#include "runtime/host/host_cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
constexpr long kCgroup2Magic = 0x63677270;

bool is_unified(const fs::path& root) {
  struct statfs st {};
  return ::statfs(root.c_str(), &st) == 0 && st.f_type == kCgroup2Magic;
}

// The v1 hierarchy roots under mount_root (deduplicated: cpu and cpuacct may be one).
std::vector<fs::path> v1_hierarchies(const fs::path& root) {
  std::vector<fs::path> out;
  std::set<fs::path> seen;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::string name = entry.path().filename().string();
    if (name == "unified" || name == "systemd" || name.starts_with("name=")) continue;
    if (!entry.is_directory(ec)) continue;
    fs::path canonical = fs::canonical(entry.path(), ec);
    if (ec || !seen.insert(canonical).second) continue;
    if (!fs::exists(canonical / "cgroup.procs")) continue;
    out.push_back(canonical);
  }
  return out;
}

std::vector<fs::path> cgroup_dirs(const std::string& relative, const fs::path& root, bool unified) {
  std::vector<fs::path> dirs;
  if (unified) {
    dirs.push_back(root / relative);
  } else {
    for (const auto& h : v1_hierarchies(root)) dirs.push_back(h / relative);
  }
  return dirs;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void write_file(const fs::path& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cgroup " + path.string());
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n < 0) throw_errno("cgroup: write \"" + value + "\" to " + path.string(), err);
}

// Writes only when the controller offers the file (a v1 host may lack e.g. memsw).
void write_if_present(const fs::path& path, const std::string& value) {
  if (fs::exists(path)) write_file(path, value);
}

bool controller_dir(const fs::path& dir, const char* controller) {
  // v1: the hierarchy directory's name contains the controller (cpu,cpuacct).
  std::string top = dir.string();
  return top.find(std::string("/") + controller) != std::string::npos;
}

std::string device_key(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

void apply_v1(const std::vector<fs::path>& dirs, const oci::Resources& r) {
  for (const auto& dir : dirs) {
    if (fs::exists(dir / "memory.limit_in_bytes") && r.memory) {
      const auto& m = *r.memory;
      if (m.limit) {
        std::string v = std::to_string(*m.limit);
        try {
          write_file(dir / "memory.limit_in_bytes", v);
        } catch (const Error&) {
          // memsw below the new limit: raise it first.
          if (m.swap)
            write_if_present(dir / "memory.memsw.limit_in_bytes", std::to_string(*m.swap));
          write_file(dir / "memory.limit_in_bytes", v);
        }
      }
      if (m.swap) write_if_present(dir / "memory.memsw.limit_in_bytes", std::to_string(*m.swap));
      if (m.reservation)
        write_file(dir / "memory.soft_limit_in_bytes", std::to_string(*m.reservation));
      if (m.swappiness && *m.swappiness <= 100)
        write_file(dir / "memory.swappiness", std::to_string(*m.swappiness));
      if (m.disable_oom_killer && *m.disable_oom_killer)
        write_file(dir / "memory.oom_control", "1");
      if (m.kernel_tcp)
        write_if_present(dir / "memory.kmem.tcp.limit_in_bytes", std::to_string(*m.kernel_tcp));
    }
    if (fs::exists(dir / "cpu.shares") && r.cpu) {
      const auto& c = *r.cpu;
      if (c.shares && *c.shares != 0) write_file(dir / "cpu.shares", std::to_string(*c.shares));
      if (c.period && *c.period != 0)
        write_file(dir / "cpu.cfs_period_us", std::to_string(*c.period));
      if (c.quota && *c.quota != 0) write_file(dir / "cpu.cfs_quota_us", std::to_string(*c.quota));
      if (c.burst) write_if_present(dir / "cpu.cfs_burst_us", std::to_string(*c.burst));
      if (c.realtime_period)
        write_if_present(dir / "cpu.rt_period_us", std::to_string(*c.realtime_period));
      if (c.realtime_runtime)
        write_if_present(dir / "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime));
      if (c.idle) write_if_present(dir / "cpu.idle", std::to_string(*c.idle));
    }
    if (fs::exists(dir / "cpuset.cpus") && r.cpu) {
      if (!r.cpu->cpus.empty()) write_file(dir / "cpuset.cpus", r.cpu->cpus);
      if (!r.cpu->mems.empty()) write_file(dir / "cpuset.mems", r.cpu->mems);
    }
    if (fs::exists(dir / "pids.max") && r.pids && r.pids->limit) {
      write_file(dir / "pids.max", *r.pids->limit > 0 ? std::to_string(*r.pids->limit) : "max");
    }
    if (controller_dir(dir, "blkio") && r.block_io) {
      const auto& b = *r.block_io;
      fs::path weight =
          fs::exists(dir / "blkio.weight") ? dir / "blkio.weight" : dir / "blkio.bfq.weight";
      // 0 means "not set" (docker always sends it), as runc treats it.
      if (b.weight && *b.weight != 0) write_if_present(weight, std::to_string(*b.weight));
      if (b.leaf_weight && *b.leaf_weight != 0)
        write_if_present(dir / "blkio.leaf_weight", std::to_string(*b.leaf_weight));
      for (const auto& d : b.weight_device) {
        if (d.weight)
          write_if_present(dir / "blkio.weight_device",
                           device_key(d.major, d.minor) + " " + std::to_string(*d.weight));
      }
      auto throttle = [&](const std::vector<oci::BlockIoThrottleDevice>& list, const char* file) {
        for (const auto& d : list)
          write_file(dir / file, device_key(d.major, d.minor) + " " + std::to_string(d.rate));
      };
      throttle(b.throttle_read_bps_device, "blkio.throttle.read_bps_device");
      throttle(b.throttle_write_bps_device, "blkio.throttle.write_bps_device");
      throttle(b.throttle_read_iops_device, "blkio.throttle.read_iops_device");
      throttle(b.throttle_write_iops_device, "blkio.throttle.write_iops_device");
    }
    for (const auto& h : r.hugepage_limits) {
      write_if_present(dir / ("hugetlb." + h.page_size + ".limit_in_bytes"),
                       std::to_string(h.limit));
    }
    if (r.network) {
      if (r.network->class_id)
        write_if_present(dir / "net_cls.classid", std::to_string(*r.network->class_id));
      for (const auto& p : r.network->priorities)
        write_if_present(dir / "net_prio.ifpriomap", p.name + " " + std::to_string(p.priority));
    }
  }
}

void apply_v2(const fs::path& dir, const oci::Resources& r) {
  if (r.memory) {
    const auto& m = *r.memory;
    if (m.limit)
      write_if_present(dir / "memory.max", *m.limit > 0 ? std::to_string(*m.limit) : "max");
    if (m.reservation) write_if_present(dir / "memory.low", std::to_string(*m.reservation));
    if (m.swap && m.limit && *m.swap > 0 && *m.limit > 0 && *m.swap >= *m.limit)
      write_if_present(dir / "memory.swap.max", std::to_string(*m.swap - *m.limit));
  }
  if (r.cpu) {
    const auto& c = *r.cpu;
    if (c.shares && *c.shares >= 2)
      write_if_present(dir / "cpu.weight", std::to_string(1 + ((*c.shares - 2) * 9999) / 262142));
    if (c.quota || c.period) {
      std::string quota = c.quota && *c.quota > 0 ? std::to_string(*c.quota) : "max";
      write_if_present(dir / "cpu.max",
                       quota + " " + std::to_string(c.period ? *c.period : 100000));
    }
    if (!c.cpus.empty()) write_if_present(dir / "cpuset.cpus", c.cpus);
    if (!c.mems.empty()) write_if_present(dir / "cpuset.mems", c.mems);
  }
  if (r.pids && r.pids->limit)
    write_if_present(dir / "pids.max", *r.pids->limit > 0 ? std::to_string(*r.pids->limit) : "max");
  if (r.block_io && r.block_io->weight)
    write_if_present(dir / "io.bfq.weight", std::to_string(*r.block_io->weight));
  for (const auto& [file, value] : r.unified) {
    if (file.find('/') != std::string::npos)
      throw Error("linux.resources.unified: invalid file \"" + file + "\"");
    write_file(dir / file, value);
  }
}

// mkdir -p, remembering the first directory we created; cpuset dirs get
// their parent's cpus/mems (a v1 cpuset with empty ones takes no task).
void make_dirs(const fs::path& hierarchy_root, const std::string& relative) {
  fs::path current = hierarchy_root;
  for (const auto& part : fs::path(relative)) {
    if (part.empty() || part == "/") continue;
    fs::path parent = current;
    current /= part;
    if (::mkdir(current.c_str(), 0755) != 0 && errno != EEXIST)
      throw_errno("cgroup mkdir " + current.string());
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
      if (fs::exists(current / file) && read_file(current / file).empty())
        write_file(current / file, read_file(parent / file));
    }
  }
}

void enable_v2_controllers(const fs::path& root, const std::string& relative) {
  std::string available = read_file(root / "cgroup.controllers");
  std::istringstream in(available);
  std::string ctrl, enable;
  while (in >> ctrl) enable += (enable.empty() ? "+" : " +") + ctrl;
  if (enable.empty()) return;
  fs::path current = root;
  for (const auto& part : fs::path(relative).parent_path()) {
    if (part.empty() || part == "/") continue;
    try {
      write_file(current / "cgroup.subtree_control", enable);
    } catch (const Error&) {
    }
    current /= part;
  }
  try {
    write_file(current / "cgroup.subtree_control", enable);
  } catch (const Error&) {
  }
}

// Moves the calling process to each hierarchy's root, so that removing a
// cgroup it created does not kill it.
void leave_self(const fs::path& root) noexcept {
  try {
    std::vector<fs::path> roots =
        is_unified(root) ? std::vector<fs::path>{root} : v1_hierarchies(root);
    for (const auto& r : roots) {
      try {
        write_file(r / "cgroup.procs", "0");
      } catch (const Error&) {
      }
    }
  } catch (...) {
  }
}

}  // namespace

std::string cgroup_relative_path(const std::string& cgroups_path, const std::string& id) {
  std::string path = cgroups_path;
  if (path.empty()) return "/" + id;
  if (path.front() != '/' && std::count(path.begin(), path.end(), ':') == 2) {
    size_t a = path.find(':'), b = path.find(':', a + 1);
    std::string slice = path.substr(0, a), prefix = path.substr(a + 1, b - a - 1),
                name = path.substr(b + 1);
    if (slice.empty()) slice = "system.slice";
    path = "/" + slice + "/" + (prefix.empty() ? name : prefix + "-" + name) + ".scope";
  }
  if (path.front() != '/') path = "/" + path;
  for (const auto& part : fs::path(path))
    if (part == "..") throw Error("linux.cgroupsPath: must not contain \"..\": " + cgroups_path);
  fs::path normal = fs::path(path).lexically_normal();
  for (const auto& part : normal)
    if (part == "..")
      throw Error("linux.cgroupsPath: must not leave the cgroup root: " + cgroups_path);
  std::string out = normal.string();
  if (out == "/") throw Error("linux.cgroupsPath: must not be the root cgroup");
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

HostCgroup::HostCgroup(HostCgroup&& o) noexcept
    : relative_(std::move(o.relative_)),
      mount_root_(std::move(o.mount_root_)),
      dirs_(std::move(o.dirs_)),
      unified_(o.unified_),
      kept_(std::exchange(o.kept_, true)) {}

HostCgroup& HostCgroup::operator=(HostCgroup&& o) noexcept {
  if (this != &o) {
    if (!kept_ && !dirs_.empty()) {
      leave_self(mount_root_);
      destroy(relative_, mount_root_);
    }
    relative_ = std::move(o.relative_);
    mount_root_ = std::move(o.mount_root_);
    dirs_ = std::move(o.dirs_);
    unified_ = o.unified_;
    kept_ = std::exchange(o.kept_, true);
  }
  return *this;
}

HostCgroup::~HostCgroup() {
  if (!kept_ && !dirs_.empty()) {
    leave_self(mount_root_);
    destroy(relative_, mount_root_);
  }
}

HostCgroup HostCgroup::create(const std::string& relative,
                              const std::optional<oci::Resources>& resources,
                              const fs::path& mount_root) {
  HostCgroup cg = existing(relative, mount_root);
  cg.kept_ = false;  // made here: removed with the container
  std::string rel = relative.starts_with("/") ? relative.substr(1) : relative;
  // A cgroupsPath naming a cgroup that already holds processes would hand
  // them to this container: `delete` kills everything in its cgroup. runc
  // 1.2 refuses such a cgroup too.
  for (const auto& dir : cg.dirs_) {
    std::error_code ec;
    if (!fs::exists(dir / "cgroup.procs", ec)) continue;
    std::istringstream procs(read_file(dir / "cgroup.procs"));
    size_t count = 0;
    for (pid_t pid; procs >> pid;) ++count;
    if (count > 0)
      throw Error("cgroup " + dir.string() + " is not empty: " + std::to_string(count) +
                  " process(es) found; a container needs a cgroup of its own (linux.cgroupsPath)");
  }
  if (cg.unified_) {
    enable_v2_controllers(mount_root, rel);
    make_dirs(mount_root, rel);
  } else {
    for (const auto& hierarchy : v1_hierarchies(mount_root)) make_dirs(hierarchy, rel);
  }
  if (resources) cg.apply(*resources);
  return cg;
}

HostCgroup HostCgroup::existing(const std::string& relative, const fs::path& mount_root) {
  HostCgroup cg;
  cg.relative_ = relative;
  cg.mount_root_ = mount_root;
  cg.unified_ = is_unified(mount_root);
  std::string rel = relative.starts_with("/") ? relative.substr(1) : relative;
  cg.dirs_ = cgroup_dirs(rel, mount_root, cg.unified_);
  cg.kept_ = true;
  return cg;
}

void HostCgroup::add_process(pid_t pid) const {
  for (const auto& dir : dirs_) write_file(dir / "cgroup.procs", std::to_string(pid));
}

std::vector<pid_t> HostCgroup::pids(const std::string& relative, const fs::path& mount_root) {
  std::vector<pid_t> out;
  std::string rel = relative.starts_with("/") ? relative.substr(1) : relative;
  if (rel.empty()) return out;
  for (const auto& dir : cgroup_dirs(rel, mount_root, is_unified(mount_root))) {
    if (!fs::exists(dir / "cgroup.procs")) continue;
    std::istringstream procs(read_file(dir / "cgroup.procs"));
    pid_t pid;
    while (procs >> pid) out.push_back(pid);
    break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void HostCgroup::apply(const oci::Resources& resources) const {
  if (unified_) {
    if (!dirs_.empty()) apply_v2(dirs_.front(), resources);
  } else {
    apply_v1(dirs_, resources);
  }
}

bool HostCgroup::destroy(const std::string& relative, const fs::path& mount_root) noexcept {
  try {
    std::string rel = relative.starts_with("/") ? relative.substr(1) : relative;
    if (rel.empty()) return false;
    bool ok = true;
    for (const auto& dir : cgroup_dirs(rel, mount_root, is_unified(mount_root))) {
      if (!fs::exists(dir)) continue;
      if (fs::exists(dir / "freezer.state")) {
        try {
          write_file(dir / "freezer.state", "THAWED");
        } catch (const Error&) {
        }
      }
      bool removed = false;
      for (int attempt = 0; attempt < 100 && !removed; ++attempt) {
        std::istringstream procs(read_file(dir / "cgroup.procs"));
        pid_t pid;
        while (procs >> pid) ::kill(pid, SIGKILL);
        removed = ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
        if (!removed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      ok = ok && removed;
    }
    return ok;
  } catch (...) {
    return false;
  }
}

}  // namespace chrunc::runtime
