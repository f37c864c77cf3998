#include "vmm/host_config.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "build_config.hpp"
#include "common/error.hpp"

namespace chrunc::vmm {
namespace {

std::string where(const YAML::Node& node, const std::string& origin) {
  return origin + " line " + std::to_string(node.Mark().line + 1);
}

template <typename T>
T scalar(const YAML::Node& node, const std::string& key, const std::string& origin,
         const char* type) {
  if (!node.IsScalar())
    throw Error("host config: " + key + " must be " + type + " (" + where(node, origin) + ")");
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw Error("host config: " + key + " must be " + type + ", not \"" + node.Scalar() + "\" (" +
                where(node, origin) + ")");
  }
}

std::string choice(const YAML::Node& node, const std::string& key, const std::string& origin,
                   std::initializer_list<const char*> allowed) {
  auto value = scalar<std::string>(node, key, origin, "a string");
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return value;
    list += list.empty() ? a : std::string("|") + a;
  }
  throw Error("host config: " + key + " must be one of " + list + ", not \"" + value + "\" (" +
              where(node, origin) + ")");
}

// A timeout in whole seconds, 1 to 3600.
unsigned seconds(const YAML::Node& node, const std::string& key, const std::string& origin) {
  auto value = scalar<unsigned>(node, key, origin, "a number of seconds");
  if (value == 0 || value > 3600)
    throw Error("host config: " + key + " must be 1 to 3600 seconds (" + where(node, origin) + ")");
  return value;
}

// The `pool:` mapping (PoolConfig).
void set_pool(PoolConfig& pool, const YAML::Node& node, const std::string& origin) {
  if (node.IsNull()) return;
  if (!node.IsMap())
    throw Error("host config: pool must be a mapping (" + where(node, origin) + ")");
  for (const auto& entry : node) {
    const std::string key = "pool." + entry.first.as<std::string>();
    const YAML::Node& n = entry.second;
    auto fail = [&](const std::string& what) {
      throw Error("host config: " + key + " " + what + " (" + where(n, origin) + ")");
    };
    if (key == "pool.size") {
      pool.size = scalar<unsigned>(n, key, origin, "a non-negative integer");
      if (pool.size > 64) fail("must be at most 64");
    } else if (key == "pool.vcpus") {
      pool.vcpus = scalar<unsigned>(n, key, origin, "a positive integer");
      if (pool.vcpus == 0 || pool.vcpus > 64) fail("must be 1 to 64");
    } else if (key == "pool.memory_mib") {
      pool.memory_mib = scalar<uint64_t>(n, key, origin, "a positive integer");
      if (pool.memory_mib < 64 || pool.memory_mib > 1024 * 1024) fail("must be 64 to 1048576");
    } else if (key == "pool.nics") {
      pool.nics = scalar<unsigned>(n, key, origin, "a non-negative integer");
      if (pool.nics != 0)
        fail("must be 0: standbys boot without NICs (containers with interfaces boot cold)");
    } else if (key == "pool.tcg_translation_cache_mib") {
      pool.tcg_translation_cache_mib = scalar<uint64_t>(n, key, origin, "a non-negative integer");
      if (pool.tcg_translation_cache_mib > 4096) fail("must be at most 4096");
    } else if (key == "pool.dir") {
      pool.dir = scalar<std::string>(n, key, origin, "a string");
      if (!pool.dir.is_absolute() || pool.dir == "/") fail("must be an absolute path below /");
    } else {
      throw Error("host config: unknown key \"" + key + "\" (" + where(entry.first, origin) + ")");
    }
  }
}

using Setter = std::function<void(HostConfig&, const YAML::Node&, const std::string& key,
                                  const std::string& origin)>;

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"hypervisor",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.hypervisor = choice(n, k, o, {"auto", "cloud-hypervisor", "qemu"});
       }},
      {"qemu_binary",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.qemu_binary = scalar<std::string>(n, k, o, "a string");
       }},
      {"cloud_hypervisor_binary",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.cloud_hypervisor_binary = scalar<std::string>(n, k, o, "a string");
       }},
      {"virtiofsd_binary",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.virtiofsd_binary = scalar<std::string>(n, k, o, "a string");
       }},
      {"kernel", [](HostConfig& c, const YAML::Node& n, const std::string& k,
                    const std::string& o) { c.kernel = scalar<std::string>(n, k, o, "a string"); }},
      {"initramfs",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.initramfs = scalar<std::string>(n, k, o, "a string");
       }},
      {"default_vcpus",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.default_vcpus = scalar<unsigned>(n, k, o, "a positive integer");
         if (c.default_vcpus == 0)
           throw Error("host config: " + k + " must be at least 1 (" + where(n, o) + ")");
       }},
      {"default_memory_mib",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.default_memory_mib = scalar<uint64_t>(n, k, o, "a positive integer");
         if (c.default_memory_mib < 64)
           throw Error("host config: " + k + " must be at least 64 (" + where(n, o) + ")");
       }},
      {"tcg_translation_cache_mib",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.tcg_translation_cache_mib = scalar<uint64_t>(n, k, o, "a non-negative integer");
         if (c.tcg_translation_cache_mib > 4096)
           throw Error("host config: " + k + " must be at most 4096 (" + where(n, o) + ")");
       }},
      {"virtiofsd_extra_args",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         if (!n.IsSequence())
           throw Error("host config: " + k + " must be a list of strings (" + where(n, o) + ")");
         c.virtiofsd_extra_args.clear();
         for (const auto& item : n)
           c.virtiofsd_extra_args.push_back(scalar<std::string>(item, k, o, "a string"));
       }},
      {"log_level",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.log_level = choice(n, k, o, {"debug", "info", "warn", "error"});
       }},
      {"seccomp", [](HostConfig& c, const YAML::Node& n, const std::string& k,
                     const std::string& o) { c.seccomp = scalar<bool>(n, k, o, "true or false"); }},
      {"accel",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.accel = choice(n, k, o, {"auto", "kvm", "tcg"});
       }},
      {"kvm_device",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.kvm_device = scalar<std::string>(n, k, o, "a string");
       }},
      {"probe_cache_dir",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         c.probe_cache_dir = scalar<std::string>(n, k, o, "a string");
         if (!c.probe_cache_dir.is_absolute())
           throw Error("host config: " + k + " must be an absolute path (" + where(n, o) + ")");
       }},
      {"kvm_probe_timeout", [](HostConfig& c, const YAML::Node& n, const std::string& k,
                               const std::string& o) { c.kvm_probe_timeout_s = seconds(n, k, o); }},
      {"boot_timeout", [](HostConfig& c, const YAML::Node& n, const std::string& k,
                          const std::string& o) { c.boot_timeout_s = seconds(n, k, o); }},
      {"stand_in_user",
       [](HostConfig& c, const YAML::Node& n, const std::string& k, const std::string& o) {
         // Resolved by the monitor (runtime/relays/stand_in_user.hpp); refused here
         // when plainly root, so that `ch-runc check` says so.
         c.stand_in_user = scalar<std::string>(n, k, o, "a user name, uid or uid:gid");
         const std::string& u = c.stand_in_user;
         if (u.empty() || u == "root" || u == "0" || u.rfind("0:", 0) == 0 ||
             (u.size() > 2 && u.compare(u.size() - 2, 2, ":0") == 0))
           throw Error("host config: " + k + " must name an unprivileged user, not \"" + u +
                       "\" (" + where(n, o) + ")");
       }},
      {"pool", [](HostConfig& c, const YAML::Node& n, const std::string&,
                  const std::string& o) { set_pool(c.pool, n, o); }},
  };
  return table;
}

// The pool's shape, where not given, is the default VM's.
HostConfig with_pool_shape(HostConfig config) {
  if (config.pool.vcpus == 0) config.pool.vcpus = config.default_vcpus;
  if (config.pool.memory_mib == 0) config.pool.memory_mib = config.default_memory_mib;
  return config;
}

HostConfig defaults() {
  HostConfig config;
  config.kernel = std::filesystem::path(build::kImageDir) / "vmlinux";
  config.initramfs = std::filesystem::path(build::kImageDir) / "initramfs.cpio";
  return config;
}

}  // namespace

std::filesystem::path default_host_config_path() {
  if (const char* env = std::getenv("CHRUNC_CONFIG"); env != nullptr && *env != '\0') return env;
  return build::kConfigFile;
}

HostConfig parse_host_config(const std::string& yaml, const std::string& origin) {
  HostConfig config = defaults();
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw Error("host config: " + origin + " line " + std::to_string(e.mark.line + 1) + ": " +
                e.msg);
  }
  if (root.IsNull()) return with_pool_shape(config);
  if (!root.IsMap()) throw Error("host config: " + origin + " must be a mapping of keys to values");
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    auto setter = setters().find(key);
    if (setter == setters().end())
      throw Error("host config: unknown key \"" + key + "\" (" + where(entry.first, origin) + ")");
    setter->second(config, entry.second, key, origin);
  }
  return with_pool_shape(config);
}

HostConfig load_host_config(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return with_pool_shape(defaults());
  std::ifstream in(path);
  if (!in) throw_errno("host config: open " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_host_config(text.str(), path.string());
}

std::string find_executable(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace chrunc::vmm
