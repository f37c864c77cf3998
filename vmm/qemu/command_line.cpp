#include "vmm/qemu/command_line.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace chrunc::vmm::qemu {

// Boot-time switches measured with bench/ (bench/RESULTS.md), all in this
// one place:
//  - pci=off: this microvm has no PCI bus (no pcie=on), so the kernel's PCI
//    probing finds nothing; skipping it saves about 0.1 s of TCG CPU time.
//  - cryptomgr.notests: skips the crypto API's boot-time known-answer
//    self-tests (about 0.2-0.3 s under TCG). Security: this switches off no
//    check of data or code -- module signatures and everything else that uses
//    kernel crypto still verify; the self-tests only re-prove, on every boot,
//    that the same fixed Debian kernel computes its algorithms right. The
//    guest never runs in FIPS mode, the one mode that requires them.
//
// And those of our kernel patches (guest/kernel/patches), when the image's
// kernel takes them:
//  - lapic_timer_hz (TCG): TCG's CPU has neither a TSC-deadline timer nor
//    CPUID leaf 0x15, so the kernel calibrates its local APIC timer against
//    the PIT, a loop of 100 ms of guest time. QEMU's APIC timer runs at
//    1 GHz (its APIC_BUS_CYCLE_NS is 1; the calibration finds 4000045 per
//    4 ms tick), so the kernel is told. KVM has the TSC-deadline timer.
//  - virtio_mmio.queue_size_max: QEMU's virtio-mmio offers every queue at
//    1024 entries and virtio_console fills each of its receive queues with
//    that many pages: 8 MiB of guest memory (host memory once touched) for
//    the agent's port and the control queue. 128 entries are plenty for the
//    agent's link, the shares, disks and NICs.
std::string kernel_cmdline(bool kvm, std::optional<uint64_t> tsc_khz,
                           const std::vector<std::string>& kernel_params,
                           const std::string& extra) {
  const auto takes = [&](const char* name) {
    return std::find(kernel_params.begin(), kernel_params.end(), name) != kernel_params.end();
  };
  std::string cmdline = "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests";
  // Without tsc_early_khz, microvm under TCG hangs at boot 30-60 % of the time.
  if (!kvm && tsc_khz) cmdline += " tsc_early_khz=" + std::to_string(*tsc_khz) + " tsc=reliable";
  if (!kvm && takes(kLapicTimerHzParam))
    cmdline += std::string(" ") + kLapicTimerHzParam + "=" + std::to_string(kQemuApicTimerHz);
  if (takes(kVirtioQueueSizeParam))
    cmdline += std::string(" ") + kVirtioQueueSizeParam + "=" + std::to_string(kVirtioQueueSize);
  if (!extra.empty()) cmdline += " " + extra;
  return cmdline;
}

void check_virtio_slots(const VmConfig& config) {
  const size_t own = 2 + config.filesystems.size();  // balloon, virtio-serial, shares
  const size_t wanted = own + config.nics.size() + config.disks.size();
  if (wanted <= kMicrovmVirtioSlots) return;
  throw Error("qemu microvm has " + std::to_string(kMicrovmVirtioSlots) +
              " virtio-mmio slots: the VM itself takes " + std::to_string(own) + ", " +
              std::to_string(config.nics.size()) + " network interface(s) and " +
              std::to_string(config.disks.size()) + " block device(s) leave none for " +
              std::to_string(wanted - kMicrovmVirtioSlots) + " of them");
}

QemuCommand build_command_line(const std::string& binary, bool kvm, std::optional<uint64_t> tsc_khz,
                               bool sandbox, const VmConfig& config, const QemuPaths& paths) {
  QemuCommand cmd;
  auto& a = cmd.argv;
  const std::string memory = std::to_string(config.memory_mib) + "M";
  std::string accel = kvm ? "kvm" : "tcg";
  if (!kvm && config.tcg_tb_mib > 0) accel += ",tb-size=" + std::to_string(config.tcg_tb_mib);
  a = {binary,
       "-M",
       "microvm,x-option-roms=off,rtc=on",
       "-accel",
       accel,
       "-cpu",
       kvm ? "host" : "max",
       "-m",
       memory,
       "-smp",
       std::to_string(config.vcpus),
       "-nodefaults",
       "-no-user-config",
       "-no-reboot",
       "-display",
       "none",
       "-global",
       "virtio-mmio.force-legacy=off"};
  if (sandbox) {
    a.insert(a.end(), {"-sandbox",
                       "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"});
  }
  // The serial console (ttyS0), appended to the console log.
  if (config.console_log.empty()) {
    a.insert(a.end(), {"-chardev", "null,id=console"});
  } else {
    a.insert(a.end(),
             {"-chardev", "file,id=console,path=" + config.console_log.string() + ",append=on"});
  }
  a.insert(a.end(), {"-serial", "chardev:console"});
  a.insert(a.end(),
           {"-kernel", config.kernel.string(), "-initrd", config.initramfs.string(), "-append",
            kernel_cmdline(kvm, tsc_khz, config.kernel_params, config.kernel_cmdline_extra)});
  // vhost-user-fs needs guest memory the virtiofsd can map.
  if (!config.filesystems.empty()) {
    a.insert(a.end(), {"-object", "memory-backend-memfd,id=mem,size=" + memory + ",share=on",
                       "-numa", "node,memdev=mem"});
  }
  // Free page reporting: the guest hands back the pages it frees (in 2 MiB
  // blocks), and QEMU punches them out of the memfd, so an idle VM's host
  // footprint follows what the guest really uses instead of its high-water
  // mark (boot unpacks the initramfs, then frees it).
  a.insert(a.end(), {"-device", "virtio-balloon-device,free-page-reporting=on"});
  // Two ports: 0 (reserved for a console) and the agent's. Each port
  // QEMU offers costs the guest a pair of virtqueues (31 by default: about
  // 1.7 MiB of guest memory in vrings).
  a.insert(a.end(),
           {"-device", "virtio-serial-device,max_ports=2", "-chardev",
            "socket,id=agent,path=" + paths.agent_socket.string() + ",server=on,wait=off",
            "-device", std::string("virtserialport,chardev=agent,name=") + kAgentPortName});
  for (size_t i = 0; i < config.filesystems.size(); ++i) {
    const auto& fs = config.filesystems[i];
    const std::string id = "fs" + std::to_string(i);
    a.insert(a.end(), {"-chardev", "socket,id=" + id + ",path=" + fs.socket_path.string(),
                       "-device", "vhost-user-fs-device,chardev=" + id + ",tag=" + fs.tag});
  }
  check_virtio_slots(config);
  int child_fd = 3;
  for (size_t i = 0; i < config.nics.size(); ++i, ++child_fd) {
    const auto& nic = config.nics[i];
    const std::string id = "net" + std::to_string(i);
    cmd.fds.push_back({nic.tap_fd, child_fd});
    a.insert(a.end(),
             {"-netdev", "tap,id=" + id + ",fd=" + std::to_string(child_fd), "-device",
              "virtio-net-device,netdev=" + id + (nic.mac.empty() ? "" : ",mac=" + nic.mac)});
  }
  // Each disk is an fd set holding the host's fds (read-only, and read-write
  // when the host opened it so): QEMU dups one of those for each open it
  // makes, so it can never open the device in a mode the host did not.
  // host_device + cache=none + aio=native: raw block I/O with O_DIRECT.
  for (size_t i = 0; i < config.disks.size(); ++i) {
    const auto& disk = config.disks[i];
    const std::string set = std::to_string(i + 1);
    const std::string id = "disk" + std::to_string(i);
    for (int fd : {disk.read_fd, disk.write_fd}) {
      if (fd < 0) continue;
      cmd.fds.push_back({fd, child_fd});
      a.insert(a.end(), {"-add-fd", "fd=" + std::to_string(child_fd) + ",set=" + set});
      ++child_fd;
    }
    a.insert(a.end(),
             {"-drive",
              "file.driver=host_device,file.filename=/dev/fdset/" + set + ",if=none,id=" + id +
                  ",format=raw,cache=none,aio=native" + (disk.read_only ? ",readonly=on" : ""),
              "-device", "virtio-blk-device,drive=" + id + ",serial=" + disk.serial});
  }
  a.insert(a.end(), {"-qmp", "unix:" + paths.qmp_socket.string() + ",server=on,wait=off"});
  return cmd;
}

}  // namespace chrunc::vmm::qemu
