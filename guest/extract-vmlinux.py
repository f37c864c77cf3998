#!/usr/bin/env python3
"""Extracts the uncompressed vmlinux ELF from an x86 bzImage.

The boot protocol header gives where the compressed payload starts
(payload_offset, relative to the protected-mode code) and how long it is; the
payload's magic says the compressor. Usage: extract-vmlinux.py BZIMAGE OUT
"""
import lzma
import gzip
import shutil
import struct
import subprocess
import sys


def main() -> int:
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    if data[0x202:0x206] != b"HdrS":
        sys.exit(f"extract-vmlinux: {src}: not a bzImage (no HdrS header)")
    setup_sects = data[0x1F1] or 4
    pm_start = (setup_sects + 1) * 512
    payload_offset, payload_length = struct.unpack_from("<II", data, 0x248)
    payload = data[pm_start + payload_offset : pm_start + payload_offset + payload_length]
    if payload.startswith(b"\x28\xb5\x2f\xfd"):
        if not shutil.which("zstd"):
            sys.exit("extract-vmlinux: zstd payload but no zstd binary (apt-get install zstd)")
        out = subprocess.run(["zstd", "-dc"], input=payload, capture_output=True, check=True).stdout
    elif payload.startswith(b"\x02\x21\x4c\x18"):  # LZ4 legacy frame (Debian's choice)
        if not shutil.which("lz4"):
            sys.exit("extract-vmlinux: lz4 payload but no lz4 binary (apt-get install lz4)")
        # The kernel appends the uncompressed size after the frame, which lz4
        # reports as trailing garbage after writing the whole image: the ELF
        # check below is what decides.
        out = subprocess.run(["lz4", "-dc"], input=payload, capture_output=True).stdout
    elif payload.startswith(b"\xfd7zXZ\x00"):
        out = lzma.decompress(payload)
    elif payload.startswith(b"\x1f\x8b"):
        out = gzip.decompress(payload)
    else:
        sys.exit(f"extract-vmlinux: {src}: unknown payload compression {payload[:4].hex()}")
    if not out.startswith(b"\x7fELF"):
        sys.exit(f"extract-vmlinux: {src}: payload is not an ELF image")
    with open(dst, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
