#pragma once
// Where a container's unix sockets live (monitor.sock, the VMM's API/QMP and
// agent sockets, virtiofsd's vhost-user sockets).
//
// A unix socket path is limited to 107 bytes, and --root plus a long id (the
// conformance suite's, containerd's 64-hex ids under a deep root) easily pass
// that. So the sockets live in /run/ch-runc/<16 hex digits>, named by a
// stable hash (FNV-1a) of the container's absolute state directory: every
// command finds them again from the state dir alone, and delete removes them
// with the state dir. The directory is 0700, the sockets in it 0600. An
// existing directory is used only when it is ours (owned by this uid, not a
// symlink) and its `state-dir` marker names this state dir: a collision or a
// planted directory is an error, and remove leaves another's directory alone.

#include <filesystem>

namespace chrunc::runtime {

// The socket directory of the container whose state dir this is (not created).
std::filesystem::path socket_dir_path(const std::filesystem::path& state_dir);
// Creates it (0700, parents 0711) or checks the existing one, and returns it.
std::filesystem::path make_socket_dir(const std::filesystem::path& state_dir);
// Removes it and whatever is in it; no error when it does not exist.
void remove_socket_dir(const std::filesystem::path& state_dir) noexcept;

}  // namespace chrunc::runtime
