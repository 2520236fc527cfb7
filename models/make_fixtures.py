"""Builds the committed test fixtures: tiny CLIP checkpoints in every format clip4j reads, the
images they are tested on, and open_clip's outputs for them (the expected values of the tests).

Every parameter of each model is perturbed away from open_clip's initial values, so a tensor the
Java side fails to load (and leaves at some default) shows up as a wrong embedding. The expected
values come from open_clip itself, loading the fixture files the way a user would.

    models/setup-python.sh            # once: the Python environment from the pip mirror
    models/.pyenv/bin/python models/make_fixtures.py
    models/.pyenv/bin/python models/make_fixtures.py make_text_pool_folders   # one step only
"""
import gzip
import json
import shutil
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()
from open_clip.transform import PreprocessCfg, image_transform_v2  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "models" / "fixtures"
IMAGES = FIXTURES / "images"
SKIMAGE_DATA = Path(__import__("skimage").__file__).parent / "data"

OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_STD = [0.26862954, 0.26130258, 0.27577711]

TEXTS = [
    "a photo of a cat",
    "a photo of a dog.",
    "An astronaut floating in space, NASA photograph",
    "",
    "   ",
    "Café crème & croissants — 5€",
    "🚀 rocket launch!!! 🔥🔥",
    "東京の夜景",
    "<b>bold</b> &amp; &lt;tags&gt;",
    " ".join(["word"] * 120),  # longer than the context: truncated, end token kept
    "a diagram of a chest x-ray showing pneumonia",
    "ＦＵＬＬＷＩＤＴＨ ﬁne “quotes”",
]


# ---------------------------------------------------------------- images


def write_png16(path, array):
    """A 16-bit PNG (grey or RGB); PIL cannot write 16-bit RGB."""
    height, width = array.shape[:2]
    color_type = 0 if array.ndim == 2 else 2
    rows = array.astype(">u2").reshape(height, -1).tobytes()
    stride = len(rows) // height
    raw = b"".join(b"\x00" + rows[i * stride:(i + 1) * stride] for i in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make_images():
    """Real photos (public domain or CC0, from scikit-image) and variants of them."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in ["chelsea.png", "rocket.jpg", "camera.png", "horse.png"]:
        shutil.copy(SKIMAGE_DATA / name, IMAGES / name)
    astronaut = Image.open(SKIMAGE_DATA / "astronaut.png").convert("RGB")
    astronaut.save(IMAGES / "astronaut.jpg", quality=90)
    coffee = Image.open(SKIMAGE_DATA / "coffee.png").convert("RGB")
    coffee.save(IMAGES / "coffee.webp", quality=90)
    chelsea = Image.open(SKIMAGE_DATA / "chelsea.png").convert("RGB")
    camera = Image.open(SKIMAGE_DATA / "camera.png")
    camera.save(IMAGES / "camera_grey.jpg", quality=90)

    # Partial transparency: a radial alpha ramp over the cat (PIL premultiplies before resizing).
    w, h = chelsea.size
    yy, xx = np.mgrid[0:h, 0:w]
    radius = np.sqrt((xx - w / 2) ** 2 + (yy - h / 2) ** 2)
    alpha = np.clip(255 - radius * 255 / (0.6 * max(w, h)), 0, 255).astype(np.uint8)
    rgba = np.dstack([np.asarray(chelsea), alpha])
    Image.fromarray(rgba, "RGBA").save(IMAGES / "chelsea_alpha.png")

    chelsea.quantize(64).save(IMAGES / "chelsea_palette.png")  # PIL mode P: resized with NEAREST
    chelsea.resize((150, 100), Image.BICUBIC).save(IMAGES / "chelsea_small.bmp")
    coffee.resize((150, 100), Image.BICUBIC).save(IMAGES / "coffee_small.tiff")
    chelsea.resize((20, 13), Image.BICUBIC).save(IMAGES / "chelsea_tiny.png")  # upsampled to 224
    coffee.resize((1200, 800), Image.BICUBIC).crop((0, 250, 1200, 550)).save(IMAGES / "coffee_wide.png")
    Image.open(IMAGES / "rocket.jpg").crop((250, 0, 370, 427)).save(IMAGES / "rocket_tall.png")

    # 16-bit: real 8-bit content spread over 16 bits with a varying low byte.
    rng = np.random.default_rng(16)
    coffee_small = np.asarray(coffee.resize((300, 200), Image.BICUBIC)).astype(np.uint16)
    write_png16(IMAGES / "coffee16.png", coffee_small * 256 + rng.integers(0, 256, coffee_small.shape, dtype=np.uint16))
    camera_small = np.asarray(camera.resize((256, 256), Image.BICUBIC)).astype(np.uint16)
    write_png16(IMAGES / "camera16_grey.png", camera_small * 256 + rng.integers(0, 256, camera_small.shape, dtype=np.uint16))


def open_as_clip4j(path):
    """The image as clip4j reads it. For every file PIL and clip4j agree, except 16-bit grey:
    PIL clips it to 255, clip4j keeps the high byte (as PIL itself does for 16-bit RGB)."""
    image = Image.open(path)
    if image.mode in ("I;16", "I;16B", "I"):
        return Image.fromarray((np.asarray(image).astype(np.uint32) >> 8).astype(np.uint8), "L")
    return image


# ---------------------------------------------------------------- models


def perturb(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            scale = 0.05 if p.ndim <= 1 else 0.02
            p.add_(torch.randn(p.shape, generator=generator) * scale)
        for name, b in model.named_buffers():  # batch-norm statistics
            if name.endswith("running_mean"):
                b.add_(torch.randn(b.shape, generator=generator) * 0.1)
            elif name.endswith("running_var"):
                b.mul_(1 + 0.2 * torch.rand(b.shape, generator=generator))
    return model.eval()


def build(model_cfg, seed):
    cfg = dict(model_cfg)
    custom_text = cfg.pop("custom_text", False)
    cls = open_clip.model.CustomTextCLIP if custom_text else open_clip.model.CLIP
    torch.manual_seed(seed)
    return perturb(cls(**cfg), seed)


def transform_for(preprocess_cfg, image_size):
    cfg = {**PreprocessCfg().__dict__, **preprocess_cfg, "size": image_size}
    return image_transform_v2(PreprocessCfg(**cfg), is_train=False)


def expected_outputs(model, transform, image_names, context_length=77):
    tokenizer = open_clip.get_tokenizer("ViT-B-32", context_length=context_length)
    images = {}
    with torch.no_grad():
        for name in image_names:
            pixels = transform(open_as_clip4j(IMAGES / name)).unsqueeze(0)
            raw = model.encode_image(pixels)[0]
            images[name] = {"raw": raw.tolist(), "normalized": torch.nn.functional.normalize(raw, dim=-1).tolist()}
        tokens = tokenizer(TEXTS)
        raw = model.encode_text(tokens)
    texts = [
        {"text": t, "tokens": tokens[i].tolist(), "raw": raw[i].tolist(),
         "normalized": torch.nn.functional.normalize(raw[i], dim=-1).tolist()}
        for i, t in enumerate(TEXTS)
    ]
    return {"images": images, "texts": texts, "logit_scale": model.logit_scale.exp().item()}


def save_expected(name, outputs, extra):
    path = FIXTURES / "expected" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**extra, **outputs}))


def save_crops(transform, image_names, folder):
    """The 8-bit image open_clip hands to ToTensor (after resize, crop, RGB conversion)."""
    folder.mkdir(parents=True, exist_ok=True)
    to_pil = transform.transforms[:-2]  # drop ToTensor and Normalize
    for name in image_names:
        image = open_as_clip4j(IMAGES / name)
        for t in to_pil:
            image = t(image)
        image.save(folder / (name + ".png"))


ALL_IMAGES = [
    "astronaut.jpg", "chelsea.png", "coffee.webp", "rocket.jpg", "camera.png", "camera_grey.jpg",
    "horse.png", "chelsea_alpha.png", "chelsea_palette.png", "chelsea_small.bmp", "coffee_small.tiff",
    "chelsea_tiny.png", "coffee_wide.png", "rocket_tall.png", "coffee16.png", "camera16_grey.png",
]


def make_hub_folder():
    """An open_clip hub folder: open_clip_config.json + open_clip_model.safetensors (fp32)."""
    name = "vit-tiny"
    model_cfg = {
        "embed_dim": 32,
        "vision_cfg": {"image_size": 224, "layers": 2, "width": 64, "head_width": 16, "patch_size": 32},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 4, "layers": 2},
    }
    preprocess_cfg = {"mean": OPENAI_MEAN, "std": OPENAI_STD, "interpolation": "bicubic", "resize_mode": "shortest"}
    folder = FIXTURES / name
    folder.mkdir(parents=True, exist_ok=True)
    model = build(model_cfg, seed=1)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": model_cfg, "preprocess_cfg": preprocess_cfg}, indent=2))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "open_clip_model.safetensors")
    # The reference is what open_clip gives for the folder, loaded as a user loads it.
    loaded, _, transform = open_clip.create_model_and_transforms("local-dir:" + str(folder))
    loaded.eval()
    save_expected(name, expected_outputs(loaded, transform, ALL_IMAGES), {"checkpoint": name})
    save_crops(transform, ALL_IMAGES, FIXTURES / "expected" / "crops-224")
    save_zero_shot(name, loaded, transform)
    # One image's floats, to check the normalisation arithmetic bit for bit.
    pixels = transform(open_as_clip4j(IMAGES / "astronaut.jpg")).numpy().astype(np.float32)
    np.save(FIXTURES / "expected" / "astronaut-224.npy", pixels)


ZERO_SHOT_LABELS = ["cat", "astronaut", "rocket", "cup of coffee", "horse"]


def save_zero_shot(name, model, transform):
    """open_clip's zero-shot classifier over the 80 ImageNet templates, and its softmax scores."""
    from open_clip.zero_shot_classifier import build_zero_shot_classifier
    from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES

    tokenizer = open_clip.get_tokenizer("ViT-B-32")
    with torch.no_grad():
        weights = build_zero_shot_classifier(model, tokenizer, ZERO_SHOT_LABELS, OPENAI_IMAGENET_TEMPLATES,
                                             num_classes_per_batch=None)
        scores = {}
        for image in ["chelsea.png", "rocket.jpg", "astronaut.jpg", "horse.png"]:
            features = model.encode_image(transform(open_as_clip4j(IMAGES / image)).unsqueeze(0), normalize=True)
            logits = model.logit_scale.exp() * features @ weights
            scores[image] = {"softmax": logits.softmax(-1)[0].tolist(), "cosine": (features @ weights)[0].tolist()}
    path = FIXTURES / "expected" / f"{name}-zero-shot.json"
    path.write_text(json.dumps({"labels": ZERO_SHOT_LABELS, "templates": "openai",
                                "class_embeddings": weights.T.tolist(), "images": scores}))


def make_variants_folder():
    """Every supported option that changes the computation, weights stored in fp16 in a .bin."""
    name = "vit-tiny-variants"
    model_cfg = {
        "embed_dim": 24,
        "quick_gelu": True,
        "custom_text": True,
        "vision_cfg": {"image_size": 96, "layers": 2, "width": 48, "head_width": 12, "patch_size": 16,
                       "ls_init_value": 0.1, "no_ln_pre": True, "pool_type": "avg",
                       "final_ln_after_pool": True, "mlp_ratio": 2.0},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 16, "heads": 2, "layers": 2,
                     "ls_init_value": 0.1, "proj_bias": True, "mlp_ratio": 2.0},
    }
    preprocess_cfg = {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "interpolation": "bilinear", "resize_mode": "squash"}
    folder = FIXTURES / name
    folder.mkdir(parents=True, exist_ok=True)
    model = build(model_cfg, seed=2)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": model_cfg, "preprocess_cfg": preprocess_cfg}, indent=2))
    # model.state_dict() is an OrderedDict with _metadata: the form most .bin files have.
    state = model.state_dict()
    for key in state:
        state[key] = state[key].half()
    torch.save(state, folder / "open_clip_pytorch_model.bin")
    loaded, _, transform = open_clip.create_model_and_transforms("local-dir:" + str(folder))
    loaded.eval()
    images = ["astronaut.jpg", "chelsea_alpha.png", "coffee_wide.png", "camera.png"]
    save_expected(name, expected_outputs(loaded, transform, images), {"checkpoint": name})


def make_odd_widths_folder():
    """Widths that are not multiples of the CPU kernels' step groups (4) or vector widths (8, 16):
    every linear layer's depth and width odd (18, 45, 147 = 3 x 7 x 7, 14, 35, 13), heads of 9 and
    7 dimensions, a 9 x 9 grid of 7-pixel patches. Real CLIPs use multiples of 64, so only this
    fixture reaches the kernels' remainder loops and masked tails."""
    name = "vit-tiny-odd"
    model_cfg = {
        "embed_dim": 13,
        "vision_cfg": {"image_size": 63, "layers": 2, "width": 18, "head_width": 9, "patch_size": 7,
                       "mlp_ratio": 2.5},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 14, "heads": 2, "layers": 2,
                     "mlp_ratio": 2.5},
    }
    make_fp16_folder(name, model_cfg, 6, ["astronaut.jpg", "chelsea.png", "coffee_wide.png"])


def make_fp16_folder(name, model_cfg, seed, images):
    """An open_clip hub folder with fp16 safetensors and default preprocessing, and open_clip's
    outputs for `images` and the texts."""
    folder = FIXTURES / name
    folder.mkdir(parents=True, exist_ok=True)
    model = build(model_cfg, seed=seed)
    (folder / "open_clip_config.json").write_text(
        json.dumps({"model_cfg": model_cfg, "preprocess_cfg": {}}, indent=2))
    save_file({k: v.half().contiguous() for k, v in model.state_dict().items()},
              folder / "open_clip_model.safetensors")
    loaded, _, transform = open_clip.create_model_and_transforms("local-dir:" + str(folder))
    loaded.eval()
    save_expected(name, expected_outputs(loaded, transform, images), {"checkpoint": name})


def make_text_pool_folders():
    """The text poolings besides argmax: 'first' without the causal mask (every token sees every
    other) and 'last' with it. Tiny towers, weights stored in fp16 safetensors."""
    for name, text_extra in [("vit-tiny-text-first", {"pool_type": "first", "no_causal_mask": True}),
                             ("vit-tiny-text-last", {"pool_type": "last"})]:
        model_cfg = {
            "embed_dim": 16,
            "vision_cfg": {"image_size": 64, "layers": 2, "width": 32, "head_width": 16, "patch_size": 16},
            "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 8, "heads": 2, "layers": 2,
                         **text_extra},
        }
        make_fp16_folder(name, model_cfg, 5, ["astronaut.jpg", "rocket_tall.png"])


def make_training_checkpoint():
    """A bare training checkpoint (.pt: epoch, optimizer, 'module.'-prefixed state_dict) plus an
    architecture file in open_clip_config.json form, with letterboxing ('longest') preprocessing."""
    name = "vit-tiny-train"
    model_cfg = {
        "embed_dim": 16,
        "vision_cfg": {"image_size": 64, "layers": 1, "width": 32, "head_width": 16, "patch_size": 8},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 16, "heads": 2, "layers": 1},
    }
    preprocess_cfg = {"resize_mode": "longest", "fill_color": 128}
    model = build(model_cfg, seed=3)
    (FIXTURES / f"{name}.json").write_text(json.dumps({"model_cfg": model_cfg, "preprocess_cfg": preprocess_cfg}, indent=2))
    checkpoint = {
        "epoch": 3,
        "name": "tiny-run",
        "state_dict": {"module." + k: v for k, v in model.state_dict().items()},
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.001}]},
    }
    torch.save(checkpoint, FIXTURES / f"{name}.pt")
    # open_clip's own loader reads it back (it strips 'module.' and unwraps 'state_dict' too).
    reloaded = build(model_cfg, seed=99)
    open_clip.load_checkpoint(reloaded, str(FIXTURES / f"{name}.pt"))
    reloaded.eval()
    transform = transform_for(preprocess_cfg, 64)
    images = ["astronaut.jpg", "coffee_wide.png", "rocket_tall.png", "chelsea_tiny.png"]
    save_expected(name, expected_outputs(reloaded, transform, images), {"checkpoint": name})


TINY_TEXT = {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 4, "layers": 2}
TINY_RESNET = {"embed_dim": 32, "quick_gelu": True,
               "vision_cfg": {"image_size": 64, "layers": [1, 2, 1, 1], "width": 16, "head_width": 16},
               "text_cfg": {**TINY_TEXT, "width": 16, "heads": 2}}
# OpenAI's loader infers the shape from the weights with 64-wide heads: widths are multiples of 64.
OPENAI_TEXT = {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 1, "layers": 1}
TINY_OPENAI_VIT = {"embed_dim": 32, "quick_gelu": True,
                   "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 64, "patch_size": 16},
                   "text_cfg": OPENAI_TEXT}
TINY_OPENAI_RESNET = {"embed_dim": 32, "quick_gelu": True,
                      "vision_cfg": {"image_size": 64, "layers": [1, 1, 2, 1], "width": 16, "head_width": 64},
                      "text_cfg": OPENAI_TEXT}


def make_resnet_folder():
    """The ModifiedResNet tower (stem, anti-aliased bottlenecks, attention pool) in a hub folder."""
    name = "rn-tiny"
    folder = FIXTURES / name
    folder.mkdir(parents=True, exist_ok=True)
    model = build(TINY_RESNET, seed=4)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": TINY_RESNET, "preprocess_cfg": {}}, indent=2))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "open_clip_model.safetensors")
    loaded, _, transform = open_clip.create_model_and_transforms("local-dir:" + str(folder))
    loaded.eval()
    images = ["astronaut.jpg", "chelsea_alpha.png", "coffee_wide.png", "camera.png"]
    save_expected(name, expected_outputs(loaded, transform, images), {"checkpoint": name})


def make_openai_archives():
    """TorchScript archives in the layout of OpenAI's released files (RN50.pt, ViT-B-32.pt, ...):
    torch.jit.script of open_clip models, whose state-dict names follow OpenAI's. The expected
    values come from open_clip's own OpenAI loader."""
    for name, cfg, seed in [("openai-rn-tiny", TINY_OPENAI_RESNET, 5), ("openai-vit-tiny", TINY_OPENAI_VIT, 6)]:
        model = build(cfg, seed=seed).half()  # OpenAI released fp16 weights
        for p in model.parameters():
            p.requires_grad_(False)
        path = FIXTURES / f"{name}.pt"
        torch.jit.script(model).save(str(path))
        # open_clip's load_openai_model, minus the attn_mask buffer that scripting open_clip's CLIP
        # adds (OpenAI's own archives hold it as a plain attribute, outside the state dict).
        state = torch.jit.load(str(path), map_location="cpu").state_dict()
        state.pop("attn_mask")
        loaded = open_clip.model.build_model_from_openai_state_dict(state).float().eval()
        transform = transform_for({}, loaded.visual.image_size if isinstance(loaded.visual.image_size, int)
                                  else loaded.visual.image_size[0])
        images = ["astronaut.jpg", "chelsea.png", "rocket_tall.png"]
        save_expected(name, expected_outputs(loaded, transform, images), {"checkpoint": name})


def write_hf_vocabulary(folder):
    """CLIP's vocabulary in transformers' files (vocab.json, merges.txt), from open_clip's BPE file,
    with transformers' special-token names."""
    tokenizer = open_clip.tokenizer.SimpleTokenizer()
    vocab = {}
    for token, index in tokenizer.encoder.items():
        vocab[{"<start_of_text>": "<|startoftext|>", "<end_of_text>": "<|endoftext|>"}.get(token, token)] = index
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges = gzip.open(open_clip.tokenizer.default_bpe()).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")


def make_hugging_face_folder():
    """A transformers CLIPModel folder as save_pretrained writes it (config.json, model.safetensors,
    tokenizer files, preprocessor_config.json). Expected values: get_image_features on the PIL
    backend's pixel_values, get_text_features on the fast tokenizer's ids."""
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer
    from transformers.models.clip.image_processing_clip import CLIPImageProcessor
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    name = "hf-tiny"
    folder = FIXTURES / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    vocab_dir = FIXTURES / "hf-vocab-tmp"
    vocab_dir.mkdir(exist_ok=True)
    write_hf_vocabulary(vocab_dir)
    tokenizer = CLIPTokenizer(vocab=str(vocab_dir / "vocab.json"), merges=str(vocab_dir / "merges.txt"))
    shutil.rmtree(vocab_dir)
    config = CLIPConfig(
        projection_dim=32,
        text_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                     "max_position_embeddings": 77, "vocab_size": 49408, "hidden_act": "quick_gelu",
                     "eos_token_id": 49407, "bos_token_id": 49406, "pad_token_id": 49407},
        vision_config={"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
                       "image_size": 224, "patch_size": 32, "hidden_act": "quick_gelu"},
    )
    torch.manual_seed(8)
    model = perturb(CLIPModel(config), seed=8)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    pil_processor = CLIPImageProcessorPil()
    pil_processor.save_pretrained(folder)
    model = CLIPModel.from_pretrained(folder).eval()

    images = ["astronaut.jpg", "chelsea.png", "chelsea_alpha.png", "chelsea_palette.png", "camera_grey.jpg",
              "coffee_wide.png", "rocket_tall.png", "chelsea_tiny.png"]
    crops = FIXTURES / "expected" / "crops-hf"
    crops.mkdir(parents=True, exist_ok=True)
    mean = np.array(pil_processor.image_mean, dtype=np.float32)[:, None, None]
    std = np.array(pil_processor.image_std, dtype=np.float32)[:, None, None]
    torchvision_processor = CLIPImageProcessor()
    out_images, backend_gap = {}, 0.0
    with torch.no_grad():
        for image_name in images:
            image = open_as_clip4j(IMAGES / image_name)
            pixels = pil_processor(images=image, return_tensors="pt")["pixel_values"]
            levels = np.rint((pixels[0].numpy() * std + mean) * 255).clip(0, 255).astype(np.uint8)
            Image.fromarray(levels.transpose(1, 2, 0)).save(crops / (image_name + ".png"))
            raw = model.get_image_features(pixel_values=pixels).pooler_output[0]
            out_images[image_name] = {"raw": raw.tolist(), "normalized": torch.nn.functional.normalize(raw, dim=-1).tolist()}
            tv = torchvision_processor(images=image, return_tensors="pt")["pixel_values"]
            backend_gap = max(backend_gap, (tv - pixels).abs().max().item())
        if image_name == images[-1]:
            np.save(FIXTURES / "expected" / "hf-astronaut-224.npy",
                    pil_processor(images=open_as_clip4j(IMAGES / "astronaut.jpg"), return_tensors="pt")["pixel_values"][0].numpy())
        batch = tokenizer(TEXTS, padding="max_length", max_length=77, truncation=True, return_tensors="pt")
        raw = model.get_text_features(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).pooler_output
    texts = []
    for i, text in enumerate(TEXTS):
        ids = batch["input_ids"][i].tolist()
        length = int(batch["attention_mask"][i].sum())
        texts.append({"text": text, "tokens": ids[:length] + [0] * (77 - length), "raw": raw[i].tolist(),
                      "normalized": torch.nn.functional.normalize(raw[i], dim=-1).tolist()})
    save_expected(name, {"images": out_images, "texts": texts, "logit_scale": model.logit_scale.exp().item()},
                  {"checkpoint": name, "torchvision_backend_max_pixel_gap": backend_gap})
    print(f"hf-tiny: PIL and torchvision backends of CLIPImageProcessor differ by up to {backend_gap:.4f} in pixel_values")


def main():
    torch.set_num_threads(2)
    if len(sys.argv) > 1:  # only the named steps, e.g. make_text_pool_folders
        for step in sys.argv[1:]:
            globals()[step]()
        return
    make_images()
    make_hub_folder()
    make_variants_folder()
    make_odd_widths_folder()
    make_text_pool_folders()
    make_training_checkpoint()
    make_resnet_folder()
    make_openai_archives()
    make_hugging_face_folder()
    import make_decoder_fixtures  # its crops use the vit-tiny and hf-tiny folders made above

    make_decoder_fixtures.main()
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file():
            print(f"{path.stat().st_size:>10}  {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
