"""open_clip's zero-shot predictions of the demo model on Fashion-MNIST's 10,000 test images, for
the Java test that checks clip4j predicts the same (models/demo/openclip_zero_shot_predictions.txt,
one digit a line), and a few test images as PNG for the README's first command.

The images go through open_clip's own pipeline: PIL grey image, the model's preprocess
(resize, crop, RGB, normalise), encode_image; the classifier is open_clip's
build_zero_shot_classifier over the demo's ten training templates.

    models/.pyenv/bin/python models/demo_reference.py
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fashion_mnist import DATA, read_idx  # noqa: E402
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()
from open_clip.zero_shot_classifier import build_zero_shot_classifier  # noqa: E402

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "java" / "src" / "main" / "resources" / "io" / "clip4j" / "demo" / "fashion-clip"




def main():
    torch.set_num_threads(2)
    config = json.loads((DEMO / "open_clip_config.json").read_text())["clip4j_demo"]
    model, _, preprocess = open_clip.create_model_and_transforms("local-dir:" + str(DEMO))
    model.eval()
    tokenizer = open_clip.get_tokenizer("local-dir:" + str(DEMO))
    images = read_idx(DATA / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(DATA / "t10k-labels-idx1-ubyte.gz")
    with torch.no_grad():
        classifier = build_zero_shot_classifier(model, tokenizer, config["classes"], config["templates"],
                                                num_classes_per_batch=None)
        predictions = []
        for start in range(0, len(images), 500):
            batch = torch.stack([preprocess(Image.fromarray(im, "L")) for im in images[start:start + 500]])
            predictions.append((model.encode_image(batch, normalize=True) @ classifier).argmax(-1))
    predictions = torch.cat(predictions).numpy()
    (HERE / "demo" / "openclip_zero_shot_predictions.txt").write_text("".join(f"{p}\n" for p in predictions))
    print(json.dumps({"zero_shot_top1": float((predictions == labels).mean()), "images": len(labels)}))

    out = HERE / "demo" / "images"
    out.mkdir(parents=True, exist_ok=True)
    for index in [0, 1, 2, 8]:
        name = config["classes"][labels[index]].replace(" ", "-")
        Image.fromarray(images[index], "L").save(out / f"{name}.png")


if __name__ == "__main__":
    main()
