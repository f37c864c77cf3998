#include "cmd/list_table.hpp"

#include <gtest/gtest.h>

namespace chrunc::cmd {
namespace {

TEST(ListTable, EmptyIsTheHeaderAtMinimumWidth) {
  EXPECT_EQ(format_list_table({}),
            "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
}

TEST(ListTable, AlignedLikeRuncTabwriter) {
  oci::State s;
  s.id = "t1";
  s.pid = 17853;
  s.status = "created";
  s.bundle = "/tmp/ocitest";
  s.created = "2026-11-23T10:14:25.343839709Z";
  s.owner = "root";
  // Exactly what runc 1.1.5 printed for this container.
  EXPECT_EQ(
      format_list_table({s}),
      "ID          PID         STATUS      BUNDLE         CREATED                          OWNER\n"
      "t1          17853       created     /tmp/ocitest   2026-11-23T10:14:25.343839709Z   root\n");
}

TEST(ListTable, LongIdWidensItsColumn) {
  oci::State a;
  a.id = "a-rather-long-container-id";
  a.status = "stopped";
  a.bundle = "/b";
  a.created = "c";
  a.owner = "root";
  std::string table = format_list_table({a});
  EXPECT_EQ(table.substr(0, 30), "ID" + std::string(27, ' ') + "P");
  EXPECT_NE(table.find("a-rather-long-container-id   0           stopped"), std::string::npos);
}

}  // namespace
}  // namespace chrunc::cmd
