#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "common/error.hpp"
#include "oci/default_spec.hpp"
#include "oci/known_names.hpp"
#include "oci/spec_validator.hpp"

namespace chrunc::oci {
namespace {

using Mutation = std::function<void(Spec&)>;

// One rule: a change that breaks it (with the expected message) and a
// neighbouring change that satisfies it.
struct Rule {
  const char* name;
  Mutation breaks;
  const char* message;
  Mutation satisfies;
};

Linux& lx(Spec& s) {
  return *s.linux;
}
Process& proc(Spec& s) {
  return *s.process;
}
void add_ns(Spec& s, const char* type, const char* path = "") {
  s.linux->namespaces.push_back({type, path});
}
void drop_ns(Spec& s, const char* type) {
  std::erase_if(s.linux->namespaces, [&](const Namespace& n) { return n.type == type; });
}
void add_hook(Spec& s, Hook h) {
  if (!s.hooks) s.hooks = Hooks{};
  s.hooks->poststop.push_back(std::move(h));
}
Seccomp& seccomp(Spec& s) {
  if (!s.linux->seccomp) s.linux->seccomp = Seccomp{"SCMP_ACT_ALLOW"};
  return *s.linux->seccomp;
}
Scheduler& sched(Spec& s, const char* policy) {
  proc(s).scheduler = Scheduler{policy};
  return *proc(s).scheduler;
}

const Rule kRules[] = {
    {"OciVersion", [](Spec& s) { s.oci_version = ""; }, "ociVersion: must be set",
     [](Spec& s) { s.oci_version = "1.0.0"; }},
    {"Root", [](Spec& s) { s.root.reset(); }, "root: must be set",
     [](Spec& s) { s.root = Root{"/abs/rootfs"}; }},
    {"RootPath", [](Spec& s) { s.root->path = ""; }, "root.path: must be set",
     [](Spec& s) { s.root->path = "rootfs"; }},
    {"ProcessArgs", [](Spec& s) { proc(s).args.clear(); }, "process.args: must not be empty",
     [](Spec& s) { proc(s).args = {"true"}; }},
    {"ProcessCwd", [](Spec& s) { proc(s).cwd = "tmp"; }, "process.cwd: must be an absolute path",
     [](Spec& s) { proc(s).cwd = "/tmp"; }},
    {"ProcessCwdEmpty", [](Spec& s) { proc(s).cwd = ""; }, "process.cwd: must be an absolute path",
     [](Spec& s) { proc(s).cwd = "/"; }},
    {"Capability", [](Spec& s) { proc(s).capabilities->ambient.push_back("CAP_FOO"); },
     "process.capabilities.ambient[3]: unknown capability \"CAP_FOO\"",
     [](Spec& s) { proc(s).capabilities->ambient.push_back("CAP_CHECKPOINT_RESTORE"); }},
    {"CapabilityInheritable", [](Spec& s) { proc(s).capabilities->inheritable = {"kill"}; },
     "process.capabilities.inheritable[0]: unknown capability \"kill\"",
     [](Spec& s) { proc(s).capabilities->inheritable = {"CAP_KILL"}; }},
    {"RlimitType",
     [](Spec& s) {
       proc(s).rlimits.push_back({"RLIMIT_FOO", 1, 1});
     },
     "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"",
     [](Spec& s) {
       proc(s).rlimits.push_back({"RLIMIT_CORE", 1, 1});
     }},
    {"RlimitDuplicate",
     [](Spec& s) {
       proc(s).rlimits.push_back({"RLIMIT_NOFILE", 1, 1});
     },
     "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"",
     [](Spec& s) {
       proc(s).rlimits.push_back({"RLIMIT_NPROC", 1, 1});
     }},
    {"RlimitSoftAboveHard", [](Spec& s) { proc(s).rlimits[0].soft = 2048; },
     "process.rlimits[0]: soft limit must not exceed hard limit",
     [](Spec& s) { proc(s).rlimits[0].soft = 1024; }},
    {"OomScoreAdj", [](Spec& s) { proc(s).oom_score_adj = 1001; },
     "process.oomScoreAdj: must be between -1000 and 1000",
     [](Spec& s) { proc(s).oom_score_adj = 1000; }},
    {"IoPriorityClass",
     [](Spec& s) {
       proc(s).io_priority = IoPriority{"IOPRIO_CLASS_X", 0};
     },
     "process.ioPriority.class: unknown class \"IOPRIO_CLASS_X\"",
     [](Spec& s) {
       proc(s).io_priority = IoPriority{"IOPRIO_CLASS_IDLE", 0};
     }},
    {"IoPriorityLevel",
     [](Spec& s) {
       proc(s).io_priority = IoPriority{"IOPRIO_CLASS_BE", 8};
     },
     "process.ioPriority.priority: must be between 0 and 7",
     [](Spec& s) {
       proc(s).io_priority = IoPriority{"IOPRIO_CLASS_BE", 7};
     }},
    {"SchedulerPolicy", [](Spec& s) { sched(s, "SCHED_FAST"); },
     "process.scheduler.policy: unknown policy \"SCHED_FAST\"",
     [](Spec& s) { sched(s, "SCHED_BATCH"); }},
    {"SchedulerFlag", [](Spec& s) { sched(s, "SCHED_OTHER").flags = {"SCHED_FLAG_X"}; },
     "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_X\"",
     [](Spec& s) { sched(s, "SCHED_OTHER").flags = {"SCHED_FLAG_RESET_ON_FORK"}; }},
    {"SchedulerNice", [](Spec& s) { sched(s, "SCHED_OTHER").nice = 20; },
     "process.scheduler.nice: must be between -20 and 19",
     [](Spec& s) { sched(s, "SCHED_OTHER").nice = -20; }},
    {"SchedulerPriority", [](Spec& s) { sched(s, "SCHED_OTHER").priority = 5; },
     "process.scheduler.priority: only valid with SCHED_FIFO or SCHED_RR",
     [](Spec& s) { sched(s, "SCHED_RR").priority = 5; }},
    {"SchedulerDeadline", [](Spec& s) { sched(s, "SCHED_OTHER").runtime = 5; },
     "process.scheduler.runtime: only valid with SCHED_DEADLINE",
     [](Spec& s) { sched(s, "SCHED_DEADLINE").runtime = 5; }},
    {"HostnameNeedsUts", [](Spec& s) { drop_ns(s, "uts"); }, "hostname: requires a uts namespace",
     [](Spec& s) {
       drop_ns(s, "uts");
       s.hostname = "";
     }},
    {"DomainnameNeedsUts",
     [](Spec& s) {
       drop_ns(s, "uts");
       s.hostname = "";
       s.domainname = "d";
     },
     "domainname: requires a uts namespace", [](Spec& s) { s.domainname = "d"; }},
    {"MountDestination", [](Spec& s) { s.mounts[2].destination = "dev/pts"; },
     "mounts[2].destination: must be an absolute path",
     [](Spec& s) { s.mounts[2].destination = "/dev/pts2"; }},
    {"HookPath", [](Spec& s) { add_hook(s, Hook{"bin/true"}); },
     "hooks.poststop[0].path: must be an absolute path",
     [](Spec& s) { add_hook(s, Hook{"/bin/true"}); }},
    {"HookTimeout",
     [](Spec& s) {
       add_hook(s, Hook{"/bin/true", {}, {}, 0});
     },
     "hooks.poststop[0].timeout: must be greater than zero",
     [](Spec& s) {
       add_hook(s, Hook{"/bin/true", {}, {}, 1});
     }},
    {"NamespaceType", [](Spec& s) { add_ns(s, "foo"); },
     "linux.namespaces[5].type: unknown namespace \"foo\"", [](Spec& s) { add_ns(s, "cgroup"); }},
    {"NamespaceDuplicate", [](Spec& s) { add_ns(s, "pid"); },
     "linux.namespaces[5].type: duplicate namespace \"pid\"", [](Spec& s) { add_ns(s, "time"); }},
    {"NamespacePath", [](Spec& s) { add_ns(s, "cgroup", "proc/1/ns/cgroup"); },
     "linux.namespaces[5].path: must be an absolute path",
     [](Spec& s) { add_ns(s, "cgroup", "/proc/1/ns/cgroup"); }},
    {"UidMappingsNeedUserNs",
     [](Spec& s) {
       lx(s).uid_mappings = {{0, 1000, 1}};
     },
     "linux.uidMappings: requires a user namespace",
     [](Spec& s) {
       lx(s).uid_mappings = lx(s).gid_mappings = {{0, 1000, 1}};
       add_ns(s, "user");
     }},
    {"GidMappingsNeedUserNs",
     [](Spec& s) {
       lx(s).gid_mappings = {{0, 1000, 1}};
     },
     "linux.gidMappings: requires a user namespace",
     [](Spec& s) { add_ns(s, "user", "/proc/1/ns/user"); }},
    {"NewUserNsNeedsMappings", [](Spec& s) { add_ns(s, "user"); },
     "linux.uidMappings: required for a new user namespace",
     [](Spec& s) { add_ns(s, "user", "/proc/1/ns/user"); }},
    {"DeviceType",
     [](Spec& s) {
       lx(s).devices.push_back({"x", "/dev/x", 1, 1});
     },
     "linux.devices[0].type: unknown device type \"x\"",
     [](Spec& s) {
       lx(s).devices.push_back({"u", "/dev/x", 1, 1});
     }},
    {"DevicePath",
     [](Spec& s) {
       lx(s).devices.push_back({"c", "dev/null", 1, 3});
     },
     "linux.devices[0].path: must be an absolute path",
     [](Spec& s) {
       lx(s).devices.push_back({"b", "/dev/sda", 8, 0});
     }},
    {"DeviceRuleType", [](Spec& s) { lx(s).resources->devices[0].type = "x"; },
     "linux.resources.devices[0].type: unknown device type \"x\"",
     [](Spec& s) { lx(s).resources->devices[0].type = "a"; }},
    {"DeviceRuleAccess", [](Spec& s) { lx(s).resources->devices[0].access = "rwx"; },
     "linux.resources.devices[0].access: must be a combination of r, w and m",
     [](Spec& s) { lx(s).resources->devices[0].access = "mr"; }},
    {"RootfsPropagation", [](Spec& s) { lx(s).rootfs_propagation = "rprivat"; },
     "linux.rootfsPropagation: unknown propagation \"rprivat\"",
     [](Spec& s) { lx(s).rootfs_propagation = "runbindable"; }},
    {"MaskedPaths", [](Spec& s) { lx(s).masked_paths.push_back("proc/x"); },
     "linux.maskedPaths[10]: must be an absolute path",
     [](Spec& s) { lx(s).masked_paths.push_back("/proc/x"); }},
    {"ReadonlyPaths", [](Spec& s) { lx(s).readonly_paths[0] = ""; },
     "linux.readonlyPaths[0]: must be an absolute path",
     [](Spec& s) { lx(s).readonly_paths[0] = "/"; }},
    {"SysctlNetNeedsNetNs",
     [](Spec& s) {
       drop_ns(s, "network");
       lx(s).sysctl["net.ipv4.ip_forward"] = "1";
     },
     "linux.sysctl.net.ipv4.ip_forward: requires a network namespace",
     [](Spec& s) { lx(s).sysctl["net.ipv4.ip_forward"] = "1"; }},
    {"SysctlNetNotHostNs",
     [](Spec& s) {
       drop_ns(s, "network");
       add_ns(s, "network", "/proc/self/ns/net");
       lx(s).sysctl["net.core.somaxconn"] = "1";
     },
     "linux.sysctl.net.core.somaxconn: not allowed in the host's network namespace",
     [](Spec& s) {
       drop_ns(s, "network");
       add_ns(s, "network", "/nonexistent/netns");
       lx(s).sysctl["net.core.somaxconn"] = "1";
     }},
    {"SysctlIpcNeedsIpcNs",
     [](Spec& s) {
       drop_ns(s, "ipc");
       lx(s).sysctl["fs.mqueue.msg_max"] = "1";
     },
     "linux.sysctl.fs.mqueue.msg_max: requires an ipc namespace",
     [](Spec& s) { lx(s).sysctl["kernel.shmmax"] = "1"; }},
    {"SysctlDomainnameNeedsUts",
     [](Spec& s) {
       drop_ns(s, "uts");
       s.hostname = "";
       lx(s).sysctl["kernel.domainname"] = "x";
     },
     "linux.sysctl.kernel.domainname: requires a uts namespace",
     [](Spec& s) { lx(s).sysctl["kernel.domainname"] = "x"; }},
    {"SysctlHostnameConflicts", [](Spec& s) { lx(s).sysctl["kernel.hostname"] = "x"; },
     "linux.sysctl.kernel.hostname: not allowed: use the \"hostname\" field",
     [](Spec& s) { lx(s).sysctl["vm.swappiness"] = "10"; }},
    {"SeccompDefaultAction", [](Spec& s) { seccomp(s).default_action = "SCMP_ACT_NOPE"; },
     "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"",
     [](Spec& s) { seccomp(s).default_action = "SCMP_ACT_KILL_PROCESS"; }},
    {"SeccompNotifyDefault",
     [](Spec& s) {
       seccomp(s).default_action = "SCMP_ACT_NOTIFY";
       seccomp(s).listener_path = "/l";
     },
     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
     [](Spec& s) { seccomp(s).listener_path = "/l"; }},
    {"SeccompArch", [](Spec& s) { seccomp(s).architectures = {"SCMP_ARCH_Z80"}; },
     "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"",
     [](Spec& s) { seccomp(s).architectures = {"SCMP_ARCH_RISCV64"}; }},
    {"SeccompFlag", [](Spec& s) { seccomp(s).flags = {"SECCOMP_FILTER_FLAG_X"}; },
     "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_X\"",
     [](Spec& s) { seccomp(s).flags = {"SECCOMP_FILTER_FLAG_SPEC_ALLOW"}; }},
    {"SeccompSyscallNames",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{}, "SCMP_ACT_ALLOW"});
     },
     "linux.seccomp.syscalls[0].names: must not be empty",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"read"}, "SCMP_ACT_ALLOW"});
     }},
    {"SeccompSyscallAction",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"read"}, "ALLOW"});
     },
     "linux.seccomp.syscalls[0].action: unknown action \"ALLOW\"",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"read"}, "SCMP_ACT_TRAP"});
     }},
    {"SeccompArgOp",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"read"}, "SCMP_ACT_ERRNO", 1, {{0, 1, 0, "EQ"}}});
     },
     "linux.seccomp.syscalls[0].args[0].op: unknown operator \"EQ\"",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"read"}, "SCMP_ACT_ERRNO", 1, {{0, 1, 0, "SCMP_CMP_EQ"}}});
     }},
    {"SeccompArgIndex",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"read"}, "SCMP_ACT_ERRNO", 1, {{6, 1, 0, "SCMP_CMP_EQ"}}});
     },
     "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"read"}, "SCMP_ACT_ERRNO", 1, {{5, 1, 0, "SCMP_CMP_EQ"}}});
     }},
    {"SeccompNotifyNeedsListener",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"kill"}, "SCMP_ACT_NOTIFY"});
     },
     "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used",
     [](Spec& s) {
       seccomp(s).syscalls.push_back({{"kill"}, "SCMP_ACT_NOTIFY"});
       seccomp(s).listener_path = "/run/seccomp.sock";
     }},
    {"SeccompListenerPath", [](Spec& s) { seccomp(s).listener_path = "run/l.sock"; },
     "linux.seccomp.listenerPath: must be an absolute path",
     [](Spec& s) { seccomp(s).listener_path = "/run/l.sock"; }},
    {"PersonalityDomain", [](Spec& s) { lx(s).personality = Personality{"LINUX64"}; },
     "linux.personality.domain: unknown domain \"LINUX64\"",
     [](Spec& s) { lx(s).personality = Personality{"LINUX32"}; }},
    {"TimeOffsetsNeedTimeNs",
     [](Spec& s) {
       lx(s).time_offsets["monotonic"] = {1, 0};
     },
     "linux.timeOffsets: requires a time namespace",
     [](Spec& s) {
       add_ns(s, "time");
       lx(s).time_offsets["boottime"] = {1, 0};
     }},
    {"TimeOffsetsClock",
     [](Spec& s) {
       add_ns(s, "time");
       lx(s).time_offsets["realtime"] = {1, 0};
     },
     "linux.timeOffsets.realtime: unknown clock \"realtime\"",
     [](Spec& s) {
       add_ns(s, "time");
       lx(s).time_offsets["monotonic"] = {1, 0};
     }},
};

// Names the rule in test output instead of dumping its bytes.
void PrintTo(const Rule& rule, std::ostream* os) {
  *os << rule.name;
}

class ValidationRule : public ::testing::TestWithParam<Rule> {};

TEST_P(ValidationRule, BrokenIsReportedAndSatisfiedIsNot) {
  const Rule& rule = GetParam();
  Spec broken = default_spec(false);
  rule.breaks(broken);
  auto violations = spec_violations(broken);
  EXPECT_NE(std::find(violations.begin(), violations.end(), rule.message), violations.end())
      << "expected: " << rule.message
      << "\ngot: " << (violations.empty() ? "(none)" : violations.front());

  Spec fine = default_spec(false);
  rule.satisfies(fine);
  EXPECT_EQ(spec_violations(fine), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Rules, ValidationRule, ::testing::ValuesIn(kRules),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Validator, ProcessIsOptionalForCreate) {
  Spec s = default_spec(false);
  s.process.reset();
  EXPECT_TRUE(spec_violations(s).empty());
}

TEST(Validator, ReportsEveryViolationInOrderAndThrowsTheFirst) {
  Spec s = default_spec(false);
  s.oci_version = "";
  s.process->args.clear();
  s.linux->namespaces.push_back({"foo", ""});
  auto v = spec_violations(s);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], "ociVersion: must be set");
  EXPECT_EQ(v[1], "process.args: must not be empty");
  EXPECT_EQ(v[2], "linux.namespaces[5].type: unknown namespace \"foo\"");
  try {
    validate_spec(s);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "config.json: ociVersion: must be set");
  }
  EXPECT_NO_THROW(validate_spec(default_spec(true)));
}

TEST(Validator, ProcessAloneForExec) {
  Process p = *default_spec(false).process;
  EXPECT_TRUE(process_violations(p).empty());
  p.cwd = "relative";
  p.capabilities->bounding.push_back("CAP_NOPE");
  EXPECT_EQ(process_violations(p),
            (std::vector<std::string>{"process.cwd: must be an absolute path",
                                      "process.capabilities.bounding[3]: unknown capability "
                                      "\"CAP_NOPE\""}));
}

TEST(KnownNames, Capabilities) {
  EXPECT_EQ(known_capabilities().size(), 41u);
  EXPECT_EQ(known_capabilities().front(), "CAP_CHOWN");
  EXPECT_EQ(known_capabilities().back(), "CAP_CHECKPOINT_RESTORE");
  EXPECT_TRUE(is_known_capability("CAP_SYS_RESOURCE"));
  EXPECT_FALSE(is_known_capability("CAP_SYS_RESOURCES"));
  EXPECT_FALSE(is_known_capability("cap_kill"));
}

}  // namespace
}  // namespace chrunc::oci
