"""Builds the seed inputs of the fuzz tests (java/src/test/.../ImageFuzzTestInputs and
CheckpointFuzzTestInputs): small, valid files of every kind clip4j reads, so the fuzzer starts from
inputs that get deep into each decoder and reader. Kept small (a few KB each): libFuzzer mutates
small inputs far faster, and each seed also runs as a regression test in every `mvn verify`.

    models/.pyenv/bin/python models/make_fuzz_seeds.py
"""
import io
import struct
import zlib
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save as save_safetensors

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "models" / "fixtures"
TEST_RESOURCES = ROOT / "java" / "src" / "test" / "resources" / "io" / "clip4j"
IMAGE_SEEDS = TEST_RESOURCES / "ImageFuzzTestInputs" / "encodedBytes"
SAFETENSORS_SEEDS = TEST_RESOURCES / "CheckpointFuzzTestInputs" / "safetensorsBytes"
TORCH_SEEDS = TEST_RESOURCES / "CheckpointFuzzTestInputs" / "torchArchiveBytes"


def png16(array):
    """A 16-bit grey PNG, which PIL cannot write."""
    height, width = array.shape
    rows = array.astype(">u2").tobytes()
    stride = len(rows) // height
    raw = b"".join(b"\x00" + rows[i * stride:(i + 1) * stride] for i in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def encoded(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def make_image_seeds():
    """The fixture photos, shrunk to 12x9 pixels, in every format and mode the decoder handles."""
    cat = Image.open(FIXTURES / "images" / "chelsea.png").convert("RGB").resize((12, 9), Image.BICUBIC)
    cat.info.clear()  # no ICC profile: libpng warns about an RGB profile in a grey PNG
    alpha = Image.fromarray(np.dstack([np.asarray(cat), np.linspace(0, 255, 108, dtype=np.uint8).reshape(9, 12)]), "RGBA")
    grey = cat.convert("L")
    seeds = {
        "rgb.png": encoded(cat, "PNG"),
        "rgba.png": encoded(alpha, "PNG"),
        "palette.png": encoded(cat.quantize(16), "PNG"),
        "grey.png": encoded(grey, "PNG"),
        "bilevel.png": encoded(grey.convert("1"), "PNG"),
        "grey16.png": png16(np.asarray(grey).astype(np.uint16) * 257),
        "baseline.jpg": encoded(cat, "JPEG", quality=80),
        "progressive.jpg": encoded(cat, "JPEG", quality=80, progressive=True),
        "grey.jpg": encoded(grey, "JPEG", quality=80),
        "rgb.bmp": encoded(cat, "BMP"),
        "palette.gif": encoded(cat.quantize(16), "GIF"),
        "lossy.webp": encoded(cat, "WEBP", quality=80),
        "lossless.webp": encoded(alpha, "WEBP", lossless=True),
        "rgb.tiff": encoded(cat, "TIFF"),
        "lzw.tiff": encoded(cat, "TIFF", compression="tiff_lzw"),
    }
    IMAGE_SEEDS.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (IMAGE_SEEDS / name).write_bytes(data)


def make_checkpoint_seeds():
    """Small state dicts in each container: they load no model (tensors are missing), but every
    byte of them goes through the readers that a real checkpoint goes through."""
    vit = torch.jit.load(str(FIXTURES / "openai-vit-tiny.pt"), map_location="cpu").state_dict()
    small = OrderedDict((name, vit[name].float().contiguous())
                        for name in ["logit_scale", "ln_final.weight", "ln_final.bias", "text_projection"])
    SAFETENSORS_SEEDS.mkdir(parents=True, exist_ok=True)
    (SAFETENSORS_SEEDS / "f32.safetensors").write_bytes(save_safetensors(dict(small), metadata={"format": "pt"}))
    (SAFETENSORS_SEEDS / "mixed-dtypes.safetensors").write_bytes(save_safetensors({
        "logit_scale": small["logit_scale"].double(),
        "ln_final.weight": small["ln_final.weight"].half(),
        "ln_final.bias": small["ln_final.bias"].bfloat16(),
        "attn_mask": torch.ones(2, 2, dtype=torch.bool),
        "positions": torch.arange(4, dtype=torch.int64),
        "empty": torch.zeros(0, 3),
    }))

    TORCH_SEEDS.mkdir(parents=True, exist_ok=True)

    def save(obj, name):
        out = io.BytesIO()
        torch.save(obj, out)
        (TORCH_SEEDS / name).write_bytes(out.getvalue())

    save(OrderedDict((k, v.half()) for k, v in small.items()), "state-dict.bin")
    # Views of one storage at offsets, as torch.save writes a split or sliced tensor.
    whole = torch.arange(12, dtype=torch.float32)
    save({"a": whole[:4], "b": whole[4:].view(2, 4), "c": whole[4:].view(2, 4).t()}, "shared-storage.bin")
    save({"epoch": 3, "state_dict": {"module." + k: v for k, v in small.items()},
          "optimizer": {"param_groups": [{"lr": 0.001}]}}, "training-checkpoint.bin")

    class Tower(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Parameter(torch.ones(4, 2, dtype=torch.float16), requires_grad=False)
            self.ln_post = torch.nn.LayerNorm(4)

        def forward(self, x):
            return self.ln_post(x) @ self.proj

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.visual = Tower()
            self.logit_scale = torch.nn.Parameter(torch.ones([]), requires_grad=False)

        def forward(self, x):
            return self.visual(x) * self.logit_scale

    out = io.BytesIO()
    torch.jit.save(torch.jit.script(Tiny()), out)
    (TORCH_SEEDS / "torchscript.pt").write_bytes(out.getvalue())


if __name__ == "__main__":
    make_image_seeds()
    make_checkpoint_seeds()
    for folder in [IMAGE_SEEDS, SAFETENSORS_SEEDS, TORCH_SEEDS]:
        for path in sorted(folder.iterdir()):
            print(f"{path.stat().st_size:>8}  {path.relative_to(ROOT)}")
