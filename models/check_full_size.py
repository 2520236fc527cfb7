"""Checks clip4j against open_clip on full-size architectures with random weights (on demand;
nothing here is committed). For each architecture it builds the open_clip model with perturbed
random weights, saves it (open_clip hub folder or bare weights), computes open_clip's embeddings
for real photos and prompts, runs `bin/clip4j embed` on the same files and prints the max
absolute difference and the load times.

    models/.pyenv/bin/python models/check_full_size.py --work /tmp/clip4j-full ViT-B-32 ViT-L-14
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch
from PIL import Image
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ["astronaut.jpg", "chelsea.png", "coffee.webp", "rocket.jpg"]
TEXTS = ["a photo of a cat", "an astronaut in a white suit", "a cup of coffee on a table", "a rocket launch"]


def perturb(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=generator) * (0.05 if p.ndim <= 1 else 0.01))
    return model.eval()


def run_clip4j(args, output):
    started = time.perf_counter()
    subprocess.run([str(ROOT / "bin" / "clip4j"), "embed", "--raw", "--threads", "2", "--output", str(output), *args],
                   check=True)
    elapsed = time.perf_counter() - started
    return [json.loads(line)["embedding"] for line in output.read_text().splitlines()], elapsed


def check(arch, work, fmt):
    folder = work / arch
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model, _, preprocess = open_clip.create_model_and_transforms(arch)
    perturb(model, seed=7)
    started = time.perf_counter()
    if fmt == "folder":
        (folder / "open_clip_config.json").write_text(json.dumps({
            "model_cfg": open_clip.get_model_config(arch),
            "preprocess_cfg": {"mean": list(preprocess.transforms[-1].mean), "std": list(preprocess.transforms[-1].std)},
        }))
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "open_clip_model.safetensors")
        model_args = ["--model", str(folder)]
    else:
        torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
        model_args = ["--model", str(folder / "open_clip_pytorch_model.bin"), "--arch", arch]
    save_seconds = time.perf_counter() - started
    tokenizer = open_clip.get_tokenizer(arch)
    with torch.no_grad():
        ref_images = [model.encode_image(preprocess(Image.open(ROOT / "models/fixtures/images" / f)).unsqueeze(0))[0]
                      for f in IMAGES]
        ref_texts = model.encode_text(tokenizer(TEXTS))
    images, image_seconds = run_clip4j(model_args + ["--image"] + [str(ROOT / "models/fixtures/images" / f) for f in IMAGES],
                                       work / "images.jsonl")
    texts, text_seconds = run_clip4j(model_args + ["--text"] + TEXTS, work / "texts.jsonl")
    image_diff = max((torch.tensor(a) - b).abs().max().item() for a, b in zip(images, ref_images))
    text_diff = max((torch.tensor(a) - b).abs().max().item() for a, b in zip(texts, ref_texts))
    params = sum(p.numel() for p in model.parameters())
    row = {"arch": arch, "format": fmt, "params_M": round(params / 1e6, 1), "image_max_abs_diff": image_diff,
           "text_max_abs_diff": text_diff, "clip4j_image_run_s": round(image_seconds, 1),
           "clip4j_text_run_s": round(text_seconds, 1), "python_save_s": round(save_seconds, 1)}
    print(json.dumps(row), flush=True)
    for f in folder.iterdir():
        f.unlink()
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/clip4j-full-size"))
    parser.add_argument("--format", choices=["folder", "bin"], default="folder")
    parser.add_argument("archs", nargs="*", default=["ViT-B-32", "ViT-B-16", "ViT-L-14", "ViT-L-14-336", "ViT-H-14"])
    args = parser.parse_args()
    torch.set_num_threads(2)
    args.work.mkdir(parents=True, exist_ok=True)
    for arch in args.archs:
        check(arch, args.work, args.format)


if __name__ == "__main__":
    main()
