"""Writes the reference files of SafeTensorsTest's checksum test with safetensors.torch.

Two tensors (the same values as the Java test builds), saved by safetensors.torch.save_file with one metadata key,
kdeflow.crc32 = the CRC-32 of the data section as 8 lower-case hex digits (zlib.crc32, the same polynomial as
java.util.zip.CRC32). With a single key the reference writer's metadata order is fixed, so the files are the bytes
kdeflow must write for the same tensors with its checksum on.
  crc_f64.safetensors   float64
  crc_f32.safetensors   float32
Run: python make_reference.py   (torch 2.13.0+cpu, safetensors 0.8.0 made the committed files)
"""
import struct
import zlib

import torch
from safetensors.torch import save_file


def tensors(dtype):
    return {"weight": torch.tensor([[0.5, -1.25, 3.0], [1e-3, 2.0 ** -30, -0.0]], dtype=dtype),
            "bias": torch.tensor([0.1, 1.0 / 3.0], dtype=dtype)}


def data_section(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    return b[8 + n:]


def main():
    for name, dtype in (("crc_f64", torch.float64), ("crc_f32", torch.float32)):
        t = tensors(dtype)
        save_file(t, "tmp.safetensors")  # without metadata: the data section alone
        crc = format(zlib.crc32(data_section("tmp.safetensors")), "08x")
        save_file(t, name + ".safetensors", metadata={"kdeflow.crc32": crc})
        print(name, crc)


if __name__ == "__main__":
    main()
