#include "vmm/boot_image_pageout.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "common/unique_fd.hpp"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

namespace chrunc::vmm {

MappedImage mapped_image_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

namespace {

// One line of /proc/<pid>/maps: "start-end perms offset major:minor inode path".
bool parse_maps_line(const std::string& line, iovec& range, dev_t& device, ino_t& inode) {
  unsigned long start = 0, end = 0, offset = 0, ino = 0;
  unsigned int major = 0, minor = 0;
  char perms[8] = {};
  if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &offset, &major,
                  &minor, &ino) != 7)
    return false;
  if (end <= start) return false;
  range.iov_base = reinterpret_cast<void*>(start);  // NOLINT(performance-no-int-to-ptr)
  range.iov_len = end - start;
  device = makedev(major, minor);
  inode = static_cast<ino_t>(ino);
  return true;
}

}  // namespace

size_t page_out_mapped_images(pid_t pid, const std::vector<MappedImage>& images) {
  std::vector<iovec> ranges;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  // IOV_MAX bounds one call; a VMM maps each image a handful of times.
  while (ranges.size() < 1024 && std::getline(maps, line)) {
    iovec range{};
    dev_t device = 0;
    ino_t inode = 0;
    if (!parse_maps_line(line, range, device, inode) || inode == 0) continue;
    for (const auto& image : images)
      if (image.inode != 0 && image.inode == inode && image.device == device) {
        ranges.push_back(range);
        break;
      }
  }
  if (ranges.empty()) return 0;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return 0;
  long advised =
      ::syscall(SYS_process_madvise, pidfd.get(), ranges.data(), ranges.size(), MADV_PAGEOUT, 0U);
  return advised > 0 ? static_cast<size_t>(advised) : 0;
}

}  // namespace chrunc::vmm
