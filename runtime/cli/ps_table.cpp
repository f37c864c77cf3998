#include "runtime/cli/ps_table.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/error.hpp"
#include "common/guest_text.hpp"

namespace chrunc::runtime {
namespace {

struct Column {
  std::string header;
  bool numeric;  // right-aligned
  std::string (*value)(const ProcessRow&, long);
};

std::string cpu_time(const ProcessRow& p, long hz) {
  uint64_t secs = hz > 0 ? p.cpu_ticks / static_cast<uint64_t>(hz) : 0;
  char buf[48];
  uint64_t days = secs / 86400;
  if (days > 0)
    std::snprintf(buf, sizeof buf, "%llu-%02llu:%02llu:%02llu",
                  static_cast<unsigned long long>(days),
                  static_cast<unsigned long long>((secs / 3600) % 24),
                  static_cast<unsigned long long>((secs / 60) % 60),
                  static_cast<unsigned long long>(secs % 60));
  else
    std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu",
                  static_cast<unsigned long long>(secs / 3600),
                  static_cast<unsigned long long>((secs / 60) % 60),
                  static_cast<unsigned long long>(secs % 60));
  return buf;
}

std::string args_of(const ProcessRow& p, long) {
  return p.cmdline.empty() ? "[" + p.comm + "]" : p.cmdline;
}
std::string user_of(const ProcessRow& p, long) {
  return p.uid == 0 ? std::string("root") : std::to_string(p.uid);
}

// The fields ch-runc knows, by their ps names (procps headers).
bool column_for(const std::string& field, Column& out) {
  struct Known {
    const char* names[4];
    Column column;
  };
  static const Known known[] = {
      {{"pid", "tgid"},
       {"PID", true, [](const ProcessRow& p, long) { return std::to_string(p.pid); }}},
      {{"ppid"}, {"PPID", true, [](const ProcessRow& p, long) { return std::to_string(p.ppid); }}},
      {{"uid", "euid"},
       {"UID", true, [](const ProcessRow& p, long) { return std::to_string(p.uid); }}},
      {{"user", "euser", "uname"}, {"USER", false, user_of}},
      {{"stat"}, {"STAT", false, [](const ProcessRow& p, long) { return p.state; }}},
      {{"s", "state"},
       {"S", false, [](const ProcessRow& p, long) { return p.state.substr(0, 1); }}},
      {{"time", "cputime"}, {"TIME", true, cpu_time}},
      {{"comm", "ucmd", "ucomm"},
       {"COMMAND", false, [](const ProcessRow& p, long) { return p.comm; }}},
      {{"args", "command"}, {"COMMAND", false, args_of}},
      {{"cmd"}, {"CMD", false, args_of}},
  };
  for (const auto& k : known)
    for (const char* name : k.names)
      if (name != nullptr && field == name) {
        out = k.column;
        return true;
      }
  return false;
}

const char kSupported[] =
    "supported: -e, -A, -a, -x, -f, -o/-O FIELD[,FIELD...] with fields pid, ppid, uid, user, "
    "stat, s, time, comm, args, cmd";

void add_fields(const std::string& list, std::vector<Column>& columns) {
  std::istringstream in(list);
  for (std::string field; std::getline(in, field, ',');) {
    // "field=HEADER" renames the column, as in ps.
    std::string header;
    bool renamed = false;
    if (auto eq = field.find('='); eq != std::string::npos) {
      header = field.substr(eq + 1);
      field.resize(eq);
      renamed = true;
    }
    Column c;
    if (!column_for(field, c))
      throw Error("ps: field \"" + field + "\" is not supported by ch-runc (" + kSupported + ")");
    if (renamed) c.header = header;
    columns.push_back(c);
  }
}

std::vector<Column> default_columns(bool full) {
  std::vector<Column> out;
  add_fields(full ? "uid,pid,ppid,stat,time,cmd" : "user,pid,ppid,stat,time,cmd", out);
  if (!full) out[0].header = "UID";
  return out;
}

}  // namespace

std::string format_process_table(const std::vector<ProcessRow>& rows,
                                 const std::vector<std::string>& ps_args, long clock_ticks) {
  std::vector<Column> columns;
  bool full = false, preceded = false;
  for (size_t i = 0; i < ps_args.size(); ++i) {
    const std::string& a = ps_args[i];
    if (a.size() < 2 || a[0] != '-' || a == "--")
      throw Error("ps: option \"" + a + "\" is not supported by ch-runc (" + kSupported + ")");
    for (size_t j = 1; j < a.size(); ++j) {
      char c = a[j];
      if (c == 'e' || c == 'A' || c == 'a' || c == 'x') continue;
      if (c == 'f') {
        full = true;
        continue;
      }
      if (c == 'o' || c == 'O') {
        std::string list = a.substr(j + 1);
        if (list.empty()) {
          if (i + 1 >= ps_args.size())
            throw Error("ps: -" + std::string(1, c) + " needs a list of fields");
          list = ps_args[++i];
        }
        if (c == 'O' && columns.empty()) preceded = true;
        add_fields(list, columns);
        break;
      }
      throw Error("ps: option \"-" + std::string(1, c) + "\" is not supported by ch-runc (" +
                  kSupported + ")");
    }
  }
  if (columns.empty()) {
    columns = default_columns(full);
  } else if (preceded) {
    // -O: the given fields after pid, state, time and command, as ps does.
    std::vector<Column> out;
    add_fields("pid", out);
    out.insert(out.end(), columns.begin(), columns.end());
    add_fields("s,time,comm", out);
    columns = out;
  }

  std::vector<std::vector<std::string>> cells;
  for (const auto& guest_row : rows) {
    // The strings are the guest's: bounded, and escaped before a terminal sees them.
    ProcessRow p = guest_row;
    p.comm = escape_guest_text_utf8(p.comm, kPsCommBytes);
    p.cmdline = escape_guest_text_utf8(p.cmdline, kPsCmdlineBytes);
    p.state = escape_guest_text_utf8(p.state, kPsStateBytes);
    std::vector<std::string> line;
    for (const auto& c : columns) line.push_back(c.value(p, clock_ticks));
    cells.push_back(std::move(line));
  }
  std::vector<size_t> width(columns.size());
  for (size_t k = 0; k < columns.size(); ++k) {
    width[k] = columns[k].header.size();
    for (const auto& line : cells) width[k] = std::max(width[k], line[k].size());
  }
  bool any_header = std::any_of(columns.begin(), columns.end(),
                                [](const Column& c) { return !c.header.empty(); });
  std::string out;
  auto emit = [&](auto&& text_of) {
    std::string line;
    for (size_t k = 0; k < columns.size(); ++k) {
      std::string text = text_of(k);
      bool last = k + 1 == columns.size();
      size_t pad = width[k] > text.size() ? width[k] - text.size() : 0;
      if (columns[k].numeric)
        line += std::string(pad, ' ') + text;
      else
        line += last ? text : text + std::string(pad, ' ');
      if (!last) line += ' ';
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  if (any_header) emit([&](size_t k) { return columns[k].header; });
  for (const auto& line : cells) emit([&](size_t k) { return line[k]; });
  return out;
}

}  // namespace chrunc::runtime
