// The image's kernel-params file: the patched boot parameters its kernel
// takes. A missing file means none; junk lines are not passed to a kernel.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "runtime/monitor/vm_backend.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

class KernelParams : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kparams.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Writes the kernel-params file and returns the kernel path it is beside.
  fs::path write(const std::string& text) {
    std::ofstream(dir_ / "kernel-params") << text;
    return dir_ / "vmlinux";
  }
  fs::path dir_;
};

TEST_F(KernelParams, NamesOneALineWithoutComments) {
  auto kernel = write("# ours\nlapic_timer_hz\n\nvirtio_mmio.queue_size_max\n");
  EXPECT_EQ(kernel_params_beside(kernel),
            (std::vector<std::string>{"lapic_timer_hz", "virtio_mmio.queue_size_max"}));
}

TEST_F(KernelParams, NoFileMeansNone) {
  EXPECT_TRUE(kernel_params_beside(dir_ / "vmlinux").empty());
}

// A line that could add another parameter, or a value, is skipped.
TEST_F(KernelParams, LinesThatAreNotANameAreSkipped) {
  auto kernel =
      write("lapic_timer_hz=1 init=/bin/sh\nLAPIC\nnoapictimer \nvirtio_mmio.queue_size_max\n" +
            std::string(80, 'a') + "\n");
  EXPECT_EQ(kernel_params_beside(kernel), (std::vector<std::string>{"virtio_mmio.queue_size_max"}));
}

}  // namespace
}  // namespace chrunc::runtime
