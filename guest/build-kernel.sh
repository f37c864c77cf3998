#!/usr/bin/env bash
# Builds the ch-runc guest kernel from Debian's kernel source package
# (linux-source-6.1: /usr/src/linux-source-6.1.tar.xz) with our own config,
# guest/kernel/ch-runc.config applied over allnoconfig: everything the agent
# needs built in, no modules; guest/kernel/patches/*.patch (patch -p1, in
# name order) are applied to the source first: boot parameters our VMMs set.
#   OUT_DIR/vmlinux    the uncompressed PVH kernel, stripped
#   OUT_DIR/release    its release string (uname -r)
#   OUT_DIR/config     the full .config it was built with
#   OUT_DIR/params     the boot parameters the patches add (guest/kernel/boot-params)
# Caches under OUT_DIR: src/ (the tarball unpacked once per source version)
# and obj/ (the O= tree). Compiles with `ccache gcc` and fixed
# KBUILD_BUILD_{TIMESTAMP,USER,HOST,VERSION}, so a rebuild from an empty
# OUT_DIR at the same path with a warm ccache is mostly cache hits.
# Idempotent: does nothing when the fragment, the patches, this script and the
# source version are those of the last build. Fails when a line of the fragment did
# not make it into the final .config (a dependency the fragment lacks).
# Usage: build-kernel.sh OUT_DIR [SOURCE_TARBALL]
# Environment: KERNEL_JOBS (default: nproc).
set -euo pipefail
out=${1:?usage: build-kernel.sh OUT_DIR [SOURCE_TARBALL]}
tarball=${2:-/usr/src/linux-source-6.1.tar.xz}
here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/kernel/ch-runc.config
boot_params=$here/kernel/boot-params
jobs=${KERNEL_JOBS:-$(nproc)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

die() { echo "build-kernel: $*" >&2; exit 1; }
[ -f "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.1)"
for tool in make gcc bc bison flex ccache perl xz patch; do
  command -v "$tool" >/dev/null || die "$tool missing (scripts/install-deps.sh installs the kernel build tools)"
done
[ -f /usr/include/libelf.h ] || die "libelf.h missing (apt-get install libelf-dev)"

# The source version: the Debian package that ships the tarball, else its size and mtime.
version=$(dpkg-query -W -f='${Version}' "$(basename "$tarball" .tar.xz)" 2>/dev/null || true)
[ -n "$version" ] || version=$(stat -c '%s-%Y' "$tarball")
patches=("$here"/kernel/patches/*.patch)
[ -e "${patches[0]}" ] || patches=()
patch_set=$(cat /dev/null "${patches[@]}" | sha256sum | cut -d' ' -f1)
key=$(cat "$fragment" "$0" "${patches[@]}" "$boot_params" <(echo "$tarball $version") | sha256sum | cut -d' ' -f1)
if [ -f "$out/vmlinux" ] && [ -f "$out/params" ] && [ "$(cat "$out/key" 2>/dev/null)" = "$key" ]; then
  exit 0
fi

# Unpack and patch once per source version and patch set (about 1.3 GB;
# older trees are removed). .unpacked holds the patch set's hash. The object
# tree goes too: a file a dropped patch touched comes back with the tarball's
# older mtime, and make would keep its patched object (ccache makes the
# rebuild mostly hits).
src=$out/src/$version
if [ "$(cat "$src/.unpacked" 2>/dev/null)" != "$patch_set" ]; then
  rm -rf "$out/src" "$out/obj"
  mkdir -p "$src"
  echo "build-kernel: unpacking $tarball ($version)"
  tar -xf "$tarball" -C "$src" --strip-components=1
  for p in "${patches[@]}"; do
    patch -s -p1 -d "$src" --forward --batch --fuzz=0 --no-backup-if-mismatch <"$p" ||
      die "$(basename "$p") does not apply to $version"
  done
  echo "$patch_set" > "$src/.unpacked"
fi

# Reproducible and cache-friendly: fixed build stamps, paths relative to OUT_DIR.
export KBUILD_BUILD_TIMESTAMP="@${SOURCE_DATE_EPOCH:-0}"
export KBUILD_BUILD_USER=ch-runc KBUILD_BUILD_HOST=ch-runc KBUILD_BUILD_VERSION=1
export CCACHE_BASEDIR=$out CCACHE_NOHASHDIR=1
obj=$out/obj
mkdir -p "$obj"
kmake() { make -s -C "$src" O="$obj" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc" "$@"; }

# allnoconfig with the fragment's values forced, then every unset choice defaulted.
kmake KCONFIG_ALLCONFIG="$fragment" allnoconfig >/dev/null
kmake olddefconfig >/dev/null
missing=()
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" "$obj/.config" || missing+=("$line") ;;
    "# CONFIG_"*" is not set")
      name=${line#\# }; name=${name%% *}
      ! grep -q "^$name=" "$obj/.config" || missing+=("$line") ;;
  esac
done < "$fragment"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'build-kernel: not in the final .config (a dependency is missing from %s):\n' "$fragment" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
grep -q '^CONFIG_MODULES=y' "$obj/.config" && die "CONFIG_MODULES=y: the guest kernel takes no modules"

echo "build-kernel: building vmlinux ($version, $jobs jobs)"
start=$(date +%s)
kmake -j "$jobs" vmlinux
release=$(kmake -s kernelrelease)
strip --strip-all -o "$out/vmlinux.tmp" "$obj/vmlinux"
mv "$out/vmlinux.tmp" "$out/vmlinux"
cp "$obj/.config" "$out/config"
# Each name boot-params lists must be in the kernel (the strings of
# early_param and module_param): a name whose patch was dropped would reach
# the kernel as an unknown parameter.
sed '/^#/d;/^$/d' "$boot_params" > "$out/params.tmp"
while IFS= read -r name; do
  grep -aqF "$name" "$obj/vmlinux" || die "boot-params lists $name, which the kernel does not define"
done < "$out/params.tmp"
mv "$out/params.tmp" "$out/params"
echo "$release" > "$out/release"
echo "$key" > "$out/key"
echo "build-kernel: vmlinux $release, $(du -k --apparent-size "$out/vmlinux" | cut -f1) KiB, in $(($(date +%s) - start)) s"
