#!/usr/bin/env bash
# Installs every Debian 12 package ch-runc needs to build, run and test.
# Idempotent and non-interactive; must run as root.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: run as root (apt-get install needs it)" >&2
  exit 1
fi

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config git
  libcli11-dev libyaml-cpp-dev rapidjson-dev libcurl4-openssl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libseccomp-dev libgtest-dev libgmock-dev go-md2man
  # static guest agent (the .a files of grpc/protobuf/absl/cares/re2/ssl/z come with the -dev packages)
  libc6-dev
  # quality: formatting, lint, sanitizers, fuzzing (clang's runtimes)
  clang clang-format clang-tidy libclang-rt-14-dev
  # running containers in VMs here: QEMU (+ its virtiofsd), guest image tools
  qemu-system-x86 qemu-system-common cpio lz4 zstd xz-utils python3 kmod
  # the guest kernel (guest/build-kernel.sh): Debian's kernel source and its build tools
  linux-source-6.1 bc bison flex libelf-dev patch
  # tests: busybox rootfs, network namespaces, the reference runtime
  busybox-static iproute2 procps psmisc runc util-linux
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# fetch-kernel.sh (the Debian-kernel image: CHRUNC_GUEST_KERNEL=debian, guest-image-debian,
# the vmm unit tests' test guest) resolves linux-image-cloud-amd64 through apt-cache: make sure lists exist.
if ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
  apt-get update -qq
fi
echo "install-deps: all packages present"
