#include "runtime/cli/ps_table.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

std::vector<ProcessRow> rows() {
  return {{1, 0, 0, "S", 250, "sleep 1000", "sleep"}, {12, 1, 1000, "R", 0, "", "kworker"}};
}

TEST(PsTable, DefaultColumns) {
  EXPECT_EQ(format_process_table(rows(), {}, 100),
            "UID  PID PPID STAT     TIME CMD\n"
            "root   1    0 S    00:00:02 sleep 1000\n"
            "1000  12    1 R    00:00:00 [kworker]\n");
  EXPECT_EQ(format_process_table(rows(), {"-ef"}, 100),
            format_process_table(rows(), {"-e", "-f"}, 100));
}

TEST(PsTable, OutputFields) {
  EXPECT_EQ(format_process_table(rows(), {"-o", "pid,args"}, 100),
            "PID COMMAND\n"
            "  1 sleep 1000\n"
            " 12 [kworker]\n");
  EXPECT_EQ(format_process_table(rows(), {"-opid", "-o", "comm"}, 100),
            "PID COMMAND\n"
            "  1 sleep\n"
            " 12 kworker\n");
  EXPECT_EQ(format_process_table(rows(), {"-eo", "pid="}, 100), " 1\n12\n");
  EXPECT_EQ(format_process_table(rows(), {"-o", "pid=P,user"}, 100),
            " P USER\n"
            " 1 root\n"
            "12 1000\n");
}

TEST(PsTable, UnsupportedIsAnError) {
  EXPECT_THROW(format_process_table(rows(), {"-o", "pid,rss"}, 100), Error);
  EXPECT_THROW(format_process_table(rows(), {"aux"}, 100), Error);
  EXPECT_THROW(format_process_table(rows(), {"-L"}, 100), Error);
  EXPECT_THROW(format_process_table(rows(), {"-o"}, 100), Error);
  try {
    format_process_table({}, {"-o", "rss"}, 100);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"rss\" is not supported"), std::string::npos)
        << e.what();
  }
}

TEST(PsTable, GuestStringsAreEscapedAndBounded) {
  std::string hostile_args =
      "sh -c \x1b]0;owned\x07\x1b[2J\r\n\xff\xfe \xc2\x9b"
      "31m caf\xc3\xa9";
  std::vector<ProcessRow> hostile{{7, 1, 0, "S\x1b[1m", 0, hostile_args + std::string(100000, 'A'),
                                   "\x1b[31mred" + std::string(128 * 1024, '\x07')},
                                  {8, 1, 0, "Z", 0, "", std::string("a\0b\x7f", 4)}};
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"-o", "pid,comm,args,stat"}, {"-ef"}, {"-o", "cmd,s"}}) {
    std::string table = format_process_table(hostile, args, 100);
    for (unsigned char c : table) {
      EXPECT_TRUE(c == '\n' || (c >= 0x20 && c != 0x7f)) << "byte " << int(c) << " in " << table;
      if (c == 0xc2) ADD_FAILURE() << "a C1 control (U+009B) left in " << table.substr(0, 200);
    }
    EXPECT_LT(table.size(), 3 * (kPsCmdlineBytes * 4 + 200)) << "unbounded";
  }
  std::string table = format_process_table(hostile, {"-o", "comm=,args="}, 100);
  EXPECT_NE(table.find("\\x1b[31mred\\x07\\x07"), std::string::npos) << table.substr(0, 200);
  EXPECT_NE(table.find("\\x1b]0;owned\\x07\\x1b[2J\\x0d\\x0a\\xff\\xfe \\xc2\\x9b31m caf\xc3\xa9"),
            std::string::npos);
  EXPECT_NE(table.find("[a\\x00b\\x7f]"), std::string::npos) << table;  // no argv: [comm]
}

}  // namespace
}  // namespace chrunc::runtime
