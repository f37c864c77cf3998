#pragma once
// Every test runs in a network namespace of its own, made in SetUp and
// gone when its last fd closes (with every link in it). `ip`/`tc` are run
// only to check results: a forked child starts in the calling thread's netns.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <memory>
#include <string>

#include "common/unique_fd.hpp"
#include "netlink/netns.hpp"
#include "netlink/socket.hpp"

namespace chrunc::netlink::test {

// Runs `command` (sh -c) in the calling thread's netns; returns its stdout.
inline std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (status) *status = rc;
  return out;
}

// The JSON output of `command` (an `ip -j` or `tc -j` invocation).
inline rapidjson::Document json(const std::string& command) {
  rapidjson::Document doc;
  std::string out = run(command);
  doc.Parse(out.c_str());
  if (doc.HasParseError()) {
    ADD_FAILURE() << "not JSON from '" << command << "': " << out;
    doc.SetArray();
  }
  return doc;
}

inline std::string str(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject() || !v.HasMember(key) || !v[key].IsString()) return {};
  return v[key].GetString();
}

inline int64_t num(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject() || !v.HasMember(key) || !v[key].IsNumber()) return -1;
  return v[key].GetInt64();
}

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = new_netns();
    guard_ = std::make_unique<NetnsGuard>(ns_.get());
    sock_ = std::make_unique<Socket>();
  }
  void TearDown() override {
    sock_.reset();
    guard_.reset();
    ns_.reset();
  }
  Socket& sock() { return *sock_; }

  UniqueFd ns_;
  std::unique_ptr<NetnsGuard> guard_;
  std::unique_ptr<Socket> sock_;
};

}  // namespace chrunc::netlink::test
