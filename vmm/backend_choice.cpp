#include "vmm/backend_choice.hpp"

#include "common/error.hpp"

namespace chrunc::vmm {
namespace {

std::string qemu_binary(const HostConfig& config, const std::string& why) {
  std::string binary = find_executable(config.qemu_binary);
  if (binary.empty())
    throw Error("hypervisor: QEMU binary " + config.qemu_binary + " not found" + why);
  return binary;
}

BackendChoice tcg(const std::string& binary, const std::string& why) {
  BackendChoice choice;
  choice.kind = BackendChoice::Kind::QemuTcg;
  choice.binary = binary;
  choice.reason = "QEMU with TCG software emulation (slow)" + why;
  return choice;
}

}  // namespace

std::optional<BackendChoice> kvm_candidate(const HostConfig& config) {
  if (config.hypervisor != "auto" && config.hypervisor != "qemu" &&
      config.hypervisor != "cloud-hypervisor")
    throw Error("hypervisor: unknown hypervisor \"" + config.hypervisor + "\"");
  if (config.hypervisor == "cloud-hypervisor") {
    std::string binary = find_executable(config.cloud_hypervisor_binary);
    if (binary.empty())
      throw Error("hypervisor: cloud-hypervisor binary " + config.cloud_hypervisor_binary +
                  " not found");
    return BackendChoice{BackendChoice::Kind::CloudHypervisor, binary,
                         "cloud-hypervisor (configured)", std::nullopt};
  }
  if (config.accel == "tcg") return std::nullopt;
  if (config.hypervisor == "auto" && config.accel == "auto") {
    std::string ch = find_executable(config.cloud_hypervisor_binary);
    if (!ch.empty())
      return BackendChoice{BackendChoice::Kind::CloudHypervisor, ch, "cloud-hypervisor: " + ch,
                           std::nullopt};
  }
  const std::string why = config.accel == "kvm" ? " (accel kvm configured)" : "";
  return BackendChoice{BackendChoice::Kind::QemuKvm, qemu_binary(config, why),
                       "QEMU with KVM" + why, std::nullopt};
}

BackendChoice choose_backend(const HostConfig& config, const KvmJudge& judge) {
  std::optional<BackendChoice> candidate = kvm_candidate(config);
  if (!candidate) return tcg(qemu_binary(config, ""), " (accel tcg configured)");
  KvmVerdict verdict = judge(*candidate);
  const bool explicit_kvm = config.hypervisor == "cloud-hypervisor" || config.accel == "kvm";
  if (verdict.usable) {
    candidate->kvm = verdict;
    return *candidate;
  }
  if (explicit_kvm) {
    throw Error("hypervisor: " +
                std::string(candidate->kind == BackendChoice::Kind::CloudHypervisor
                                ? "cloud-hypervisor configured"
                                : "accel kvm configured") +
                ", but " + verdict.reason);
  }
  BackendChoice choice = tcg(qemu_binary(config, ""), ": " + verdict.reason);
  choice.kvm = verdict;
  return choice;
}

KvmJudge make_kvm_judge(const HostConfig& config, const std::filesystem::path& kernel,
                        const std::filesystem::path& initramfs,
                        std::function<void(const BackendChoice&, std::chrono::milliseconds)> boot) {
  return [config, kernel, initramfs, boot](const BackendChoice& candidate) {
    KvmProbeInputs in;
    in.check_device = [device = config.kvm_device] { return check_kvm_device(device); };
    in.identity = kvm_probe_identity(candidate.binary, kernel, initramfs);
    in.cache_dir = config.probe_cache_dir / "kvm-probe";
    in.probe_timeout = std::chrono::seconds(config.kvm_probe_timeout_s);
    in.boot = [&boot, &candidate](std::chrono::milliseconds deadline) {
      boot(candidate, deadline);
    };
    return judge_kvm(in);
  };
}

}  // namespace chrunc::vmm
