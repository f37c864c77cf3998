#include <gtest/gtest.h>

#include "runtime/monitor/vm_sizing.hpp"
#include "runtime/pool/claim.hpp"

namespace chrunc::runtime::pool {
namespace {

VmHost qemu_host(unsigned pool_size = 2) {
  VmHost host;
  host.config.pool.size = pool_size;
  host.config.pool.vcpus = host.config.default_vcpus;
  host.config.pool.memory_mib = host.config.default_memory_mib;
  host.backend.kind = vmm::BackendChoice::Kind::QemuTcg;
  return host;
}

oci::Spec spec_with(std::vector<oci::Namespace> namespaces) {
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->namespaces = std::move(namespaces);
  return spec;
}

oci::Namespace ns(const std::string& type, const std::string& path = "") {
  oci::Namespace n;
  n.type = type;
  n.path = path;
  return n;
}

TEST(WarmFit, ADefaultContainerFitsTheDefaultPool) {
  WarmFit fit =
      warm_fit(spec_with({ns("pid"), ns("network"), ns("mount")}), qemu_host(), false, false);
  EXPECT_EQ(fit.reason, "");
  EXPECT_EQ(fit.shape.hypervisor, "qemu-tcg");
  EXPECT_EQ(fit.shape.vcpus, 1u);
  EXPECT_EQ(fit.shape.memory_mib, 256u);
  EXPECT_EQ(fit.shape.nics, 0u);
}

TEST(WarmFit, WhatBootsCold) {
  const oci::Spec plain = spec_with({ns("network")});
  EXPECT_EQ(warm_fit(plain, qemu_host(0), false, false).reason, "no pool configured");
  VmHost ch = qemu_host();
  ch.backend.kind = vmm::BackendChoice::Kind::CloudHypervisor;
  EXPECT_NE(warm_fit(plain, ch, false, false).reason, "");
  EXPECT_NE(warm_fit(plain, qemu_host(), true, false).reason, "");  // --debug
  EXPECT_NE(warm_fit(plain, qemu_host(), false, true).reason, "");  // block devices
  EXPECT_NE(warm_fit(spec_with({ns("user")}), qemu_host(), false, false).reason, "");
  EXPECT_NE(
      warm_fit(spec_with({ns("network", "/proc/1/ns/net")}), qemu_host(), false, false).reason, "");
  oci::Spec big = plain;
  big.annotations[kMemoryAnnotation] = "512";
  WarmFit fit = warm_fit(big, qemu_host(), false, false);
  EXPECT_EQ(fit.reason, "the VM's size differs from the pool's");
  VmHost two = qemu_host();
  two.config.pool.memory_mib = 512;
  EXPECT_EQ(warm_fit(big, two, false, false).reason, "");
}

oci::Spec limited_to_mib(int64_t limit_mib) {
  oci::Spec spec = spec_with({ns("pid"), ns("mount")});
  spec.linux->resources.emplace();
  spec.linux->resources->memory.emplace();
  spec.linux->resources->memory->limit = limit_mib << 20;
  return spec;
}

// A memory limit L gives the VM L - 64 MiB (vm_sizing.hpp) and leaves room
// for the translation cache a cold VM gets (16 MiB, or less if the host
// config says so): a standby with a larger one is not taken under TCG, even
// when its size matches.
TEST(WarmFit, AMemoryLimitTakesAStandbyOnlyIfItsTranslationCacheFits) {
  const oci::Spec limited = limited_to_mib(320);  // a 256 MiB VM: the pool's
  const std::string refused =
      "a memory limit: the standbys' translation cache would not fit within it";
  VmHost host = qemu_host();
  ASSERT_EQ(host.config.pool.tcg_translation_cache_mib, 48u);  // the default
  WarmFit fit = warm_fit(limited, host, false, false);
  EXPECT_EQ(fit.reason, refused);
  EXPECT_EQ(fit.shape.tcg_cache_mib, 48u);         // what a standby's record must say
  host.config.pool.tcg_translation_cache_mib = 0;  // QEMU's default: larger still
  EXPECT_EQ(warm_fit(limited, host, false, false).reason, refused);
  host.config.pool.tcg_translation_cache_mib = kLimitedTcgTbMiB;
  EXPECT_EQ(warm_fit(limited, host, false, false).reason, "");
  // The host config's smaller cache is what a cold VM gets, and the bound.
  host.config.tcg_translation_cache_mib = 8;
  EXPECT_EQ(warm_fit(limited, host, false, false).reason, refused);
  host.config.pool.tcg_translation_cache_mib = 8;
  EXPECT_EQ(warm_fit(limited, host, false, false).reason, "");
  // Host config 0 (QEMU's default for unlimited VMs): a limit still means 16.
  host.config.tcg_translation_cache_mib = 0;
  host.config.pool.tcg_translation_cache_mib = 48;
  EXPECT_EQ(warm_fit(limited, host, false, false).reason, refused);
  // A limit with the memory annotation sizing the VM: the host's cache.
  host.config.tcg_translation_cache_mib = 16;
  oci::Spec annotated = limited_to_mib(2048);
  annotated.annotations[kMemoryAnnotation] = "256";
  EXPECT_EQ(warm_fit(annotated, host, false, false).reason, refused);
  // Without a memory limit the cache does not matter; with KVM there is none.
  EXPECT_EQ(warm_fit(spec_with({ns("pid"), ns("mount")}), host, false, false).reason, "");
  host.backend.kind = vmm::BackendChoice::Kind::QemuKvm;
  EXPECT_EQ(warm_fit(limited, host, false, false).reason, "");
}

}  // namespace
}  // namespace chrunc::runtime::pool
