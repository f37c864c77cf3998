#!/usr/bin/env bash
# Fetches Debian's linux-image-cloud-amd64 kernel package (without installing
# it on the host) and unpacks it into OUT_DIR:
#   OUT_DIR/vmlinuz      the bzImage
#   OUT_DIR/vmlinux      the uncompressed ELF (PVH boot: QEMU and cloud-hypervisor)
#   OUT_DIR/modules/     lib/modules/<release>/ of the package
#   OUT_DIR/release      the kernel release string
# Idempotent: does nothing when OUT_DIR/release exists and matches the package.
set -euo pipefail
out=${1:?usage: fetch-kernel.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The metapackage depends on the versioned image package; resolve it.
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve linux-image-cloud-amd64 (run apt-get update)" >&2; exit 1; }
release=${pkg#linux-image-}
if [ -f "$out/release" ] && [ "$(cat "$out/release")" = "$release" ] && [ -f "$out/vmlinux" ]; then
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) ||
  { echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
dpkg-deb -x "$work"/"$pkg"_*.deb "$work/root"
cp "$work/root/boot/vmlinuz-$release" "$out/vmlinuz"
rm -rf "$out/modules"
cp -a "$work/root/lib/modules/$release" "$out/modules"
python3 "$(dirname "$0")/extract-vmlinux.py" "$out/vmlinuz" "$out/vmlinux"
echo "$release" > "$out/release"
