#!/usr/bin/env bash
# Builds the guest image the runtime boots:
#   OUT_DIR/vmlinux          uncompressed PVH kernel
#   OUT_DIR/initramfs.cpio   uncompressed newc cpio: /init = the static agent
#                            (debian: also the modules of guest/modules.list,
#                            dependencies resolved, and /etc/modules-load, the
#                            order the agent loads them in)
#   OUT_DIR/kernel-release   the kernel's release string (uname -r)
#   OUT_DIR/kernel-params    the boot parameters of our kernel patches that
#                            the kernel takes (custom: build-kernel.sh's
#                            params; debian: none), read by the runtime
# KERNEL is which kernel:
#   custom  ours, built from Debian's linux-source-6.1 by build-kernel.sh with
#           guest/kernel/ch-runc.config: everything built in, no modules
#   debian  Debian's linux-image-cloud-amd64, fetched by fetch-kernel.sh; its
#           virtio, vsock, virtiofs and overlay drivers are modules
# Usage: build-image.sh OUT_DIR AGENT_BINARY KERNEL [KERNEL_CACHE_DIR]
# The kernel is built or fetched once into KERNEL_CACHE_DIR (default
# OUT_DIR/kernel-custom or OUT_DIR/kernel).
# The cpio is reproducible: sorted names, owner root, mtimes of SOURCE_DATE_EPOCH (default 0).
set -euo pipefail
usage="usage: build-image.sh OUT_DIR AGENT_BINARY custom|debian [KERNEL_CACHE_DIR]"
out=${1:?$usage}
agent=${2:?$usage}
kind=${3:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
case "$kind" in
  custom) kernel=${4:-$out/kernel-custom} ;;
  debian) kernel=${4:-$out/kernel} ;;
  *) echo "build-image: kernel \"$kind\": custom or debian" >&2; exit 1 ;;
esac
epoch=${SOURCE_DATE_EPOCH:-0}

tools=(cpio)
[ "$kind" = debian ] && tools+=(modinfo)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool missing (apt-get install cpio kmod)" >&2; exit 1; }
done
[ -x "$agent" ] || { echo "build-image: $agent: not an executable" >&2; exit 1; }
if file "$agent" 2>/dev/null | grep -q 'dynamically linked'; then
  echo "build-image: $agent is dynamically linked; the guest has no loader" >&2; exit 1
fi

order=()
if [ "$kind" = custom ]; then
  "$here/build-kernel.sh" "$kernel"
else
  "$here/fetch-kernel.sh" "$kernel"
  moddir=$kernel/modules

  # Module name -> path (names use '_' in modinfo; files may use '-').
  declare -A path_of
  while IFS= read -r f; do
    name=$(basename "$f"); name=${name%%.ko*}; name=${name//-/_}
    path_of[$name]=$f
  done < <(cd "$moddir" && find kernel -name '*.ko*')

  # Depth-first: dependencies before the module that needs them.
  declare -A seen
  add_module() {
    local name=${1//-/_}
    [ -n "${seen[$name]:-}" ] && return 0
    seen[$name]=1
    if [ -z "${path_of[$name]:-}" ]; then
      if grep -qE "/${name//_/[-_]}\.ko" "$moddir/modules.builtin"; then return 0; fi
      echo "build-image: module $name: neither a module nor built in" >&2; exit 1
    fi
    local deps dep
    deps=$(modinfo -F depends "$moddir/${path_of[$name]}")
    for dep in ${deps//,/ }; do add_module "$dep"; done
    order+=("${path_of[$name]}")
  }
  while read -r line; do
    line=${line%%#*}; line=${line// /}
    [ -n "$line" ] && add_module "$line"
  done < "$here/modules.list"
fi

root=$out/initramfs.root
rm -rf "$root"
mkdir -p "$root"/{dev,proc,sys,run,tmp,etc,sbin}
chmod 1777 "$root/tmp"
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
install -m 0755 "$agent" "$root/init"
# No /etc/modules-load at all for a kernel without modules: the agent then loads nothing.
if [ ${#order[@]} -gt 0 ]; then
  mkdir -p "$root/lib/modules"
  : > "$root/etc/modules-load"
fi
for m in "${order[@]}"; do
  dst=$root/lib/modules/$(basename "$m")
  case "$m" in
    *.ko) cp "$moddir/$m" "$dst" ;;
    *.ko.xz) xz -dc "$moddir/$m" > "${dst%.xz}"; dst=${dst%.xz} ;;
    *.ko.zst) zstd -qdc "$moddir/$m" > "${dst%.zst}"; dst=${dst%.zst} ;;
    *.ko.gz) gzip -dc "$moddir/$m" > "${dst%.gz}"; dst=${dst%.gz} ;;
  esac
  echo "/lib/modules/$(basename "$dst")" >> "$root/etc/modules-load"
done
cat "$kernel/release" > "$root/etc/kernel-release"
cp "$kernel/release" "$out/kernel-release"
if [ "$kind" = custom ]; then
  cp "$kernel/params" "$out/kernel-params"
else
  : > "$out/kernel-params"
fi

find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
  cpio --quiet -o -H newc -R 0:0 --reproducible > "$out/initramfs.cpio.tmp")
mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
cp --reflink=auto "$kernel/vmlinux" "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
rm -rf "$root"

size() { du -k --apparent-size "$1" | cut -f1; }
echo "guest image in $out ($kind kernel $(cat "$kernel/release")):"
echo "  vmlinux         $(size "$out/vmlinux") KiB"
echo "  initramfs.cpio  $(size "$out/initramfs.cpio") KiB (agent $(size "$agent") KiB, ${#order[@]} modules)"
