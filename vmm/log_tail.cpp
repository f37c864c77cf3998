#include "vmm/log_tail.hpp"

#include <fstream>

namespace chrunc::vmm {

std::string last_line(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = size > 8192 ? size - 8192 : 0;
  in.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  auto is_space = [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; };
  size_t end = text.size();
  while (end > 0 && is_space(text[end - 1])) --end;
  size_t begin = text.rfind('\n', end == 0 ? 0 : end - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  if (end <= begin) return "";
  return text.substr(begin, end - begin);
}

}  // namespace chrunc::vmm
