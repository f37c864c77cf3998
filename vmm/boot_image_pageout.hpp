#pragma once
// Hands the host back the VMM's copies of the guest's kernel and initramfs
// once the guest has booted.
//
// QEMU maps the vmlinux and the initramfs file to load them (and keeps the
// mappings to reload them on a reset, which -no-reboot turns into an exit):
// after the boot those file pages stay resident in the VMM, 55 MiB of its
// proportional set size with Debian's kernel, more than the guest's own
// working set (bench/ memory). They are clean file pages: MADV_PAGEOUT,
// given from outside through process_madvise(2), drops them from the VMM's
// page tables and lets the page cache reclaim them; were they ever read
// again they would fault back in from the file. Pages another process maps
// too (a VM booting at the same moment) are left alone by the kernel.

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <vector>

namespace chrunc::vmm {

// A file as the VMM maps it: its device and inode, taken before the boot.
struct MappedImage {
  dev_t device = 0;
  ino_t inode = 0;
};

// The identity of `path` (stat(2)); inode 0 when it cannot be read (then
// nothing of it is paged out).
MappedImage mapped_image_of(const std::filesystem::path& path);

// Advises MADV_PAGEOUT on every mapping of `images` in process `pid` (a
// child of the caller, not yet reaped, so the pid names it). Best effort:
// returns the number of bytes advised, 0 when nothing was mapped or the
// kernel refused (before Linux 5.10, or without CAP_SYS_NICE).
size_t page_out_mapped_images(pid_t pid, const std::vector<MappedImage>& images);

}  // namespace chrunc::vmm
