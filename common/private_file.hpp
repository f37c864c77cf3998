#pragma once
// Files only this uid may read, written so that no planted name can redirect
// them: a fresh temporary beside the final name (mkostemp: O_CREAT|O_EXCL,
// 0600 from the start, never through a symlink), then renamed over it.

#include <filesystem>
#include <string_view>

namespace chrunc {

// Replaces `path` with `contents`, mode 0600. Throws chrunc::Error naming the file.
void write_private_file(const std::filesystem::path& path, std::string_view contents);

// Copies `source` (read whatever its mode) to a 0600 `target`; bounded to
// `max_bytes` (config.json is parsed from memory anyway).
void copy_to_private_file(const std::filesystem::path& source, const std::filesystem::path& target,
                          size_t max_bytes = 64 << 20);

}  // namespace chrunc
