"""Exports an open_clip model folder to ONNX for the ONNX Runtime peer of the benchmarks.

    models/.pyenv/bin/python benchmarks/peers/export_onnx.py FOLDER OUTDIR

FOLDER holds open_clip_config.json + open_clip_model.safetensors (e.g. from
benchmarks/make_random_model.py). Writes, in fp32 with a dynamic batch dimension:
  OUTDIR/image.onnx   "pixels" float32 [B,3,S,S] -> "embedding" = model.encode_image (not normalised)
  OUTDIR/text.onnx    "tokens" int64 [B,77]      -> "embedding" = model.encode_text (not normalised)
  OUTDIR/export.json  versions, opset and the max abs differences ONNX Runtime vs open_clip
A tower over protobuf's 2 GB keeps its weights in OUTDIR/image.onnx.data (or text.onnx.data).
Then checks both with onnxruntime (CPUExecutionProvider) on a random batch of 2 and exits 1 when a
difference exceeds 1e-4. Skips the export (not the check) when both .onnx files are newer than the
safetensors file. Needs onnx and onnxruntime (benchmarks/peers/requirements.txt).
"""
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()

OPSET = 17
TOLERANCE = 1e-4


class Tower(torch.nn.Module):
    """One tower of the model as a plain forward(x), for tracing."""

    def __init__(self, model, encode):
        super().__init__()
        self.model, self.encode = model, encode

    def forward(self, x):
        return getattr(self.model, self.encode)(x)


def export(model, encode, example, input_name, path):
    # nn.MultiheadAttention's inference fast path (aten::_native_multi_head_attention, taken when no
    # parameter requires grad) has no ONNX export; the plain path exports fine.
    torch.backends.mha.set_fastpath_enabled(False)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        raw = Path(scratch) / path.name
        # The wrapper in eval mode too: a new module trains, and tracing it in training mode updated
        # a ResNet's batch-norm statistics, so the model the export was then checked against had
        # changed.
        torch.onnx.export(Tower(model, encode).eval(), (example,), str(raw), dynamo=False,
                          opset_version=OPSET, input_names=[input_name], output_names=["embedding"],
                          dynamic_axes={input_name: {0: "batch"}, "embedding": {0: "batch"}})
        if len(list(Path(scratch).iterdir())) == 1:
            raw.replace(path)
        else:
            # Over protobuf's 2 GB (ViT-H-14's image tower) the exporter writes each weight to its own
            # file beside the model, named after the tensor ("onnx__MatMul_6409"): the towers' files
            # could overwrite each other in one folder. One PATH.data file per tower instead.
            onnx.save_model(onnx.load(str(raw)), str(path), save_as_external_data=True,
                            all_tensors_to_one_file=True, location=path.name + ".data")
    torch.backends.mha.set_fastpath_enabled(True)
    onnx.checker.check_model(str(path))


def max_abs_diff(path, input_name, x, expected):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(["embedding"], {input_name: x.numpy()})[0]
    assert got.shape == tuple(expected.shape), (got.shape, expected.shape)
    return float(np.abs(got - expected.numpy()).max())


def main(folder, outdir):
    folder, outdir = Path(folder), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    model, _, _ = open_clip.create_model_and_transforms("local-dir:" + str(folder))
    model.eval().requires_grad_(False)  # tracing the text tower fails with parameters needing grad
    size = model.visual.image_size
    size = size[0] if isinstance(size, (tuple, list)) else size
    context = model.context_length
    image_path, text_path = outdir / "image.onnx", outdir / "text.onnx"

    torch.manual_seed(0)
    pixels = torch.randn(2, 3, size, size)
    tokens = torch.randint(1, model.vocab_size - 1, (2, context), dtype=torch.int64)

    weights_time = (folder / "open_clip_model.safetensors").stat().st_mtime
    if all(p.exists() and p.stat().st_mtime > weights_time for p in (image_path, text_path)):
        print(f"up to date: {image_path}, {text_path}", file=sys.stderr)
    else:
        export(model, "encode_image", pixels, "pixels", image_path)
        export(model, "encode_text", tokens, "tokens", text_path)
        print(f"exported {image_path}, {text_path}", file=sys.stderr)

    with torch.no_grad():
        image_expected, text_expected = model.encode_image(pixels), model.encode_text(tokens)
    image_diff = max_abs_diff(image_path, "pixels", pixels, image_expected)
    text_diff = max_abs_diff(text_path, "tokens", tokens, text_expected)
    print(f"image {tuple(image_expected.shape)} max abs diff {image_diff:.3g}; "
          f"text {tuple(text_expected.shape)} max abs diff {text_diff:.3g}")
    (outdir / "export.json").write_text(json.dumps({
        "torch": torch.__version__, "onnx": onnx.__version__, "opset": OPSET,
        "image_max_abs_diff": image_diff, "text_max_abs_diff": text_diff}, indent=2) + "\n")
    if max(image_diff, text_diff) > TOLERANCE:
        sys.exit(f"ONNX Runtime differs from open_clip by more than {TOLERANCE}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
