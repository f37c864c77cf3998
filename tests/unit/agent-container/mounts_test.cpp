// Spec mounts and their options, masked/readonly paths, root.readonly,
// pivot and no-pivot, cwd/env/hostname, hooks.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/error.hpp"
#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {
using test::Bundle;
using test::default_spec;
using test::run_container;

// The mountinfo line of the mount at `point` (last one wins).
std::string mount_line(const std::string& mountinfo, const std::string& point) {
  std::istringstream in(mountinfo);
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mp;
    fields >> id >> parent >> devno >> root >> mp;
    if (mp == point) found = line;
  }
  return found;
}

TEST(Mounts, DefaultMountsMaskedAndReadonlyPaths) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto result = run_container(
      default_spec(bundle.rootfs(),
                   "cat /proc/self/mountinfo; echo keys=$(wc -c < /proc/keys); echo fw=$(ls "
                   "/sys/firmware | wc -l);"
                   "echo x > /proc/sys/kernel/domainname || echo sysctl-write-refused"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_NE(mount_line(out, "/proc").find(" - proc "), std::string::npos) << out;
  EXPECT_NE(mount_line(out, "/dev").find(" - tmpfs "), std::string::npos) << out;
  EXPECT_NE(mount_line(out, "/dev/pts").find(" - devpts "), std::string::npos) << out;
  EXPECT_NE(mount_line(out, "/dev/pts").find("ptmxmode=666"), std::string::npos) << out;
  EXPECT_NE(mount_line(out, "/dev/mqueue").find(" - mqueue "), std::string::npos) << out;
  EXPECT_NE(mount_line(out, "/sys").find(" ro,"), std::string::npos) << out;
  EXPECT_NE(mount_line(out, "/proc/sys").find(" ro,"), std::string::npos) << out;
  EXPECT_NE(mount_line(out, "/sys/firmware").find(" - tmpfs "), std::string::npos) << out;
  EXPECT_NE(out.find("keys=0\n"), std::string::npos) << out;
  EXPECT_FALSE(mount_line(out, "/proc/keys").empty()) << "/proc/keys is not masked";
  EXPECT_NE(out.find("fw=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("sysctl-write-refused"), std::string::npos) << out;
  // "/" is private by default: no "shared:" tag.
  EXPECT_EQ(mount_line(out, "/").find("shared:"), std::string::npos) << mount_line(out, "/");
  EXPECT_TRUE(test::mounts_under(bundle.dir()).empty()) << "mounts leaked to the host";
}

TEST(Mounts, BindTmpfsOptionsAndPropagation) {
  REQUIRE_ROOT();
  Bundle bundle;
  std::string host_dir = bundle.dir() + "/shared";
  std::filesystem::create_directories(host_dir);
  std::ofstream(host_dir + "/hello") << "from host\n";
  std::ofstream(bundle.dir() + "/single") << "one file\n";
  auto spec = default_spec(
      bundle.rootfs(),
      "cat /data/hello; touch /data/new 2>/dev/null || echo ro-refused; cat /etc/single;"
      "stat -c 'mode=%a' /scratch; cat /proc/self/mountinfo");
  spec.mounts.push_back(
      {"/data", "bind", host_dir, {"rbind", "ro", "nosuid", "nodev", "rshared"}, {}, {}});
  spec.mounts.push_back({"/etc/single", "none", bundle.dir() + "/single", {"bind", "ro"}, {}, {}});
  spec.mounts.push_back(
      {"/scratch", "tmpfs", "tmpfs", {"nosuid", "noexec", "size=1m", "mode=1777"}, {}, {}});
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_NE(out.find("from host\nro-refused\none file\nmode=1777\n"), std::string::npos) << out;
  std::string data = mount_line(out, "/data");
  EXPECT_NE(data.find(" ro,nosuid,nodev"), std::string::npos) << data;
  EXPECT_NE(data.find("shared:"), std::string::npos) << data;
  std::string scratch = mount_line(out, "/scratch");
  EXPECT_NE(scratch.find("nosuid"), std::string::npos) << scratch;
  EXPECT_NE(scratch.find("noexec"), std::string::npos) << scratch;
  EXPECT_NE(scratch.find("size=1024k"), std::string::npos) << scratch;
  EXPECT_TRUE(std::filesystem::is_regular_file(bundle.rootfs() + "/etc/single"));
}

// podman's --tmpfs passes "tmpcopyup": the tmpfs starts with the image's
// content of the directory it covers; the image itself is not written.
TEST(Mounts, TmpfsCopyUpKeepsTheImageContent) {
  REQUIRE_ROOT();
  Bundle bundle;
  std::string seed = bundle.rootfs() + "/seed";
  std::filesystem::create_directories(seed + "/sub/deeper");
  std::ofstream(seed + "/file") << "image content\n";
  std::ofstream(seed + "/sub/deeper/nested") << "nested\n";
  std::filesystem::create_symlink("file", seed + "/link");
  ASSERT_EQ(::chmod((seed + "/sub").c_str(), 0750), 0);
  ASSERT_EQ(::chown((seed + "/file").c_str(), 123, 456), 0);
  ASSERT_EQ(::mkfifo((seed + "/fifo").c_str(), 0640), 0);
  auto spec = default_spec(bundle.rootfs(),
                           "cat /seed/file /seed/sub/deeper/nested; readlink /seed/link;"
                           "stat -c '%a' /seed/sub; stat -c '%u:%g' /seed/file;"
                           "stat -c '%F' /seed/fifo; grep ' /seed ' /proc/mounts | cut -d' ' -f3;"
                           "echo new > /seed/new && echo written; touch /seed/ro 2>/dev/null ||"
                           " echo ro-refused");
  spec.mounts.push_back(
      {"/seed", "tmpfs", "tmpfs", {"rw", "nosuid", "nodev", "tmpcopyup", "size=1m"}, {}, {}});
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "image content\nnested\nfile\n750\n123:456\nfifo\ntmpfs\nwritten\n")
      << result.err;
  EXPECT_FALSE(std::filesystem::exists(seed + "/new")) << "the write reached the image";

  // read-only: filled first, then made read-only
  spec.mounts.back().options = {"ro", "tmpcopyup"};
  result = run_container(spec);
  EXPECT_NE(result.out.find("image content\n"), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("ro-refused"), std::string::npos) << result.out;
}

TEST(Mounts, RecursiveReadOnlyBind) {
  REQUIRE_ROOT();
  Bundle bundle;
  std::string host_dir = bundle.dir() + "/shared";
  std::filesystem::create_directories(host_dir);
  auto spec = default_spec(bundle.rootfs(),
                           "touch /data/x 2>/dev/null || echo rro-refused; grep ' /data ' "
                           "/proc/mounts | cut -d' ' -f4 | cut -d, -f1");
  spec.mounts.push_back({"/data", "bind", host_dir, {"rbind", "rro"}, {}, {}});
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "rro-refused\nro\n") << result.err;
}

TEST(Mounts, IdmappedMountIsRefusedClearly) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(), "true");
  spec.mounts.push_back({"/data", "bind", bundle.dir(), {"rbind", "idmap"}, {}, {}});
  try {
    run_container(spec);
    FAIL() << "an idmapped mount was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("idmapped mounts are not supported"), std::string::npos)
        << e.what();
  }
}

TEST(Mounts, SharedRootfsPropagationDoesNotLeakToTheHost) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.spec = default_spec(bundle.rootfs(), "awk '$5 == \"/\"' /proc/self/mountinfo");
  options.spec.linux->rootfs_propagation = "rshared";
  auto container = Container::create(std::move(options), reaper);
  EXPECT_TRUE(test::mounts_under(bundle.dir()).empty())
      << "container mounts propagated to the host";
  ProcessStdio stdio = container->take_init_stdio();
  container->start();
  std::string out, err;
  test::read_all(stdio, out, err);
  EXPECT_NE(out.find("shared:"), std::string::npos) << out;
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 0);
  container->destroy();
}

TEST(Mounts, DestinationSymlinkCannotEscapeTheRootfs) {
  REQUIRE_ROOT();
  Bundle bundle;
  std::string outside = bundle.dir() + "/outside";
  std::filesystem::create_directories(outside);
  // /escape -> ../../outside would leave the rootfs if followed on the host.
  std::filesystem::create_symlink("../../../../../../../.." + outside, bundle.rootfs() + "/escape");
  auto spec = default_spec(bundle.rootfs(), "grep -c ' " + outside + " ' /proc/self/mountinfo");
  spec.mounts.push_back({"/escape", "tmpfs", "tmpfs", {}, {}, {}});
  auto result = run_container(spec);
  EXPECT_EQ(result.out, "1\n") << result.err;  // at <rootfs><outside>: inside the rootfs
  EXPECT_TRUE(std::filesystem::is_empty(outside));
}

TEST(Mounts, Cgroup2Mount) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(), "grep ' /sys/fs/cgroup ' /proc/self/mountinfo");
  spec.mounts.push_back({"/sys/fs/cgroup",
                         "cgroup",
                         "cgroup",
                         {"nosuid", "noexec", "nodev", "relatime", "ro"},
                         {},
                         {}});
  spec.linux->namespaces.push_back({"cgroup", ""});
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find(" - cgroup2 "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(" ro,"), std::string::npos) << result.out;
}

TEST(Mounts, RootReadonly) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(), "touch /newfile; echo rc=$?");
  spec.root->readonly = true;
  auto result = run_container(spec);
  EXPECT_NE(result.out.find("rc=1"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("Read-only file system"), std::string::npos) << result.err;
}

TEST(Mounts, NoPivot) {
  REQUIRE_ROOT();
  Bundle bundle;
  CreateOptions options;
  options.no_pivot = true;
  auto result =
      run_container(default_spec(bundle.rootfs(), "ls /; echo x > /tmp/f && cat /tmp/f"), options);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("bin\n"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("work\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("x\n"), std::string::npos);
}

TEST(Process, CwdEnvHostnameDomainname) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(),
                           "pwd; echo FOO=$FOO; hostname; cat /proc/sys/kernel/domainname");
  spec.process->cwd = "/work/dir";
  spec.process->env.push_back("FOO=bar baz");
  spec.hostname = "box";
  spec.domainname = "example.org";
  auto result = run_container(spec);
  EXPECT_EQ(result.out, "/work/dir\nFOO=bar baz\nbox\nexample.org\n") << result.err;
}

TEST(Hooks, CreateContainerAndStartContainer) {
  REQUIRE_ROOT();
  Bundle bundle;
  std::string rootfs = bundle.rootfs();
  auto spec = default_spec(rootfs, "");
  // No shell (busybox sh ignores SIGQUIT itself): grep reads both.
  spec.process->args = {"grep", "-h",     "-e",           "started",
                        "-e",   "SigIgn", "/tmp/started", "/proc/self/status"};
  oci::Hooks hooks;
  // createContainer: before pivot_root, so host paths resolve.
  hooks.create_container.push_back(
      {"/bin/sh",
       {"sh", "-c", "cat > " + rootfs + "/tmp/state; echo $HOOK_ENV > " + rootfs + "/tmp/env"},
       {"HOOK_ENV=hook-env"},
       5});
  // startContainer: in the container, after pivot_root.
  hooks.start_container.push_back(
      {"/bin/sh", {"sh", "-c", "echo started-in-container > /tmp/started"}, {}, {}});
  spec.hooks = hooks;
  auto result = run_container(spec);
  // Nothing ignored survives into the process (hooks ignore SIGPIPE meanwhile).
  EXPECT_EQ(result.out, "started-in-container\nSigIgn:\t0000000000000000\n") << result.err;
  std::ifstream state_file(rootfs + "/tmp/state");
  std::string state((std::istreambuf_iterator<char>(state_file)), {});
  EXPECT_NE(state.find("\"id\":\"test\""), std::string::npos) << state;
  EXPECT_NE(state.find("\"pid\":"), std::string::npos) << state;
  std::ifstream env_file(rootfs + "/tmp/env");
  std::string env((std::istreambuf_iterator<char>(env_file)), {});
  EXPECT_EQ(env, "hook-env\n");
}

// The host's state JSON reaches the hooks with the init's pid in place of
// the host's (the first "pid" member, which the host writes before any
// annotation that could hold the same text).
TEST(Hooks, TheStateTheHooksGetCarriesTheInitsPid) {
  REQUIRE_ROOT();
  Bundle bundle;
  std::string rootfs = bundle.rootfs();
  auto spec = default_spec(rootfs, "");
  spec.process->args = {"sh", "-c", "echo $$"};
  oci::Hooks hooks;
  hooks.create_container.push_back({"/bin/sh", {"sh", "-c", "cat > " + rootfs + "/tmp/state"}});
  spec.hooks = hooks;
  CreateOptions options;
  options.state_json = R"({"ociVersion":"1.2.0","id":"test","status":"creating","pid" : -1 ,)"
                       R"("bundle":"/b","annotations":{"note":"\"pid\":7"}})";
  auto result = run_container(spec, options);
  std::ifstream state_file(rootfs + "/tmp/state");
  std::string state((std::istreambuf_iterator<char>(state_file)), {});
  // The init sees itself as pid 1; the hook gets the agent's pid of it.
  EXPECT_EQ(result.out, "1\n") << result.err;
  const size_t at = state.find("\"pid\":");
  ASSERT_NE(at, std::string::npos) << state;
  EXPECT_GT(std::stol(state.substr(at + 6)), 1) << state;
  EXPECT_EQ(state.find("-1"), std::string::npos) << state;
  EXPECT_NE(state.find(R"("note":"\"pid\":7")"), std::string::npos) << state;
  EXPECT_NE(state.find(R"(,"bundle":"/b")"), std::string::npos) << state;
}

TEST(Hooks, FailingCreateContainerHookAbortsCreate) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.spec = default_spec(bundle.rootfs(), "true");
  oci::Hooks hooks;
  hooks.create_container.push_back({"/bin/sh", {"sh", "-c", "echo broken >&2; exit 3"}, {}, {}});
  options.spec.hooks = hooks;
  try {
    Container::create(std::move(options), reaper);
    FAIL() << "create succeeded";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "createContainer hook /bin/sh: exit status 3 (broken)");
  }
  EXPECT_TRUE(test::mounts_under(bundle.dir()).empty());
}

TEST(Hooks, Timeout) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.spec = default_spec(bundle.rootfs(), "true");
  oci::Hooks hooks;
  hooks.create_container.push_back({"/bin/sleep", {"sleep", "30"}, {}, 1});
  options.spec.hooks = hooks;
  try {
    Container::create(std::move(options), reaper);
    FAIL() << "create succeeded";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "createContainer hook /bin/sleep: timed out after 1 s");
  }
}

}  // namespace
}  // namespace chrunc::container
