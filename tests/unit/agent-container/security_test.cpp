// The security engineer's process attributes (agent/container/security/),
// called by the container's init in runc's order, seen from inside; and
// the cgroup (pause/resume, pids, signal all, stats) on a cgroup2 mount.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/error.hpp"
#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {
using test::Bundle;
using test::default_spec;
using test::run_container;

TEST(Security, UserCapabilitiesNoNewPrivsRlimits) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(
      bundle.rootfs(),
      "id -u; id -g; id -G; umask; grep -E '^(CapBnd|CapEff|CapPrm|NoNewPrivs)' /proc/self/status;"
      "ulimit -n; cat /proc/self/oom_score_adj");
  spec.process->user.uid = 1000;
  spec.process->user.gid = 1000;
  spec.process->user.additional_gids = {10, 20};
  spec.process->user.umask = 077;
  // A non-root user keeps capabilities across execve only through the ambient set.
  spec.process->capabilities->inheritable = spec.process->capabilities->bounding;
  spec.process->capabilities->ambient = spec.process->capabilities->bounding;
  spec.process->oom_score_adj = 500;
  spec.process->rlimits = {{"RLIMIT_NOFILE", 2048, 1500}};
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // CAP_KILL(5) CAP_NET_BIND_SERVICE(10) CAP_AUDIT_WRITE(29): 0x20000420.
  EXPECT_EQ(result.out,
            "1000\n1000\n1000 10 20\n0077\n"
            "CapPrm:\t0000000020000420\nCapEff:\t0000000020000420\nCapBnd:\t0000000020000420\n"
            "NoNewPrivs:\t1\n1500\n500\n")
      << result.err;
}

TEST(Security, Sysctl) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(), "cat /proc/sys/net/ipv4/ip_forward");
  spec.linux->sysctl = {{"net.ipv4.ip_forward", "1"}};
  auto result = run_container(spec);
  EXPECT_EQ(result.out, "1\n") << result.err;
}

TEST(Security, SeccompWithAndWithoutNoNewPrivileges) {
  REQUIRE_ROOT();
  for (bool nnp : {true, false}) {
    Bundle bundle;
    auto spec = default_spec(bundle.rootfs(), "mkdir /tmp/d; echo rc=$?");
    spec.process->no_new_privileges = nnp;
    oci::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    seccomp.syscalls.push_back({{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 1, {}});
    spec.linux->seccomp = seccomp;
    auto result = run_container(spec);
    EXPECT_EQ(result.out, "rc=1\n") << "nnp=" << nnp << " " << result.err;
    EXPECT_NE(result.err.find("Operation not permitted"), std::string::npos) << result.err;
  }
}

TEST(Security, UnknownCapabilityIsACreateError) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.spec = default_spec(bundle.rootfs(), "true");
  options.spec.process->capabilities->bounding.push_back("CAP_NO_SUCH_THING");
  EXPECT_THROW(Container::create(std::move(options), reaper), Error);
  EXPECT_TRUE(test::mounts_under(bundle.dir()).empty());
}

TEST(Cgroup, PlacementPauseResumePidsSignalAllAndRemoval) {
  REQUIRE_ROOT();
  std::string cgroup_root = test::cgroup2_root();
  if (cgroup_root.empty()) GTEST_SKIP() << "no cgroup2 mount could be made on this host";
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "cg";
  options.cgroup_root = cgroup_root;
  options.spec =
      default_spec(bundle.rootfs(), "grep ^0:: /proc/self/cgroup; sleep 100 & sleep 100");
  options.spec.linux->cgroups_path = "/chrunc-container-test/" + std::to_string(::getpid());
  options.spec.linux->namespaces.push_back({"cgroup", ""});
  const std::string cgroup_dir = cgroup_root + options.spec.linux->cgroups_path;
  auto container = Container::create(std::move(options), reaper);
  ProcessStdio stdio = container->take_init_stdio();
  ASSERT_TRUE(std::filesystem::is_directory(cgroup_dir));
  std::ifstream procs(cgroup_dir + "/cgroup.procs");
  pid_t listed = 0;
  procs >> listed;
  EXPECT_EQ(listed, container->init_pid());
  container->start();
  char line[8] = {};
  ASSERT_EQ(::read(stdio.stdout_read.get(), line, 5), 5);
  EXPECT_EQ(std::string(line), "0::/\n");  // the cgroup namespace's root is the container's cgroup
  for (int i = 0; i < 50 && container->pids().size() < 2; ++i) ::usleep(20000);
  EXPECT_EQ(container->pids().size(), 2u);
  container->pause();
  std::ifstream events(cgroup_dir + "/cgroup.events");
  std::string events_text((std::istreambuf_iterator<char>(events)), {});
  EXPECT_NE(events_text.find("frozen 1"), std::string::npos) << events_text;
  container->resume();
  EXPECT_EQ(container->stats().pids_current, 0u);  // no pids controller on a v1 host: 0
  container->signal(SIGKILL, true);
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 128 + SIGKILL);
  EXPECT_TRUE(container->pids().empty());
  container->destroy();
  EXPECT_FALSE(std::filesystem::exists(cgroup_dir));
  ::rmdir((cgroup_root + "/chrunc-container-test").c_str());
}

}  // namespace
}  // namespace chrunc::container
