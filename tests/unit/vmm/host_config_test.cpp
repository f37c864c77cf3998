#include "vmm/host_config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "build_config.hpp"
#include "common/error.hpp"
#include "test_dir.hpp"
#include "vmm/backend_choice.hpp"
#include "vmm/host_tsc.hpp"
#include "vmm/hypervisor.hpp"

namespace chrunc::vmm::test {
namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_host_config(yaml, "/etc/test.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(HostConfig, MissingFileGivesDefaults) {
  TestDir dir;
  HostConfig c = load_host_config(dir.path() / "absent.yaml");
  EXPECT_EQ(c.hypervisor, "auto");
  EXPECT_EQ(c.qemu_binary, "qemu-system-x86_64");
  EXPECT_EQ(c.cloud_hypervisor_binary, "cloud-hypervisor");
  EXPECT_EQ(c.virtiofsd_binary, "/usr/lib/qemu/virtiofsd");
  EXPECT_EQ(c.kernel, std::filesystem::path(build::kImageDir) / "vmlinux");
  EXPECT_EQ(c.initramfs, std::filesystem::path(build::kImageDir) / "initramfs.cpio");
  EXPECT_EQ(c.default_vcpus, 1u);
  EXPECT_EQ(c.default_memory_mib, 256u);
  EXPECT_EQ(c.tcg_translation_cache_mib, 28u);
  EXPECT_TRUE(c.virtiofsd_extra_args.empty());
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.seccomp);
  EXPECT_EQ(c.accel, "auto");
}

TEST(HostConfig, EmptyFileGivesDefaults) {
  EXPECT_EQ(parse_host_config("", "x").hypervisor, "auto");
  EXPECT_EQ(parse_host_config("# only a comment\n", "x").default_vcpus, 1u);
}

TEST(HostConfig, EveryKey) {
  TestDir dir;
  auto file = dir.path() / "ch-runc.yaml";
  std::ofstream(file) << "hypervisor: qemu\n"
                         "qemu_binary: /opt/qemu/bin/qemu-system-x86_64\n"
                         "cloud_hypervisor_binary: /opt/ch/cloud-hypervisor\n"
                         "virtiofsd_binary: /usr/libexec/virtiofsd\n"
                         "kernel: /srv/vmlinux\n"
                         "initramfs: /srv/initramfs.cpio\n"
                         "default_vcpus: 2\n"
                         "default_memory_mib: 1024\n"
                         "tcg_translation_cache_mib: 0\n"
                         "virtiofsd_extra_args: [\"-o\", \"xattr\"]\n"
                         "log_level: debug\n"
                         "seccomp: false\n"
                         "accel: tcg\n";
  HostConfig c = load_host_config(file);
  EXPECT_EQ(c.hypervisor, "qemu");
  EXPECT_EQ(c.qemu_binary, "/opt/qemu/bin/qemu-system-x86_64");
  EXPECT_EQ(c.cloud_hypervisor_binary, "/opt/ch/cloud-hypervisor");
  EXPECT_EQ(c.virtiofsd_binary, "/usr/libexec/virtiofsd");
  EXPECT_EQ(c.kernel, "/srv/vmlinux");
  EXPECT_EQ(c.initramfs, "/srv/initramfs.cpio");
  EXPECT_EQ(c.default_vcpus, 2u);
  EXPECT_EQ(c.default_memory_mib, 1024u);
  EXPECT_EQ(c.tcg_translation_cache_mib, 0u);
  EXPECT_EQ(c.virtiofsd_extra_args, (std::vector<std::string>{"-o", "xattr"}));
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_FALSE(c.seccomp);
  EXPECT_EQ(c.accel, "tcg");
}

TEST(HostConfig, ChrruncConfigEnvOverridesThePath) {
  TestDir dir;
  auto file = dir.path() / "other.yaml";
  std::ofstream(file) << "default_vcpus: 3\n";
  ::setenv("CHRUNC_CONFIG", file.c_str(), 1);
  EXPECT_EQ(default_host_config_path(), file);
  EXPECT_EQ(load_host_config().default_vcpus, 3u);
  ::unsetenv("CHRUNC_CONFIG");
  EXPECT_EQ(default_host_config_path(), build::kConfigFile);
}

TEST(HostConfig, StandInUserDefaultsToNobodyAndRefusesRoot) {
  EXPECT_EQ(parse_host_config("", "x").stand_in_user, "nobody");
  EXPECT_EQ(parse_host_config("stand_in_user: chrunc-standin\n", "x").stand_in_user,
            "chrunc-standin");
  EXPECT_EQ(parse_host_config("stand_in_user: \"1234:1234\"\n", "x").stand_in_user, "1234:1234");
  for (const char* root : {"root", "0", "\"0:0\"", "\"1000:0\"", "\"0:1000\"", "\"\""})
    EXPECT_EQ(error_of(std::string("stand_in_user: ") + root + "\n")
                  .rfind("host config: stand_in_user must name an unprivileged user", 0),
              0u)
        << root;
}

TEST(HostConfig, UnknownKeyNamesKeyAndFile) {
  EXPECT_EQ(error_of("hypervisor: qemu\nhypervsior: qemu\n"),
            "host config: unknown key \"hypervsior\" (/etc/test.yaml line 2)");
}

TEST(HostConfig, WrongTypeNamesKeyFileAndLine) {
  EXPECT_EQ(
      error_of("log_level: info\ndefault_vcpus: two\n"),
      "host config: default_vcpus must be a positive integer, not \"two\" (/etc/test.yaml line 2)");
  EXPECT_EQ(error_of("seccomp: maybe\n"),
            "host config: seccomp must be true or false, not \"maybe\" (/etc/test.yaml line 1)");
  EXPECT_EQ(error_of("\n\nvirtiofsd_extra_args: -o\n"),
            "host config: virtiofsd_extra_args must be a list of strings (/etc/test.yaml line 3)");
  EXPECT_EQ(error_of("kernel: [a, b]\n"),
            "host config: kernel must be a string (/etc/test.yaml line 1)");
  EXPECT_EQ(error_of("hypervisor: firecracker\n"),
            "host config: hypervisor must be one of auto|cloud-hypervisor|qemu, not "
            "\"firecracker\" (/etc/test.yaml "
            "line 1)");
  EXPECT_EQ(error_of("default_memory_mib: -5\n"),
            "host config: default_memory_mib must be a positive integer, not \"-5\" "
            "(/etc/test.yaml line 1)");
}

TEST(HostConfig, MalformedYamlNamesFileAndLine) {
  EXPECT_NE(error_of("a: [\n").find("/etc/test.yaml line"), std::string::npos);
  EXPECT_EQ(error_of("- a\n- b\n"),
            "host config: /etc/test.yaml must be a mapping of keys to values");
}

// A judge that must not be asked (the choice should not depend on KVM).
KvmVerdict never_asked(const BackendChoice&) {
  ADD_FAILURE() << "the KVM judge was asked";
  return {};
}

TEST(HostConfig, DescribeHostReportsEveryPiece) {
  HostConfig c = parse_host_config("", "x");
  c.kernel = "/nonexistent/vmlinux";
  c.cloud_hypervisor_binary = "no-such-cloud-hypervisor";
  c.kvm_device = "/nonexistent/kvm";
  std::string report = describe_host(c, [](const BackendChoice&) {
    return KvmVerdict{false, "no usable KVM: /nonexistent/kvm: No such file or directory"};
  });
  std::cout << report;
  EXPECT_NE(report.find("kvm device: unusable: /nonexistent/kvm: No such file or directory"),
            std::string::npos);
  EXPECT_NE(report.find("kvm: cannot be used: no usable KVM"), std::string::npos);
  EXPECT_NE(report.find("cloud-hypervisor: not found (no-such-cloud-hypervisor)"),
            std::string::npos);
  EXPECT_NE(report.find("kernel: missing (/nonexistent/vmlinux)"), std::string::npos);
  EXPECT_NE(report.find("virtiofsd: "), std::string::npos);
  EXPECT_NE(report.find("containers: cannot run"), std::string::npos);
}

TEST(HostConfig, ProbeAndBootTimeouts) {
  HostConfig c = parse_host_config(
      "kvm_probe_timeout: 7\nboot_timeout: 30\nkvm_device: /tmp/k\nprobe_cache_dir: /tmp/p\n", "x");
  EXPECT_EQ(c.kvm_probe_timeout_s, 7u);
  EXPECT_EQ(c.boot_timeout_s, 30u);
  EXPECT_EQ(c.kvm_device, "/tmp/k");
  EXPECT_EQ(c.probe_cache_dir, "/tmp/p");
  EXPECT_EQ(error_of("boot_timeout: 0\n"),
            "host config: boot_timeout must be 1 to 3600 seconds (/etc/test.yaml line 1)");
  EXPECT_EQ(error_of("probe_cache_dir: run\n"),
            "host config: probe_cache_dir must be an absolute path (/etc/test.yaml line 1)");
}

TEST(BackendChoice, ExplicitChoicesAndTheirNeeds) {
  HostConfig c = parse_host_config("", "x");
  c.hypervisor = "qemu";
  c.qemu_binary = "no-such-qemu";
  EXPECT_THROW(choose_backend(c, never_asked), Error);
  c.hypervisor = "cloud-hypervisor";
  c.cloud_hypervisor_binary = "no-such-ch";
  EXPECT_THROW(choose_backend(c, never_asked), Error);
  if (find_executable("qemu-system-x86_64").empty())
    GTEST_SKIP() << "no qemu-system-x86_64 on this host";
  c.hypervisor = "auto";
  c.qemu_binary = "qemu-system-x86_64";
  c.accel = "tcg";
  BackendChoice choice = choose_backend(c, never_asked);
  EXPECT_EQ(choice.kind, BackendChoice::Kind::QemuTcg);
  auto hv = make_hypervisor(choice, c);
  EXPECT_EQ(hv->name(), "qemu-tcg");
  EXPECT_EQ(hv->pid(), 0);
}

TEST(HostConfig, PoolIsOffByDefaultAndTakesTheDefaultShape) {
  HostConfig c = parse_host_config("default_vcpus: 2\ndefault_memory_mib: 512\n", "t");
  EXPECT_EQ(c.pool.size, 0u);
  EXPECT_EQ(c.pool.vcpus, 2u);
  EXPECT_EQ(c.pool.memory_mib, 512u);
  EXPECT_EQ(c.pool.nics, 0u);
  EXPECT_EQ(c.pool.dir, "/run/ch-runc/pool");
  EXPECT_EQ(c.pool.tcg_translation_cache_mib, 48u);
  HostConfig d = parse_host_config("", "t");
  EXPECT_EQ(d.pool.vcpus, 1u);
  EXPECT_EQ(d.pool.memory_mib, 256u);
}

TEST(HostConfig, PoolKeys) {
  HostConfig c = parse_host_config(
      "pool:\n  size: 3\n  vcpus: 2\n  memory_mib: 384\n  nics: 0\n  dir: /tmp/p\n"
      "  tcg_translation_cache_mib: 24\n",
      "t");
  EXPECT_EQ(c.pool.size, 3u);
  EXPECT_EQ(c.pool.tcg_translation_cache_mib, 24u);
  EXPECT_EQ(c.pool.vcpus, 2u);
  EXPECT_EQ(c.pool.memory_mib, 384u);
  EXPECT_EQ(c.pool.dir, "/tmp/p");
}

TEST(HostConfig, PoolRefusesBadValues) {
  EXPECT_NE(error_of("pool: 3\n").find("pool must be a mapping"), std::string::npos);
  EXPECT_NE(error_of("pool:\n  size: 65\n").find("pool.size must be at most 64"),
            std::string::npos);
  EXPECT_NE(error_of("pool:\n  size: -1\n").find("pool.size"), std::string::npos);
  EXPECT_NE(error_of("pool:\n  vcpus: 0\n").find("pool.vcpus must be 1 to 64"), std::string::npos);
  EXPECT_NE(error_of("pool:\n  memory_mib: 32\n").find("pool.memory_mib"), std::string::npos);
  EXPECT_NE(error_of("pool:\n  nics: 1\n").find("pool.nics must be 0"), std::string::npos);
  EXPECT_NE(error_of("pool:\n  dir: rel\n").find("pool.dir must be an absolute"),
            std::string::npos);
  EXPECT_NE(error_of("pool:\n  tcg_translation_cache_mib: 4097\n")
                .find("pool.tcg_translation_cache_mib must be at most 4096"),
            std::string::npos);
  EXPECT_NE(error_of("pool:\n  sise: 1\n").find("unknown key \"pool.sise\""), std::string::npos);
}

TEST(HostTsc, SysfsFirstThenCpuinfo) {
  TestDir dir;
  std::ofstream(dir.path() / "tsc") << "2893000\n";
  std::ofstream(dir.path() / "cpuinfo")
      << "processor\t: 0\ncpu MHz\t\t: 2096.025\nprocessor\t: 1\ncpu MHz\t\t: 1.0\n";
  EXPECT_EQ(host_tsc_khz(dir.path() / "tsc", dir.path() / "cpuinfo"), 2893000u);
  EXPECT_EQ(host_tsc_khz(dir.path() / "absent", dir.path() / "cpuinfo"), 2096025u);
  EXPECT_EQ(host_tsc_khz(dir.path() / "absent", dir.path() / "absent"), std::nullopt);
  EXPECT_TRUE(host_tsc_khz().has_value());
}

}  // namespace
}  // namespace chrunc::vmm::test
