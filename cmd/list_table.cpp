#include "cmd/list_table.hpp"

#include <algorithm>
#include <array>

namespace chrunc::cmd {
namespace {

constexpr size_t kColumns = 6;
constexpr size_t kMinWidth = 12;
constexpr size_t kPadding = 3;

}  // namespace

std::string format_list_table(const std::vector<oci::State>& states) {
  std::vector<std::array<std::string, kColumns>> rows;
  rows.push_back({"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
  for (const oci::State& s : states) {
    rows.push_back({s.id, std::to_string(s.pid), s.status, s.bundle, s.created, s.owner});
  }
  // Every column but the last is padded; the last one is printed as is.
  std::array<size_t, kColumns> width{};
  for (const auto& row : rows) {
    for (size_t c = 0; c + 1 < kColumns; ++c) {
      width[c] = std::max({width[c], row[c].size() + kPadding, kMinWidth});
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c + 1 < kColumns; ++c) {
      out += row[c];
      out.append(width[c] - row[c].size(), ' ');
    }
    out += row[kColumns - 1];
    out += '\n';
  }
  return out;
}

}  // namespace chrunc::cmd
