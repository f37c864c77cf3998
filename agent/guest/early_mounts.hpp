#pragma once
// PID 1's first duties: the kernel hands /init an almost empty rootfs.

namespace chrunc::agent {

// Mounts /proc, /sys, /dev (devtmpfs), /dev/pts, /dev/shm, /run (tmpfs) and
// /sys/fs/cgroup (cgroup2), enables every available controller in the root's
// cgroup.subtree_control, and points fds 0-2 at /dev/console. Throws
// chrunc::Error naming the mount that failed.
void mount_early_filesystems();

// Whether /proc/cmdline holds `word` as one of its words.
bool kernel_cmdline_has(const char* word);

}  // namespace chrunc::agent
