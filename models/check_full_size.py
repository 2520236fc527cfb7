"""Checks clip4j against the reference implementations on full-size architectures with random
weights (on demand; nothing here is committed). For each architecture and checkpoint format it
builds the model with perturbed random weights, writes the checkpoint as users hold it, computes
the reference embeddings for real photos and prompts, runs `bin/clip4j embed` on the same files
and prints one JSON line: max absolute differences (raw projections) and clip4j's load time.

Formats: folder (open_clip hub folder, safetensors), bin (torch.save state dict + --arch),
openai (TorchScript archive in fp16, as OpenAI released them; reference: open_clip's OpenAI
loader), hf (transformers CLIPModel folder; reference: get_image_features / get_text_features).

    models/.pyenv/bin/python models/check_full_size.py --formats folder,openai RN50 ViT-B-32
"""
import argparse
import json
import re
import shutil
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
PHOTOS = ROOT / "models" / "fixtures" / "images"
IMAGES = ["astronaut.jpg", "chelsea.png", "coffee.webp", "rocket.jpg"]
TEXTS = ["a photo of a cat", "an astronaut in a white suit", "a cup of coffee on a table", "a rocket launch"]
ALL = ["RN50", "RN101", "RN50x4", "RN50x16", "RN50x64", "ViT-B-32", "ViT-B-16", "ViT-L-14", "ViT-L-14-336", "ViT-H-14"]
OPENAI_RELEASED = set(ALL) - {"ViT-H-14"}


def perturb(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=generator) * (0.05 if p.ndim <= 1 else 0.01))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.add_(torch.randn(b.shape, generator=generator) * 0.1)
            elif name.endswith("running_var"):
                b.mul_(1 + 0.2 * torch.rand(b.shape, generator=generator))
    return model.eval()


CLIP4J = [str(ROOT / "bin" / "clip4j")]


def run_clip4j(model_args, work):
    common = [*CLIP4J, "embed", "--raw", "--verbose", "--threads", "2", *model_args]
    results, load_seconds = [], None
    for flag, inputs in [("--image", [str(PHOTOS / f) for f in IMAGES]), ("--text", TEXTS)]:
        out = work / "clip4j.jsonl"
        done = subprocess.run(common + ["--output", str(out), flag, *inputs], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"clip4j failed ({done.returncode}): {done.stderr.strip()}")
        match = re.search(r"loaded .* in ([0-9.]+) s", done.stderr)
        load_seconds = float(match.group(1)) if match else None
        results.append(torch.tensor([json.loads(line)["embedding"] for line in out.read_text().splitlines()]))
    return results[0], results[1], load_seconds


def open_clip_reference(model, preprocess, arch):
    tokenizer = open_clip.get_tokenizer(arch)
    with torch.no_grad():
        images = torch.stack([model.encode_image(preprocess(Image.open(PHOTOS / f)).unsqueeze(0))[0] for f in IMAGES])
        texts = model.encode_text(tokenizer(TEXTS))
    return images, texts


def check_open_clip_format(arch, fmt, work):
    torch.manual_seed(0)
    model, _, preprocess = open_clip.create_model_and_transforms(arch)
    perturb(model, seed=7)
    folder = work / f"{arch}-{fmt}"
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "folder":
        (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": open_clip.get_model_config(arch), "preprocess_cfg": {}}))
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "open_clip_model.safetensors")
        args = ["--model", str(folder)]
        ref = open_clip_reference(model, preprocess, arch)
    elif fmt == "bin":
        torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
        args = ["--model", str(folder / "open_clip_pytorch_model.bin"), "--arch", arch]
        ref = open_clip_reference(model, preprocess, arch)
    else:  # openai: a TorchScript archive in fp16; the reference is open_clip's OpenAI loader
        scripted = model.half()
        for p in scripted.parameters():
            p.requires_grad_(False)
        path = folder / f"{arch}.pt"
        torch.jit.script(scripted).save(str(path))
        state = torch.jit.load(str(path), map_location="cpu").state_dict()
        state.pop("attn_mask", None)
        loaded = open_clip.model.build_model_from_openai_state_dict(state).float().eval()
        size = loaded.visual.image_size
        reference_preprocess = open_clip.image_transform(size if isinstance(size, int) else size[0], is_train=False)
        args = ["--model", str(path)]
        ref = open_clip_reference(loaded, reference_preprocess, arch)
    return ref, args, folder


def check_hugging_face_format(arch, work):
    from transformers import CLIPConfig, CLIPModel
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    cfg = open_clip.get_model_config(arch)
    v, t = cfg["vision_cfg"], cfg["text_cfg"]
    act = "quick_gelu" if arch in OPENAI_RELEASED else "gelu"
    config = CLIPConfig(
        projection_dim=cfg["embed_dim"],
        text_config={"hidden_size": t["width"], "intermediate_size": 4 * t["width"], "num_hidden_layers": t["layers"],
                     "num_attention_heads": t["heads"], "max_position_embeddings": 77, "vocab_size": 49408,
                     "hidden_act": act, "eos_token_id": 49407, "bos_token_id": 49406, "pad_token_id": 49407},
        vision_config={"hidden_size": v["width"], "intermediate_size": 4 * v["width"], "num_hidden_layers": v["layers"],
                       "num_attention_heads": v["width"] // v.get("head_width", 64), "image_size": v["image_size"],
                       "patch_size": v["patch_size"], "hidden_act": act},
    )
    torch.manual_seed(0)
    model = perturb(CLIPModel(config), seed=7)
    folder = work / f"{arch}-hf"
    model.save_pretrained(folder, safe_serialization=True)
    for name in ["tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(ROOT / "models" / "fixtures" / "hf-tiny" / name, folder / name)
    size = v["image_size"]
    processor = CLIPImageProcessorPil(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    processor.save_pretrained(folder)
    tokenizer = open_clip.get_tokenizer(arch)
    with torch.no_grad():
        pixels = processor(images=[Image.open(PHOTOS / f) for f in IMAGES], return_tensors="pt")["pixel_values"]
        images = model.get_image_features(pixel_values=pixels).pooler_output
        texts = model.get_text_features(input_ids=tokenizer(TEXTS)).pooler_output
    return (images, texts), ["--model", str(folder)], folder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/clip4j-full-size"))
    parser.add_argument("--formats", default="folder,bin,openai,hf")
    parser.add_argument("--clip4j", default=None, help="the clip4j command to run (default: bin/clip4j)")
    parser.add_argument("archs", nargs="*", default=ALL)
    args = parser.parse_args()
    torch.set_num_threads(2)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.clip4j:
        CLIP4J[:] = args.clip4j.split()
    for arch in args.archs:
        for fmt in args.formats.split(","):
            if fmt == "hf" and not arch.startswith("ViT"):
                continue  # transformers has no ResNet CLIP
            started = time.perf_counter()
            if fmt == "hf":
                (ref_images, ref_texts), model_args, folder = check_hugging_face_format(arch, args.work)
            else:
                (ref_images, ref_texts), model_args, folder = check_open_clip_format(arch, fmt, args.work)
            images, texts, load_seconds = run_clip4j(model_args, args.work)
            row = {
                "arch": arch, "format": fmt,
                "image_max_abs_diff": (images - ref_images).abs().max().item(),
                "text_max_abs_diff": (texts - ref_texts).abs().max().item(),
                "embedding_max_abs": max(ref_images.abs().max().item(), ref_texts.abs().max().item()),
                "clip4j_load_s": load_seconds,
                "check_s": round(time.perf_counter() - started, 1),
            }
            print(json.dumps(row), flush=True)
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
