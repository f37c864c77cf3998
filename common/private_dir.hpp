#pragma once
// Directories only this uid controls (state, sockets, the KVM verdict cache),
// and the short stable hash their names are made of.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace chrunc {

// Creates `dir` with `mode` when missing; an existing one must be a directory
// (not a symlink) owned by this uid, else chrunc::Error. With `fix_mode`, an
// existing directory is also chmod'ed to `mode`.
void make_owned_dir(const std::filesystem::path& dir, mode_t mode, bool fix_mode);

// FNV-1a, 64 bits: short, stable names (not a defence against collisions:
// callers check what they find).
uint64_t fnv1a_64(std::string_view text);

}  // namespace chrunc
