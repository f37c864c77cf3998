#!/usr/bin/env python3
"""Wraps a rootfs tarball into an OCI image archive that `ctr images import`
(and `podman load`) accept: oci-layout, index.json, blobs/sha256/*.

    make-oci-archive.py ROOTFS.tar OUT.tar NAME:TAG
"""
import hashlib
import io
import json
import sys
import tarfile


def main():
    rootfs, out, ref = sys.argv[1:4]
    with open(rootfs, "rb") as f:
        layer = f.read()
    layer_digest = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["sh"],
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        "history": [{"created_by": "engine tests: busybox-static rootfs"}],
    }, sort_keys=True).encode()
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": len(layer)}],
    }, sort_keys=True).encode()
    manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    name = ref if ":" in ref.rsplit("/", 1)[-1] else ref + ":latest"
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest, "size": len(manifest),
            "annotations": {"io.containerd.image.name": "docker.io/" + name if name.count("/") < 2 else name,
                            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]},
            "platform": {"architecture": "amd64", "os": "linux"},
        }],
    }).encode()

    with tarfile.open(out, "w") as tar:
        def add(path, data):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", index)
        for digest, data in ((layer_digest, layer), (config_digest, config), (manifest_digest, manifest)):
            add("blobs/sha256/" + digest.split(":", 1)[1], data)


if __name__ == "__main__":
    main()
