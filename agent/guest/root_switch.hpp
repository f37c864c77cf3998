#pragma once
// The initramfs is the kernel's "rootfs" mount, which pivot_root(2) refuses
// (it has no parent mount): containers could then only chroot. So, once the
// modules are loaded, PID 1 moves to a fresh tmpfs root the way switch_root
// does: it frees the initramfs files, moves /proc, /sys, /dev and /run (with
// their submounts) into the tmpfs, makes it / (MS_MOVE) and chroots into it.

namespace chrunc::agent {

// No-op (returns false) when / is already not the initramfs.
bool switch_to_tmpfs_root();

}  // namespace chrunc::agent
