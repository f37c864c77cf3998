#include "agent/container/security/seccomp.hpp"

#include <seccomp.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "common/error.hpp"

namespace chrunc::container {
namespace {

constexpr int kMaxSyscallArgs = 6;

[[noreturn]] void fail(const std::string& message) {
  throw Error("seccomp: " + message);
}

// libseccomp returns -errno.
void check(int rc, const std::string& what) {
  if (rc < 0) throw_errno("seccomp: " + what, -rc);
}

// The action's value, or throws for an unknown/unsupported name.
uint32_t to_action(const std::string& name, std::optional<uint32_t> errno_ret) {
  const uint32_t ret = errno_ret.value_or(EPERM);
  if (name == "SCMP_ACT_KILL") return SCMP_ACT_KILL;
  if (name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(ret);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(ret);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") fail("action SCMP_ACT_NOTIFY is not supported");
  fail("unknown action \"" + name + "\"");
}

uint32_t to_arch(const std::string& name) {
  constexpr std::string_view prefix = "SCMP_ARCH_";
  if (!name.starts_with(prefix) || name.size() == prefix.size())
    fail("unknown architecture \"" + name + "\"");
  std::string lower = name.substr(prefix.size());
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
  if (arch == 0) fail("unknown architecture \"" + name + "\"");
  return arch;
}

scmp_compare to_operator(const std::string& name) {
  static constexpr std::array<std::pair<std::string_view, scmp_compare>, 7> kOps{{
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  }};
  for (const auto& [op_name, op] : kOps)
    if (op_name == name) return op;
  fail("unknown operator \"" + name + "\"");
}

enum scmp_filter_attr to_flag_attribute(const std::string& name) {
  if (name == "SECCOMP_FILTER_FLAG_TSYNC") return SCMP_FLTATR_CTL_TSYNC;
  if (name == "SECCOMP_FILTER_FLAG_LOG") return SCMP_FLTATR_CTL_LOG;
  if (name == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return SCMP_FLTATR_CTL_SSB;
  fail("unknown or unsupported flag \"" + name + "\"");
}

std::vector<scmp_arg_cmp> to_conditions(const oci::SeccompSyscall& rule) {
  std::vector<scmp_arg_cmp> conditions;
  for (const auto& arg : rule.args) {
    if (arg.index >= kMaxSyscallArgs)
      fail("argument index " + std::to_string(arg.index) + " out of range (0-5)");
    // MASKED_EQ: value is the mask, valueTwo the datum (libseccomp's order).
    conditions.push_back({arg.index, to_operator(arg.op), arg.value, arg.value_two});
  }
  return conditions;
}

bool same_index_twice(const std::vector<scmp_arg_cmp>& conditions) {
  std::array<int, kMaxSyscallArgs> count{};
  for (const auto& c : conditions)
    if (++count[c.arg] > 1) return true;
  return false;
}

class Filter {
 public:
  explicit Filter(uint32_t default_action) : ctx_(seccomp_init(default_action)) {
    if (!ctx_) fail("seccomp_init failed");
  }
  ~Filter() { seccomp_release(ctx_); }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

void add_rule(scmp_filter_ctx ctx, const oci::SeccompSyscall& rule, uint32_t action,
              const std::string& name) {
  int nr = seccomp_syscall_resolve_name(name.c_str());
  if (nr == __NR_SCMP_ERROR) return;  // unknown to libseccomp: skipped, as runc does
  const auto conditions = to_conditions(rule);
  const std::string what = "rule " + rule.action + " for \"" + name + "\"";
  if (conditions.empty() || !same_index_twice(conditions)) {
    check(seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conditions.size()),
                                 conditions.data()),
          what);
    return;
  }
  for (const auto& condition : conditions)
    check(seccomp_rule_add_array(ctx, action, nr, 1, &condition), what);
}

}  // namespace

void check_seccomp(const oci::Seccomp& seccomp) {
  if (seccomp.default_action.empty()) fail("defaultAction is missing");
  to_action(seccomp.default_action, seccomp.default_errno_ret);
  if (!seccomp.listener_path.empty()) fail("listenerPath is not supported");
  for (const auto& arch : seccomp.architectures) to_arch(arch);
  for (const auto& flag : seccomp.flags) to_flag_attribute(flag);
  for (const auto& rule : seccomp.syscalls) {
    to_action(rule.action, rule.errno_ret);
    to_conditions(rule);
  }
}

void load_seccomp(const std::optional<oci::Seccomp>& seccomp) {
  if (!seccomp) return;
  check_seccomp(*seccomp);
  const uint32_t default_action = to_action(seccomp->default_action, seccomp->default_errno_ret);
  Filter filter(default_action);
  scmp_filter_ctx ctx = filter.get();
  check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "disable SCMP_FLTATR_CTL_NNP");
  for (const auto& arch : seccomp->architectures) {
    int rc = seccomp_arch_add(ctx, to_arch(arch));
    if (rc != -EEXIST) check(rc, "add architecture " + arch);
  }
  for (const auto& flag : seccomp->flags)
    check(seccomp_attr_set(ctx, to_flag_attribute(flag), 1), "set flag " + flag);
  for (const auto& rule : seccomp->syscalls) {
    const uint32_t action = to_action(rule.action, rule.errno_ret);
    if (action == default_action) continue;
    for (const auto& name : rule.names) add_rule(ctx, rule, action, name);
  }
  check(seccomp_load(ctx), "load filter");
}

}  // namespace chrunc::container
