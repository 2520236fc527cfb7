"""Writes an open_clip hub folder with random (perturbed) weights for an architecture, for the
benchmarks: same weights for clip4j and open_clip.

    models/.pyenv/bin/python benchmarks/make_random_model.py ViT-B-32 target/bench/ViT-B-32
"""
import json
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "models"))
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()


def main(arch, folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = open_clip.create_model(arch)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=generator) * (0.05 if p.ndim <= 1 else 0.01))
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": open_clip.get_model_config(arch), "preprocess_cfg": {}}))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "open_clip_model.safetensors")


if __name__ == "__main__":
    main(*sys.argv[1:3])
