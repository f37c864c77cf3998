// The KVM decision with fake probe outcomes: works, aborts, hangs (the probe
// gives up at its deadline), device missing; the cache per identity; and
// what choose_backend makes of each verdict under auto / accel kvm / tcg.
#include "vmm/kvm_verdict.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/error.hpp"
#include "test_dir.hpp"
#include "vmm/backend_choice.hpp"
#include "vmm/host_config.hpp"

namespace chrunc::vmm::test {
namespace {

using namespace std::chrono_literals;

struct FakeProbe {
  int boots = 0;
  std::chrono::milliseconds deadline_seen{0};
};

KvmProbeInputs inputs(const TestDir& dir, FakeProbe& probe, bool device_ok,
                      std::function<void()> outcome) {
  KvmProbeInputs in;
  in.check_device = [device_ok] {
    return device_ok ? KvmDeviceCheck{true, "/dev/kvm: API 12, no vmx/svm advertised"}
                     : KvmDeviceCheck{false, "/dev/kvm: No such file or directory"};
  };
  in.identity = "boot=b1 vmm=q@1 kernel=k@1 initramfs=i@1";
  in.cache_dir = dir.path() / "cache" / "kvm-probe";
  in.probe_timeout = 7s;
  in.boot = [&probe, outcome](std::chrono::milliseconds deadline) {
    ++probe.boots;
    probe.deadline_seen = deadline;
    outcome();
  };
  return in;
}

TEST(KvmVerdict, DeviceMissingIsFinalWithoutBoot) {
  TestDir dir;
  FakeProbe probe;
  KvmVerdict v = judge_kvm(inputs(dir, probe, false, [] {}));
  EXPECT_FALSE(v.usable);
  EXPECT_EQ(v.reason, "no usable KVM: /dev/kvm: No such file or directory");
  EXPECT_EQ(probe.boots, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "cache"));  // nothing cached
}

TEST(KvmVerdict, WorkingBootIsUsableAndCachedOnce) {
  TestDir dir;
  FakeProbe probe;
  auto in = inputs(dir, probe, true, [] {});
  KvmVerdict first = judge_kvm(in);
  EXPECT_TRUE(first.usable);
  EXPECT_TRUE(first.probed_now);
  EXPECT_FALSE(first.cached);
  EXPECT_EQ(probe.deadline_seen, 7s);
  KvmVerdict second = judge_kvm(in);
  EXPECT_TRUE(second.usable);
  EXPECT_TRUE(second.cached);
  EXPECT_FALSE(second.probed_now);
  EXPECT_EQ(second.reason, first.reason);
  EXPECT_EQ(probe.boots, 1);
  struct stat st {};
  ASSERT_EQ(::stat(in.cache_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(KvmVerdict, AbortingVmmIsUnusableWithItsMessage) {
  TestDir dir;
  FakeProbe probe;
  auto in = inputs(dir, probe, true, [] {
    throw Error(
        "qemu: exited during start: qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: "
        "kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.");
  });
  KvmVerdict v = judge_kvm(in);
  EXPECT_FALSE(v.usable);
  EXPECT_NE(v.reason.find("KVM cannot run the guest: qemu: exited during start"),
            std::string::npos);
  EXPECT_NE(v.reason.find("kvm_buf_set_msrs: Assertion"), std::string::npos);
  // cached: the next container does not boot the probe again
  KvmVerdict again = judge_kvm(in);
  EXPECT_FALSE(again.usable);
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.reason, v.reason);
  EXPECT_EQ(probe.boots, 1);
}

TEST(KvmVerdict, SilentGuestIsUnusableAfterTheDeadline) {
  TestDir dir;
  FakeProbe probe;
  auto in = inputs(dir, probe, true, [] {
    throw Error("no sign of life from the guest within 7 s (the console stayed silent)");
  });
  KvmVerdict v = judge_kvm(in);
  EXPECT_FALSE(v.usable);
  EXPECT_NE(v.reason.find("no sign of life from the guest within 7 s"), std::string::npos);
}

TEST(KvmVerdict, NewIdentityProbesAgainAndAMultiLineReasonStaysOneLine) {
  TestDir dir;
  FakeProbe probe;
  auto in = inputs(dir, probe, true, [] { throw Error("line one\nline two"); });
  EXPECT_EQ(judge_kvm(in).reason.find('\n'), std::string::npos);
  in.identity = "boot=b2 vmm=q@1 kernel=k@1 initramfs=i@1";  // host rebooted
  in.boot = [&probe](std::chrono::milliseconds) { ++probe.boots; };
  EXPECT_TRUE(judge_kvm(in).usable);
  EXPECT_EQ(probe.boots, 2);
  forget_kvm_verdicts(in.cache_dir);
  EXPECT_TRUE(judge_kvm(in).probed_now);
}

TEST(KvmVerdict, ACacheDirThatIsASymlinkIsRefused) {
  TestDir dir;
  FakeProbe probe;
  auto in = inputs(dir, probe, true, [] {});
  std::filesystem::create_directories(dir.path() / "elsewhere");
  std::filesystem::create_directories(in.cache_dir.parent_path());
  std::filesystem::create_directory_symlink(dir.path() / "elsewhere", in.cache_dir);
  EXPECT_THROW(judge_kvm(in), Error);
  EXPECT_EQ(probe.boots, 0);
}

TEST(KvmVerdict, IdentityNamesBootIdAndFiles) {
  TestDir dir;
  std::ofstream(dir.path() / "k") << "kernel";
  std::string id = kvm_probe_identity(dir.path() / "q", dir.path() / "k", dir.path() / "i");
  EXPECT_EQ(id.rfind("boot=", 0), 0u);
  EXPECT_NE(id.find("@absent"), std::string::npos);
  EXPECT_EQ(id.find("kernel=absent"), std::string::npos);
  std::ofstream(dir.path() / "k", std::ios::app) << " changed";
  EXPECT_NE(kvm_probe_identity(dir.path() / "q", dir.path() / "k", dir.path() / "i"), id);
}

// What the backend choice makes of each verdict (QEMU must exist: it is
// resolved even when the judge says no).
class ChoiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_executable("qemu-system-x86_64").empty()) GTEST_SKIP() << "no qemu-system-x86_64";
    config_ = parse_host_config("", "x");
    config_.cloud_hypervisor_binary = "no-such-cloud-hypervisor";
  }
  HostConfig config_;
};

KvmJudge says(bool usable, int* asked) {
  return [usable, asked](const BackendChoice& candidate) {
    ++*asked;
    EXPECT_EQ(candidate.kind, BackendChoice::Kind::QemuKvm);
    return KvmVerdict{usable, usable ? "the guest answered" : "KVM cannot run the guest: aborted"};
  };
}

TEST_F(ChoiceTest, AutoUsesKvmOnlyWhenTheGuestRuns) {
  int asked = 0;
  EXPECT_EQ(choose_backend(config_, says(true, &asked)).kind, BackendChoice::Kind::QemuKvm);
  BackendChoice fallback = choose_backend(config_, says(false, &asked));
  EXPECT_EQ(fallback.kind, BackendChoice::Kind::QemuTcg);
  EXPECT_NE(fallback.reason.find("TCG"), std::string::npos);
  EXPECT_NE(fallback.reason.find("KVM cannot run the guest: aborted"), std::string::npos);
  EXPECT_EQ(asked, 2);
}

TEST_F(ChoiceTest, AccelKvmFailsOnANo) {
  config_.accel = "kvm";
  int asked = 0;
  try {
    choose_backend(config_, says(false, &asked));
    FAIL() << "accel kvm on a KVM that cannot run the guest was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "hypervisor: accel kvm configured, but KVM cannot run the guest: aborted");
  }
  EXPECT_EQ(choose_backend(config_, says(true, &asked)).kind, BackendChoice::Kind::QemuKvm);
}

TEST_F(ChoiceTest, AccelTcgNeverAsks) {
  config_.accel = "tcg";
  int asked = 0;
  EXPECT_EQ(choose_backend(config_, says(true, &asked)).kind, BackendChoice::Kind::QemuTcg);
  EXPECT_EQ(asked, 0);
}

}  // namespace
}  // namespace chrunc::vmm::test
