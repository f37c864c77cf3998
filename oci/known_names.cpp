#include "oci/known_names.hpp"

#include <algorithm>
#include <array>

namespace chrunc::oci {

using namespace std::string_view_literals;

namespace {

constexpr std::array kCapabilities = {
    "CAP_CHOWN"sv,
    "CAP_DAC_OVERRIDE"sv,
    "CAP_DAC_READ_SEARCH"sv,
    "CAP_FOWNER"sv,
    "CAP_FSETID"sv,
    "CAP_KILL"sv,
    "CAP_SETGID"sv,
    "CAP_SETUID"sv,
    "CAP_SETPCAP"sv,
    "CAP_LINUX_IMMUTABLE"sv,
    "CAP_NET_BIND_SERVICE"sv,
    "CAP_NET_BROADCAST"sv,
    "CAP_NET_ADMIN"sv,
    "CAP_NET_RAW"sv,
    "CAP_IPC_LOCK"sv,
    "CAP_IPC_OWNER"sv,
    "CAP_SYS_MODULE"sv,
    "CAP_SYS_RAWIO"sv,
    "CAP_SYS_CHROOT"sv,
    "CAP_SYS_PTRACE"sv,
    "CAP_SYS_PACCT"sv,
    "CAP_SYS_ADMIN"sv,
    "CAP_SYS_BOOT"sv,
    "CAP_SYS_NICE"sv,
    "CAP_SYS_RESOURCE"sv,
    "CAP_SYS_TIME"sv,
    "CAP_SYS_TTY_CONFIG"sv,
    "CAP_MKNOD"sv,
    "CAP_LEASE"sv,
    "CAP_AUDIT_WRITE"sv,
    "CAP_AUDIT_CONTROL"sv,
    "CAP_SETFCAP"sv,
    "CAP_MAC_OVERRIDE"sv,
    "CAP_MAC_ADMIN"sv,
    "CAP_SYSLOG"sv,
    "CAP_WAKE_ALARM"sv,
    "CAP_BLOCK_SUSPEND"sv,
    "CAP_AUDIT_READ"sv,
    "CAP_PERFMON"sv,
    "CAP_BPF"sv,
    "CAP_CHECKPOINT_RESTORE"sv,
};

constexpr std::array kNamespaces = {"cgroup"sv, "ipc"sv,  "mount"sv, "network"sv,
                                    "pid"sv,    "time"sv, "user"sv,  "uts"sv};

constexpr std::array kRlimits = {
    "RLIMIT_AS"sv,     "RLIMIT_CORE"sv,   "RLIMIT_CPU"sv,        "RLIMIT_DATA"sv,
    "RLIMIT_FSIZE"sv,  "RLIMIT_LOCKS"sv,  "RLIMIT_MEMLOCK"sv,    "RLIMIT_MSGQUEUE"sv,
    "RLIMIT_NICE"sv,   "RLIMIT_NOFILE"sv, "RLIMIT_NPROC"sv,      "RLIMIT_RSS"sv,
    "RLIMIT_RTPRIO"sv, "RLIMIT_RTTIME"sv, "RLIMIT_SIGPENDING"sv, "RLIMIT_STACK"sv,
};

constexpr std::array kHooks = {"prestart"sv,       "createRuntime"sv, "createContainer"sv,
                               "startContainer"sv, "poststart"sv,     "poststop"sv};

// Flags and propagation options of mount(2)/mount_setattr(2) that the guest
// agent applies itself (filesystem-specific options go to mount(2) as data).
// runc's "tmpcopyup" and "idmap" extensions are not implemented, so not listed.
constexpr std::array kMountOptions = {
    "acl"sv,          "async"sv,       "atime"sv,          "bind"sv,
    "defaults"sv,     "dev"sv,         "diratime"sv,       "dirsync"sv,
    "exec"sv,         "iversion"sv,    "lazytime"sv,       "loud"sv,
    "mand"sv,         "noacl"sv,       "noatime"sv,        "nodev"sv,
    "nodiratime"sv,   "noexec"sv,      "noiversion"sv,     "nolazytime"sv,
    "nomand"sv,       "norelatime"sv,  "nostrictatime"sv,  "nosuid"sv,
    "nosymfollow"sv,  "private"sv,     "ratime"sv,         "rbind"sv,
    "rdev"sv,         "rdiratime"sv,   "relatime"sv,       "remount"sv,
    "rexec"sv,        "rnoatime"sv,    "rnodev"sv,         "rnodiratime"sv,
    "rnoexec"sv,      "rnorelatime"sv, "rnostrictatime"sv, "rnosuid"sv,
    "rnosymfollow"sv, "ro"sv,          "rprivate"sv,       "rrelatime"sv,
    "rro"sv,          "rrw"sv,         "rshared"sv,        "rslave"sv,
    "rstrictatime"sv, "rsuid"sv,       "rsymfollow"sv,     "runbindable"sv,
    "rw"sv,           "shared"sv,      "silent"sv,         "slave"sv,
    "strictatime"sv,  "suid"sv,        "symfollow"sv,      "sync"sv,
    "unbindable"sv,
};

constexpr std::array kPropagations = {"private"sv, "rprivate"sv, "slave"sv,      "rslave"sv,
                                      "shared"sv,  "rshared"sv,  "unbindable"sv, "runbindable"sv};

constexpr std::array kSeccompActions = {
    "SCMP_ACT_ALLOW"sv,        "SCMP_ACT_ERRNO"sv,       "SCMP_ACT_KILL"sv,
    "SCMP_ACT_KILL_PROCESS"sv, "SCMP_ACT_KILL_THREAD"sv, "SCMP_ACT_LOG"sv,
    "SCMP_ACT_NOTIFY"sv,       "SCMP_ACT_TRACE"sv,       "SCMP_ACT_TRAP"sv};

constexpr std::array kSeccompOperators = {"SCMP_CMP_EQ"sv, "SCMP_CMP_GE"sv, "SCMP_CMP_GT"sv,
                                          "SCMP_CMP_LE"sv, "SCMP_CMP_LT"sv, "SCMP_CMP_MASKED_EQ"sv,
                                          "SCMP_CMP_NE"sv};

constexpr std::array kSeccompArchs = {
    "SCMP_ARCH_AARCH64"sv,  "SCMP_ARCH_ARM"sv,         "SCMP_ARCH_MIPS"sv,
    "SCMP_ARCH_MIPS64"sv,   "SCMP_ARCH_MIPS64N32"sv,   "SCMP_ARCH_MIPSEL"sv,
    "SCMP_ARCH_MIPSEL64"sv, "SCMP_ARCH_MIPSEL64N32"sv, "SCMP_ARCH_PARISC"sv,
    "SCMP_ARCH_PARISC64"sv, "SCMP_ARCH_PPC"sv,         "SCMP_ARCH_PPC64"sv,
    "SCMP_ARCH_PPC64LE"sv,  "SCMP_ARCH_RISCV64"sv,     "SCMP_ARCH_S390"sv,
    "SCMP_ARCH_S390X"sv,    "SCMP_ARCH_X32"sv,         "SCMP_ARCH_X86"sv,
    "SCMP_ARCH_X86_64"sv};

constexpr std::array kSeccompFlags = {"SECCOMP_FILTER_FLAG_TSYNC"sv, "SECCOMP_FILTER_FLAG_LOG"sv,
                                      "SECCOMP_FILTER_FLAG_SPEC_ALLOW"sv,
                                      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"sv};
// libseccomp 2.5 has attributes for these three; WAIT_KILLABLE_RECV needs 2.6.
constexpr std::array kSupportedSeccompFlags = {
    "SECCOMP_FILTER_FLAG_TSYNC"sv, "SECCOMP_FILTER_FLAG_LOG"sv, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"sv};

constexpr std::array kSchedulerPolicies = {"SCHED_OTHER"sv,   "SCHED_FIFO"sv, "SCHED_RR"sv,
                                           "SCHED_BATCH"sv,   "SCHED_ISO"sv,  "SCHED_IDLE"sv,
                                           "SCHED_DEADLINE"sv};

constexpr std::array kSchedulerFlags = {"SCHED_FLAG_RESET_ON_FORK"sv, "SCHED_FLAG_RECLAIM"sv,
                                        "SCHED_FLAG_DL_OVERRUN"sv,    "SCHED_FLAG_KEEP_POLICY"sv,
                                        "SCHED_FLAG_KEEP_PARAMS"sv,   "SCHED_FLAG_UTIL_CLAMP_MIN"sv,
                                        "SCHED_FLAG_UTIL_CLAMP_MAX"sv};

constexpr std::array kIoPriorityClasses = {"IOPRIO_CLASS_RT"sv, "IOPRIO_CLASS_BE"sv,
                                           "IOPRIO_CLASS_IDLE"sv};

}  // namespace

bool contains(NameList list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

NameList known_capabilities() {
  return kCapabilities;
}
bool is_known_capability(std::string_view name) {
  return contains(kCapabilities, name);
}
NameList known_namespaces() {
  return kNamespaces;
}
NameList known_rlimits() {
  return kRlimits;
}
NameList known_hooks() {
  return kHooks;
}
NameList known_mount_options() {
  return kMountOptions;
}
NameList known_rootfs_propagations() {
  return kPropagations;
}
NameList known_seccomp_actions() {
  return kSeccompActions;
}
NameList known_seccomp_operators() {
  return kSeccompOperators;
}
NameList known_seccomp_archs() {
  return kSeccompArchs;
}
NameList known_seccomp_flags() {
  return kSeccompFlags;
}
NameList supported_seccomp_flags() {
  return kSupportedSeccompFlags;
}
NameList known_scheduler_policies() {
  return kSchedulerPolicies;
}
NameList known_scheduler_flags() {
  return kSchedulerFlags;
}
NameList known_io_priority_classes() {
  return kIoPriorityClasses;
}

}  // namespace chrunc::oci
