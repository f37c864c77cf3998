// The state store: one directory per container under --root. See state_store.hpp.
#include "runtime/store/state_store.hpp"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>

#include "common/error.hpp"
#include "runtime/host/container_share.hpp"
#include "runtime/store/socket_dir.hpp"

namespace chrunc::runtime {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRecordFile = "container.json";
constexpr const char* kLockFile = "lock";
// Longest id accepted: a directory name must fit NAME_MAX.
constexpr size_t kMaxIdLength = 255;

[[noreturn]] void throw_not_found(const std::string& id) {
  throw Error("container \"" + id + "\" does not exist", ENOENT);
}

bool id_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '-' || c == '.';
}

bool is_valid_id(const std::string& id) {
  if (id.empty() || id.size() > kMaxIdLength || id == "." || id == "..") return false;
  for (char c : id) {
    if (!id_char_ok(c)) return false;
  }
  return true;
}

// mkdir -p with mode 0700 for every component created.
void make_dirs(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return;
  if (path.has_parent_path() && path.parent_path() != path) make_dirs(path.parent_path());
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    throw_errno("create state directory " + path.string());
  }
}

void flock_exclusive(int fd, const fs::path& path) {
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) throw_errno("lock " + path.string());
  }
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write " + path.string());
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void fsync_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());  // best effort: the rename itself is what makes the write atomic
}

// A fresh name under root that can never be a container id ('~' is not allowed in ids).
fs::path temp_reservation_dir(const fs::path& root) {
  static std::atomic<unsigned> counter{0};
  return root / ("~reserve-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

std::string serialize(const ContainerRecord& record) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("id");
  w.String(record.id.c_str());
  w.Key("bundle");
  w.String(record.bundle.c_str());
  w.Key("rootfs");
  w.String(record.rootfs.c_str());
  w.Key("status");
  w.String(to_string(record.status));
  w.Key("monitorPid");
  w.Int(record.monitor_pid);
  w.Key("monitorStartTime");
  w.Uint64(record.monitor_start_time);
  if (record.vmm_pid > 0) {
    w.Key("vmmPid");
    w.Int(record.vmm_pid);
    w.Key("vmmStartTime");
    w.Uint64(record.vmm_start_time);
  }
  w.Key("created");
  w.String(record.created.c_str());
  w.Key("owner");
  w.String(record.owner.c_str());
  w.Key("annotations");
  w.StartObject();
  for (const auto& [key, value] : record.annotations) {
    w.Key(key.c_str());
    w.String(value.c_str());
  }
  w.EndObject();
  if (record.exit_code) {
    w.Key("exitCode");
    w.Int(*record.exit_code);
  }
  w.Key("cgroupsPath");
  w.String(record.cgroups_path.c_str());
  w.EndObject();
  std::string text(buffer.GetString(), buffer.GetSize());
  text += '\n';
  return text;
}

ContainerRecord deserialize(const std::string& text, const fs::path& path) {
  auto corrupt = [&](const std::string& why) -> Error {
    return Error("corrupt state file " + path.string() + ": " + why);
  };
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) throw corrupt("not a JSON object");
  auto string_member = [&](const char* name) -> std::string {
    auto it = doc.FindMember(name);
    if (it == doc.MemberEnd()) return {};
    if (!it->value.IsString()) throw corrupt(std::string(name) + " must be a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  ContainerRecord record;
  record.id = string_member("id");
  record.bundle = string_member("bundle");
  record.rootfs = string_member("rootfs");
  try {
    record.status = status_from_string(string_member("status"));
  } catch (const Error& e) {
    throw corrupt(e.what());
  }
  if (auto it = doc.FindMember("monitorPid"); it != doc.MemberEnd()) {
    if (!it->value.IsInt()) throw corrupt("monitorPid must be an integer");
    record.monitor_pid = it->value.GetInt();
  }
  if (auto it = doc.FindMember("monitorStartTime"); it != doc.MemberEnd()) {
    if (!it->value.IsUint64()) throw corrupt("monitorStartTime must be an unsigned integer");
    record.monitor_start_time = it->value.GetUint64();
  }
  if (auto it = doc.FindMember("vmmPid"); it != doc.MemberEnd()) {
    if (!it->value.IsInt()) throw corrupt("vmmPid must be an integer");
    record.vmm_pid = it->value.GetInt();
  }
  if (auto it = doc.FindMember("vmmStartTime"); it != doc.MemberEnd()) {
    if (!it->value.IsUint64()) throw corrupt("vmmStartTime must be an unsigned integer");
    record.vmm_start_time = it->value.GetUint64();
  }
  record.created = string_member("created");
  record.owner = string_member("owner");
  if (auto it = doc.FindMember("annotations"); it != doc.MemberEnd()) {
    if (!it->value.IsObject()) throw corrupt("annotations must be an object");
    for (const auto& member : it->value.GetObject()) {
      if (!member.value.IsString()) throw corrupt("annotations values must be strings");
      record.annotations.emplace(member.name.GetString(), member.value.GetString());
    }
  }
  if (auto it = doc.FindMember("exitCode"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsInt()) throw corrupt("exitCode must be an integer");
    record.exit_code = it->value.GetInt();
  }
  record.cgroups_path = string_member("cgroupsPath");
  return record;
}

}  // namespace

void validate_container_id(const std::string& id) {
  if (id.empty()) throw Error("container id cannot be empty", EINVAL);
  if (!is_valid_id(id)) throw Error("invalid container id \"" + id + "\"", EINVAL);
}

const char* to_string(Status status) {
  switch (status) {
    case Status::kCreating:
      return "creating";
    case Status::kCreated:
      return "created";
    case Status::kRunning:
      return "running";
    case Status::kPaused:
      return "paused";
    case Status::kStopped:
      return "stopped";
  }
  return "stopped";
}

Status status_from_string(const std::string& text) {
  if (text == "creating") return Status::kCreating;
  if (text == "created") return Status::kCreated;
  if (text == "running") return Status::kRunning;
  if (text == "paused") return Status::kPaused;
  if (text == "stopped") return Status::kStopped;
  throw Error("unknown container status \"" + text + "\"");
}

StateStore::StateStore(fs::path root) : root_(std::move(root)) {}

fs::path StateStore::dir(const std::string& id) const {
  validate_container_id(id);
  return root_ / id;
}

ContainerLock StateStore::reserve(const std::string& id) {
  const fs::path final_dir = dir(id);
  make_dirs(root_);
  // Build the directory, lock file included, under a name no id can have, lock
  // it, then move it into place without replacing anything: the container
  // appears already locked, and a duplicate id leaves the store untouched.
  const fs::path temp = temp_reservation_dir(root_);
  check_syscall(::mkdir(temp.c_str(), 0700), "create " + temp.string());
  const fs::path temp_lock = temp / kLockFile;
  UniqueFd fd(::open(temp_lock.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  auto discard_temp = [&] {
    ::unlink(temp_lock.c_str());
    ::rmdir(temp.c_str());
  };
  if (!fd) {
    int err = errno;
    discard_temp();
    throw_errno("create " + temp_lock.string(), err);
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    discard_temp();
    throw_errno("lock " + temp_lock.string(), err);
  }
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EINVAL || err == ENOSYS) {
      // The file system cannot rename without replacing: fall back to an exclusive mkdir.
      discard_temp();
      if (::mkdir(final_dir.c_str(), 0700) != 0) {
        if (errno == EEXIST) throw Error("container with id exists: " + id, EEXIST);
        throw_errno("create " + final_dir.string());
      }
      const fs::path lock_path = final_dir / kLockFile;
      fd.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
      if (!fd) throw_errno("create " + lock_path.string());
      flock_exclusive(fd.get(), lock_path);
      return ContainerLock(std::move(fd));
    }
    discard_temp();
    if (err == EEXIST || err == ENOTEMPTY) throw Error("container with id exists: " + id, EEXIST);
    throw_errno("create " + final_dir.string(), err);
  }
  return ContainerLock(std::move(fd));
}

ContainerLock StateStore::lock(const std::string& id) {
  const fs::path lock_path = dir(id) / kLockFile;
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR) throw_not_found(id);
    throw_errno("open " + lock_path.string());
  }
  flock_exclusive(fd.get(), lock_path);
  // The container may have been removed while we waited for its lock.
  struct stat st {};
  check_syscall(::fstat(fd.get(), &st), "stat " + lock_path.string());
  if (st.st_nlink == 0) throw_not_found(id);
  return ContainerLock(std::move(fd));
}

ContainerRecord StateStore::load(const std::string& id) const {
  const fs::path path = dir(id) / kRecordFile;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR) throw_not_found(id);
    throw_errno("open " + path.string());
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read " + path.string());
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ContainerRecord record = deserialize(text, path);
  if (record.id != id) {
    throw Error("corrupt state file " + path.string() + ": id \"" + record.id +
                "\" does not match");
  }
  return record;
}

void StateStore::save(const ContainerRecord& record) const {
  const fs::path container_dir = dir(record.id);
  struct stat st {};
  if (::stat(container_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw_not_found(record.id);
  const fs::path path = container_dir / kRecordFile;
  std::string temp = (container_dir / ".container.json.XXXXXX").string();
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) throw_errno("create " + temp);
  try {
    check_syscall(::fchmod(fd.get(), 0600), "chmod " + temp);
    write_all(fd.get(), serialize(record), temp);
    check_syscall(::fsync(fd.get()), "fsync " + temp);
    fd.reset();
    check_syscall(::rename(temp.c_str(), path.c_str()), "rename " + temp + " to " + path.string());
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  fsync_dir(container_dir);
}

void StateStore::remove(const std::string& id) const {
  const fs::path container_dir = dir(id);
  struct stat st {};
  if (::lstat(container_dir.c_str(), &st) != 0) {
    if (errno == ENOENT) throw_not_found(id);
    throw_errno("stat " + container_dir.string());
  }
  // The share's mounts first (a killed monitor leaves them when it had no
  // mount namespace of its own): remove_all must never walk into host files.
  remove_container_share(container_dir);
  std::error_code ec;
  fs::remove_all(container_dir, ec);
  if (ec) throw Error("remove " + container_dir.string() + ": " + ec.message(), ec.value());
  remove_socket_dir(container_dir);
}

std::vector<std::string> StateStore::list_ids() const {
  std::vector<std::string> ids;
  std::error_code ec;
  fs::directory_iterator it(root_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return ids;
    throw Error("read state root " + root_.string() + ": " + ec.message(), ec.value());
  }
  for (const fs::directory_entry& entry : it) {
    std::string name = entry.path().filename().string();
    std::error_code type_ec;
    if (!is_valid_id(name) || !entry.is_directory(type_ec)) continue;
    ids.push_back(std::move(name));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

namespace {

struct ProcStat {
  char state = 0;
  uint64_t start_time = 0;
};

// Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat; nullopt when there is no such process.
std::optional<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  ProcStat stat;
  std::string field;
  for (int number = 3; number <= 22 && fields >> field; ++number) {
    if (number == 3) stat.state = field.empty() ? 0 : field[0];
    if (number == 22) {
      try {
        stat.start_time = std::stoull(field);
      } catch (const std::exception&) {
        return std::nullopt;
      }
      return stat;
    }
  }
  return std::nullopt;
}

}  // namespace

uint64_t process_start_time(pid_t pid) {
  auto stat = read_proc_stat(pid);
  // A zombie (Z) or dead (X) process is gone as far as the container is concerned.
  if (!stat || stat->state == 'Z' || stat->state == 'X') return 0;
  return stat->start_time;
}

bool monitor_alive(pid_t pid, uint64_t start_time) {
  uint64_t now = process_start_time(pid);
  if (now == 0) return false;
  return start_time == 0 || now == start_time;
}

}  // namespace chrunc::runtime
