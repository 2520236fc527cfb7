"""Trains clip4j's bundled demo model: a small CLIP trained with open_clip on Fashion-MNIST's
training split (Debian's dataset-fashion-mnist, MIT), captions made from templates over its ten
class names. Runs on a 2-core CPU within the time budget and writes an open_clip hub folder.

    apt-get install dataset-fashion-mnist
    models/.pyenv/bin/python models/train_demo_model.py --minutes 18   # writes into the jar resources
"""
import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fashion_mnist import DATA, read_idx  # noqa: E402
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()
from open_clip.loss import ClipLoss  # noqa: E402

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
TEMPLATES = [
    "a photo of a {}.", "a picture of a {}.", "an image of a {}.", "a black and white photo of a {}.",
    "a product photo of a {}.", "a low resolution photo of a {}.", "a grayscale picture of a {}.",
    "a {} on a black background.", "a photo of the {}.", "a small photo of a {}.",
]
IMAGE_SIZE = 32
MEAN = [0.2860, 0.2860, 0.2860]
STD = [0.3530, 0.3530, 0.3530]
MODEL_CFG = {
    "embed_dim": 64,
    "vision_cfg": {"image_size": IMAGE_SIZE, "layers": 4, "width": 96, "head_width": 32, "patch_size": 4},
    "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}




def preprocess_all(images):
    """The model's own preprocessing (PIL bicubic resize to 32x32, grey to RGB, normalise), once."""
    out = np.empty((len(images), 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    for i, image in enumerate(images):
        resized = np.asarray(Image.fromarray(image, "L").resize((IMAGE_SIZE, IMAGE_SIZE), Image.BICUBIC), dtype=np.float32)
        out[i] = ((resized / 255.0 - MEAN[0]) / STD[0])[None]
    return torch.from_numpy(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=18)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "java/src/main/resources/io/clip4j/demo/fashion-clip")
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    random.seed(0)

    images = preprocess_all(read_idx(DATA / "train-images-idx3-ubyte.gz"))
    labels = torch.from_numpy(read_idx(DATA / "train-labels-idx1-ubyte.gz").astype(np.int64))
    tokenizer = open_clip.tokenizer.SimpleTokenizer(context_length=MODEL_CFG["text_cfg"]["context_length"])
    caption_tokens = torch.stack([tokenizer([t.format(c) for t in TEMPLATES]) for c in CLASSES])  # [10, T, ctx]

    model = open_clip.model.CLIP(**MODEL_CFG)
    loss_fn = ClipLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.1)
    steps_per_epoch = len(images) // args.batch
    budget = args.minutes * 60
    started = time.time()
    step, epoch = 0, 0
    model.train()
    while time.time() - started < budget:
        order = torch.randperm(len(images))
        for b in range(steps_per_epoch):
            elapsed = time.time() - started
            if elapsed >= budget:
                break
            # cosine schedule over the time budget, with a short warm-up
            progress = elapsed / budget
            lr = 2e-3 * min(1.0, step / 100) * 0.5 * (1 + math.cos(math.pi * progress))
            for group in optimizer.param_groups:
                group["lr"] = lr
            index = order[b * args.batch:(b + 1) * args.batch]
            template = torch.randint(len(TEMPLATES), (len(index),))
            texts = caption_tokens[labels[index], template]
            image_features, text_features, logit_scale = model(images[index], texts)
            loss = loss_fn(image_features, text_features, logit_scale)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
            if step % 100 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.3f} lr {lr:.5f} {elapsed:.0f}s", flush=True)
            step += 1
        epoch += 1
    train_seconds = time.time() - started
    model.eval()

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "open_clip_config.json").write_text(json.dumps({
        "model_cfg": MODEL_CFG,
        "preprocess_cfg": {"mean": MEAN, "std": STD, "interpolation": "bicubic", "resize_mode": "shortest"},
        "clip4j_demo": {"dataset": "Fashion-MNIST train (60,000 images)", "classes": CLASSES, "templates": TEMPLATES,
                        "steps": step, "epochs": epoch, "train_seconds": round(train_seconds)},
    }, indent=2))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, args.out / "open_clip_model.safetensors")

    # Zero-shot accuracy on the 10,000 test images, with the training templates ensembled.
    test_images = preprocess_all(read_idx(DATA / "t10k-images-idx3-ubyte.gz"))
    test_labels = torch.from_numpy(read_idx(DATA / "t10k-labels-idx1-ubyte.gz").astype(np.int64))
    with torch.no_grad():
        class_embeddings = torch.nn.functional.normalize(
            model.encode_text(caption_tokens.flatten(0, 1), normalize=True).view(10, len(TEMPLATES), -1).mean(1), dim=-1)
        predictions = torch.cat([(model.encode_image(test_images[i:i + 1000], normalize=True) @ class_embeddings.T).argmax(-1)
                                 for i in range(0, len(test_images), 1000)])
    accuracy = (predictions == test_labels).float().mean().item()
    size = (args.out / "open_clip_model.safetensors").stat().st_size
    print(json.dumps({"steps": step, "epochs": epoch, "train_seconds": round(train_seconds),
                      "zero_shot_top1_test": round(accuracy, 4), "checkpoint_bytes": size}))


if __name__ == "__main__":
    main()
