#pragma once
// `list` in runc's table format: columns ID PID STATUS BUNDLE CREATED OWNER,
// aligned as Go's tabwriter (min width 12, padding 3) aligns them.

#include <string>
#include <vector>

#include "oci/state.hpp"

namespace chrunc::cmd {

std::string format_list_table(const std::vector<oci::State>& states);

}  // namespace chrunc::cmd
