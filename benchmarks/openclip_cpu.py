"""open_clip's CPU timings for the quick comparison (benchmarks/cpu-quick.sh): median seconds per
call, model-only (preprocessed tensor in) and end-to-end (image file in), batch 1 and 32."""
import io
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "models"))
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()


def median_seconds(fn, warmup, repeat):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(folder, image, threads):
    torch.set_num_threads(int(threads))
    model, _, preprocess = open_clip.create_model_and_transforms("local-dir:" + folder)
    model.eval()
    tokenizer = open_clip.get_tokenizer("ViT-B-32")
    data = Path(image).read_bytes()
    one = preprocess(Image.open(io.BytesIO(data))).unsqueeze(0)
    many = one.repeat(32, 1, 1, 1)
    texts = tokenizer(["a photo of a cat"] * 32)
    out = {}
    with torch.inference_mode():
        out["image_model_b1_ms"] = 1e3 * median_seconds(lambda: model.encode_image(one), 3, 20)
        out["image_model_b32_ms_per_image"] = 1e3 * median_seconds(lambda: model.encode_image(many), 1, 3) / 32
        out["image_e2e_b1_ms"] = 1e3 * median_seconds(
            lambda: model.encode_image(preprocess(Image.open(io.BytesIO(data))).unsqueeze(0)), 3, 20)
        out["text_b32_per_s"] = 32 / median_seconds(lambda: model.encode_text(tokenizer(["a photo of a cat"] * 32)), 1, 5)
    print(json.dumps({k: round(v, 2) for k, v in out.items()}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
