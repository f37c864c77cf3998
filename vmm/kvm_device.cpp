#include "vmm/kvm_device.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/unique_fd.hpp"

namespace chrunc::vmm {
namespace {

// "vmx", "svm" or "" from the first flags line of /proc/cpuinfo.
std::string virtualisation_flag(const std::filesystem::path& cpuinfo) {
  std::ifstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    for (const char* flag : {" vmx", " svm"}) {
      size_t at = line.find(flag);
      if (at != std::string::npos) {
        size_t end = at + std::strlen(flag);
        if (end == line.size() || line[end] == ' ') return flag + 1;
      }
    }
    return "";
  }
  return "";
}

}  // namespace

KvmDeviceCheck check_kvm_device(const std::filesystem::path& device,
                                const std::filesystem::path& cpuinfo) {
  KvmDeviceCheck check;
  const std::string name = device.string();
  UniqueFd fd(::open(name.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) {
    check.detail = name + ": " + std::strerror(errno);
    return check;
  }
  const std::string flag = virtualisation_flag(cpuinfo);
  const std::string flags = flag.empty() ? "no vmx/svm advertised" : flag;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISCHR(st.st_mode)) {
    check.usable = true;
    check.detail = name + ": not a character device, API not checked (" + flags + ")";
    return check;
  }
  int version = ::ioctl(fd.get(), KVM_GET_API_VERSION, 0);
  if (version != KVM_API_VERSION) {
    check.detail = name + ": KVM_GET_API_VERSION answered " + std::to_string(version) +
                   (version < 0 ? std::string(" (") + std::strerror(errno) + ")" : "") +
                   ", expected " + std::to_string(KVM_API_VERSION);
    return check;
  }
  UniqueFd vm(::ioctl(fd.get(), KVM_CREATE_VM, 0));
  if (!vm) {
    check.detail = name + ": KVM_CREATE_VM failed: " + std::strerror(errno);
    return check;
  }
  check.usable = true;
  check.detail = name + ": API " + std::to_string(version) + ", " + flags;
  return check;
}

}  // namespace chrunc::vmm
