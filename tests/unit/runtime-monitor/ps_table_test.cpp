#include "runtime/ps_table.hpp"

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

}  // namespace
}  // namespace chrunc::runtime
