#include "runtime/monitor/vm_sizing.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

uint64_t parse_unsigned(const std::string& text, size_t& pos, const char* what) {
  size_t start = pos;
  uint64_t value = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (value > (UINT64_MAX - 9) / 10)
      throw Error(std::string("annotation ") + what + ": number too large");
    value = value * 10 + static_cast<uint64_t>(text[pos] - '0');
    ++pos;
  }
  if (pos == start)
    throw Error(std::string("annotation ") + what + ": expected a number, got \"" + text + "\"");
  return value;
}

// "0-3,6" as sorted, merged [first, last] ranges; throws naming the list.
std::vector<std::pair<uint64_t, uint64_t>> parse_cpu_ranges(const std::string& list) {
  auto invalid = [&] { return Error("linux.resources.cpu.cpus: invalid list \"" + list + "\""); };
  auto number = [&](const std::string& text, size_t& pos) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    size_t start = pos;
    uint64_t value = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (value > 1'000'000) throw invalid();  // far beyond any kernel's NR_CPUS
      value = value * 10 + static_cast<uint64_t>(text[pos] - '0');
      ++pos;
    }
    if (pos == start) throw invalid();
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n')) ++pos;
    return value;
  };
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = std::min(list.find(',', pos), list.size());
    std::string part = list.substr(pos, end - pos);
    size_t at = 0;
    uint64_t lo = number(part, at), hi = lo;
    if (at < part.size() && part[at] == '-') hi = number(part, ++at);
    if (at != part.size() || hi < lo) throw invalid();
    ranges.emplace_back(lo, hi);
    pos = end + 1;
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second + 1)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  }
  return merged;
}

}  // namespace

unsigned count_cpus(const std::string& list) {
  uint64_t count = 0;
  for (const auto& [lo, hi] : parse_cpu_ranges(list)) count += hi - lo + 1;
  return static_cast<unsigned>(count);
}

std::string guest_cpu_list(const std::string& spec_cpus, unsigned vcpus) {
  unsigned n = std::min(count_cpus(spec_cpus), std::max(1u, vcpus));
  return n <= 1 ? "0" : "0-" + std::to_string(n - 1);
}

void fit_cpuset_to_vm(oci::Spec& guest_spec, unsigned vcpus) {
  if (!guest_spec.linux || !guest_spec.linux->resources || !guest_spec.linux->resources->cpu)
    return;
  fit_cpuset_to_vm(*guest_spec.linux->resources->cpu, vcpus);
}

void fit_cpuset_to_vm(oci::CpuResources& cpu, unsigned vcpus) {
  if (!cpu.cpus.empty()) cpu.cpus = guest_cpu_list(cpu.cpus, vcpus);
  if (!cpu.mems.empty()) cpu.mems = "0";
}

uint64_t parse_memory_annotation(const std::string& text) {
  size_t pos = 0;
  uint64_t value = parse_unsigned(text, pos, kMemoryAnnotation);
  std::string unit = text.substr(pos);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uint64_t mib;
  if (unit.empty() || unit == "M" || unit == "MI" || unit == "MB" || unit == "MIB") {
    mib = value;
  } else if (unit == "G" || unit == "GI" || unit == "GB" || unit == "GIB") {
    mib = value * 1024;
  } else if (unit == "B") {
    mib = value >> 20;
  } else if (unit == "K" || unit == "KI" || unit == "KB" || unit == "KIB") {
    mib = value >> 10;
  } else {
    throw Error(std::string("annotation ") + kMemoryAnnotation + ": unknown unit in \"" + text +
                "\"");
  }
  if (mib < 64)
    throw Error(std::string("annotation ") + kMemoryAnnotation + ": at least 64 MiB, got \"" +
                text + "\"");
  return mib;
}

std::optional<uint64_t> spec_memory_limit_bytes(const oci::Spec& spec) {
  if (spec.linux && spec.linux->resources && spec.linux->resources->memory &&
      spec.linux->resources->memory->limit && *spec.linux->resources->memory->limit > 0)
    return static_cast<uint64_t>(*spec.linux->resources->memory->limit);
  return std::nullopt;
}

std::optional<uint64_t> spec_vm_memory_mib(const oci::Spec& spec) {
  if (auto it = spec.annotations.find(kMemoryAnnotation); it != spec.annotations.end())
    return parse_memory_annotation(it->second);
  if (auto limit = spec_memory_limit_bytes(spec)) {
    uint64_t limit_mib = *limit >> 20;
    if (limit_mib < kMemoryLimitFloorMiB) return kMinGuestMemoryMiB;
    return (limit_mib - kVmmOverheadMiB) & ~uint64_t{1};
  }
  return std::nullopt;
}

VmSize size_vm(const oci::Spec& spec, unsigned default_vcpus, uint64_t default_memory_mib,
               unsigned host_cpus) {
  VmSize size{std::max(1u, default_vcpus),
              std::max<uint64_t>(kMinGuestMemoryMiB, default_memory_mib)};
  const oci::Resources* resources = nullptr;
  if (spec.linux && spec.linux->resources) resources = &*spec.linux->resources;

  if (auto it = spec.annotations.find(kCpusAnnotation); it != spec.annotations.end()) {
    size_t pos = 0;
    uint64_t n = parse_unsigned(it->second, pos, kCpusAnnotation);
    if (pos != it->second.size() || n == 0)
      throw Error(std::string("annotation ") + kCpusAnnotation +
                  ": expected a positive number, got \"" + it->second + "\"");
    size.vcpus = static_cast<unsigned>(std::min<uint64_t>(n, 1024));
  } else if (resources && resources->cpu) {
    const auto& cpu = *resources->cpu;
    if (cpu.quota && *cpu.quota > 0 && cpu.period && *cpu.period > 0) {
      uint64_t q = static_cast<uint64_t>(*cpu.quota);
      size.vcpus =
          static_cast<unsigned>(std::min<uint64_t>((q + *cpu.period - 1) / *cpu.period, 1024));
    } else if (!cpu.cpus.empty()) {
      size.vcpus = std::max(1u, count_cpus(cpu.cpus));
    }
  }
  if (host_cpus > 0) size.vcpus = std::min(size.vcpus, host_cpus);
  size.vcpus = std::max(1u, size.vcpus);

  if (auto memory = spec_vm_memory_mib(spec)) {
    size.memory_mib = *memory;
    // a memory limit: QEMU's translation cache must fit beside the guest
    if (spec.annotations.count(kMemoryAnnotation) == 0) size.tcg_tb_mib = kLimitedTcgTbMiB;
  }
  return size;
}

}  // namespace chrunc::runtime
