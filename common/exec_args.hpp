#pragma once
// argv/envp for execve(2): pointers into `list`'s strings (which must outlive
// the result) followed by the terminating nullptr. Built before fork(), so
// that the child only calls async-signal-safe functions.

#include <string>
#include <vector>

namespace chrunc {

inline std::vector<char*> c_strings(std::vector<std::string>& list) {
  std::vector<char*> out;
  out.reserve(list.size() + 1);
  for (auto& s : list) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace chrunc
