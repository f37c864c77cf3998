#include "agent/container/security/cgroup_devices.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {
namespace {

// Instruction builders (the kernel's BPF_* macros are not UAPI).
bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn load_u32(uint8_t dst, uint8_t src, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
bpf_insn alu_imm(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov_reg(uint8_t dst, uint8_t src) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off) {
  return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
}
bpf_insn exit_insn() {
  return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

// Registers after the prologue: r2 device type, r3 requested access,
// r4 major, r5 minor (struct bpf_cgroup_dev_ctx in r1).
constexpr uint8_t kType = 2, kAccess = 3, kMajor = 4, kMinor = 5;

int access_bits(const std::string& access, const std::string& where) {
  int bits = 0;
  for (char c : access) {
    if (c == 'r')
      bits |= BPF_DEVCG_ACC_READ;
    else if (c == 'w')
      bits |= BPF_DEVCG_ACC_WRITE;
    else if (c == 'm')
      bits |= BPF_DEVCG_ACC_MKNOD;
    else
      throw Error("invalid device cgroup access \"" + access + "\" (" + where + ")");
  }
  return bits == 0 ? (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD) : bits;
}

// One rule: jumps over the rest of its block when it does not match,
// otherwise returns allow/deny.
std::vector<bpf_insn> rule_block(const oci::DeviceCgroupRule& rule) {
  std::vector<bpf_insn> checks;
  if (rule.type == "b" || rule.type == "c")
    checks.push_back(
        jne_imm(kType, rule.type == "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0));
  else if (!rule.type.empty() && rule.type != "a")
    throw Error("invalid device cgroup type \"" + rule.type + "\"");
  const int bits = access_bits(rule.access, "type " + rule.type);
  const int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
  if (bits != all) {  // requested access must be within the rule's
    checks.push_back(mov_reg(1, kAccess));
    checks.push_back(alu_imm(BPF_AND, 1, ~bits & all));
    checks.push_back(jne_imm(1, 0, 0));
  }
  if (rule.major && *rule.major >= 0)
    checks.push_back(jne_imm(kMajor, static_cast<int32_t>(*rule.major), 0));
  if (rule.minor && *rule.minor >= 0)
    checks.push_back(jne_imm(kMinor, static_cast<int32_t>(*rule.minor), 0));
  checks.push_back(alu_imm(BPF_MOV, 0, rule.allow ? 1 : 0));
  checks.push_back(exit_insn());
  // Patch the jumps: to the end of this block.
  const auto size = static_cast<int16_t>(checks.size());
  for (int16_t i = 0; i < size; ++i)
    if (checks[i].code == (BPF_JMP | BPF_JNE | BPF_K))
      checks[i].off = static_cast<int16_t>(size - i - 1);
  return checks;
}

std::vector<bpf_insn> program(const std::vector<oci::DeviceCgroupRule>& rules) {
  std::vector<bpf_insn> code{
      load_u32(kType, 1, 0),         alu_imm(BPF_AND, kType, 0xffff), load_u32(kAccess, 1, 0),
      alu_imm(BPF_RSH, kAccess, 16), load_u32(kMajor, 1, 4),          load_u32(kMinor, 1, 8),
  };
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    auto block = rule_block(*it);
    code.insert(code.end(), block.begin(), block.end());
    // A rule without conditions ("a *:* rwm") decides everything: the
    // verifier rejects unreachable code after it.
    if (block.size() == 2) return code;
  }
  code.push_back(alu_imm(BPF_MOV, 0, 0));  // nothing matched: deny
  code.push_back(exit_insn());
  return code;
}

long bpf(int cmd, bpf_attr& attr) {
  return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

UniqueFd load_program(const std::vector<bpf_insn>& code, const std::string& where) {
  static char log[8192];
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uintptr_t>(code.data());
  attr.insn_cnt = static_cast<uint32_t>(code.size());
  attr.license = reinterpret_cast<uintptr_t>("GPL");
  attr.log_buf = reinterpret_cast<uintptr_t>(log);
  attr.log_size = sizeof log;
  attr.log_level = 1;
  log[0] = '\0';
  int fd = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
  if (fd < 0 && errno == ENOSPC) {  // log too small: retry without a log
    attr.log_buf = 0;
    attr.log_size = 0;
    attr.log_level = 0;
    fd = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
  }
  if (fd < 0) {
    const int err = errno;
    // The verifier's last line says why.
    std::string reason(log);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    if (auto stats = reason.rfind("\nprocessed "); stats != std::string::npos) reason.resize(stats);
    reason = reason.substr(reason.rfind('\n') + 1);
    throw_errno("device cgroup program for " + where + ": BPF_PROG_LOAD" +
                    (reason.empty() ? "" : " (" + reason + ")"),
                err);
  }
  return UniqueFd(fd);
}

std::vector<uint32_t> attached_programs(int cgroup_fd, const std::string& where) {
  uint32_t ids[64];
  bpf_attr attr{};
  attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids);
  attr.query.prog_cnt = 64;
  if (bpf(BPF_PROG_QUERY, attr) != 0)
    throw_errno("device cgroup program for " + where + ": BPF_PROG_QUERY");
  return std::vector<uint32_t>(ids, ids + attr.query.prog_cnt);
}

void detach(int cgroup_fd, uint32_t id, const std::string& where) {
  bpf_attr get{};
  get.prog_id = id;
  UniqueFd prog(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, get)));
  if (!prog) {
    if (errno == ENOENT) return;
    throw_errno("device cgroup program for " + where + ": BPF_PROG_GET_FD_BY_ID");
  }
  bpf_attr attr{};
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (bpf(BPF_PROG_DETACH, attr) != 0 && errno != ENOENT)
    throw_errno("device cgroup program for " + where + ": BPF_PROG_DETACH");
}

oci::DeviceCgroupRule allow(const char* type, std::optional<int64_t> major,
                            std::optional<int64_t> minor, const char* access) {
  return oci::DeviceCgroupRule{true, type, major, minor, access};
}

}  // namespace

std::vector<oci::DeviceCgroupRule> default_device_rules() {
  return {
      allow("c", std::nullopt, std::nullopt, "m"),
      allow("b", std::nullopt, std::nullopt, "m"),
      allow("c", 1, 3, "rwm"),               // /dev/null
      allow("c", 1, 8, "rwm"),               // /dev/random
      allow("c", 1, 7, "rwm"),               // /dev/full
      allow("c", 5, 0, "rwm"),               // /dev/tty
      allow("c", 1, 5, "rwm"),               // /dev/zero
      allow("c", 1, 9, "rwm"),               // /dev/urandom
      allow("c", 136, std::nullopt, "rwm"),  // /dev/pts/*
      allow("c", 5, 2, "rwm"),               // /dev/ptmx
      allow("c", 10, 200, "rwm"),            // /dev/net/tun
  };
}

void allow_linux_devices(oci::Resources& resources, const std::vector<oci::Device>& devices) {
  if (resources.devices.empty()) return;
  for (const auto& device : devices) {
    // "u" (unbuffered char) is a char device; "p" (fifo) needs no rule.
    if (device.type == "p") continue;
    const char* type = device.type == "b" ? "b" : "c";
    resources.devices.push_back(allow(type, device.major, device.minor, "rwm"));
  }
}

void apply_device_rules(const std::string& cgroup_path,
                        const std::vector<oci::DeviceCgroupRule>& rules, bool fresh) {
  auto all = rules;
  for (auto& rule : default_device_rules()) all.push_back(rule);
  const auto code = program(all);

  UniqueFd cgroup(::open(cgroup_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup) throw_errno("device cgroup program for " + cgroup_path + ": open");
  const auto old = fresh ? std::vector<uint32_t>{} : attached_programs(cgroup.get(), cgroup_path);
  UniqueFd prog = load_program(code, cgroup_path);
  bpf_attr attr{};
  attr.target_fd = static_cast<uint32_t>(cgroup.get());
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attr) != 0)
    throw_errno("device cgroup program for " + cgroup_path + ": BPF_PROG_ATTACH");
  // The new program is in force; now the old ones can go (never a window
  // in which neither restricts).
  for (uint32_t id : old) detach(cgroup.get(), id, cgroup_path);
}

}  // namespace chrunc::container
