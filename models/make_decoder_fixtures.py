"""Fixtures for the decoder's edge cases, with what Pillow does as the reference: CMYK and YCCK
JPEGs, animated GIF and WebP (open_clip sees the first frame), and damaged files of each format.

For the files Pillow decodes, the crops open_clip's pipeline (expected/crops-224) and transformers'
PIL one (expected/crops-hf) make of them; for the files Pillow refuses (images/damaged/), Pillow's
error (expected/damaged-images.json). All images are made here from chelsea.png and coffee.png
(CC0), a few KB each.

    models/.pyenv/bin/python models/make_decoder_fixtures.py   (make_fixtures.py runs it too)
"""
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import imagecodecs
import numpy as np
from PIL import Image, PngImagePlugin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import import_open_clip  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "models" / "fixtures"
IMAGES = FIXTURES / "images"
DAMAGED = IMAGES / "damaged"
EXPECTED = FIXTURES / "expected"
SKIMAGE_DATA = Path(__import__("skimage").__file__).parent / "data"


def small(name, size):
    """One of scikit-image's photos, shrunk (without its ICC profile, which would fill the file)."""
    photo = Image.open(SKIMAGE_DATA / name).convert("RGB").resize(size, Image.BICUBIC)
    return Image.fromarray(np.asarray(photo))


def encoded(image, **options):
    out = io.BytesIO()
    image.save(out, **options)
    return out.getvalue()


# ---------------------------------------------------------------- CMYK


def ink(rgb):
    """CMYK ink amounts (0 = none) with real black generation, so that K varies."""
    rgb = np.asarray(rgb).astype(np.float64) / 255
    k = 1 - rgb.max(axis=2)
    cmy = (1 - rgb - k[..., None]) / np.where(k < 1, 1 - k, 1)[..., None]
    return np.rint(np.dstack([cmy, k]) * 255).astype(np.uint8)


def make_cmyk():
    """An Adobe CMYK JPEG as Photoshop writes it (inverted, APP14 transform 0; Pillow writes it so)
    and a YCCK one (APP14 transform 2; Pillow cannot write it, libjpeg-turbo via imagecodecs can)."""
    cmyk = ink(small("chelsea.png", (96, 64)))
    Image.fromarray(cmyk, "CMYK").save(IMAGES / "chelsea_cmyk.jpg", quality=90)
    ycck = imagecodecs.jpeg8_encode(255 - cmyk, level=90, colorspace="CMYK", outcolorspace="YCCK")
    (IMAGES / "chelsea_ycck.jpg").write_bytes(ycck)
    for name, transform in [("chelsea_cmyk.jpg", 0), ("chelsea_ycck.jpg", 2)]:
        image = Image.open(IMAGES / name)
        assert image.mode == "CMYK" and image.info["adobe_transform"] == transform, name


# ---------------------------------------------------------------- GIF


def gif_parts(data):
    """(header + logical screen, global palette, blocks up to the first image descriptor, the
    descriptor, the rest) of a GIF Pillow wrote."""
    flags = data[10]
    palette_end = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    at = palette_end
    while data[at] == 0x21:  # extensions: label, then sub-blocks
        at += 2
        while data[at]:
            at += data[at] + 1
        at += 1
    assert data[at] == 0x2C
    return data[:13], data[13:palette_end], data[palette_end:at], data[at:at + 10], data[at + 10:]


def offset_gif(frame, screen, offset, local_palette, **options):
    """A GIF whose first frame covers only part of the logical screen, at an offset."""
    screen_header, palette, extensions, descriptor, rest = gif_parts(encoded(frame, format="GIF", **options))
    screen_header = bytearray(screen_header)
    struct.pack_into("<HH", screen_header, 6, *screen)
    descriptor = bytearray(descriptor)
    struct.pack_into("<HH", descriptor, 1, *offset)
    if local_palette:  # the global palette becomes the frame's own
        descriptor[9] |= 0x80 | (screen_header[10] & 7)
        screen_header[10] &= 0x7F
        return bytes(screen_header) + extensions + bytes(descriptor) + palette + rest
    return bytes(screen_header) + palette + extensions + bytes(descriptor) + rest


def make_gifs():
    frames = [small("chelsea.png", (64, 48)), small("coffee.png", (64, 48))]
    frames.append(frames[0].transpose(Image.FLIP_LEFT_RIGHT))
    # Frame 0: 31 colours, and a square of index 31 (magenta) that is transparent.
    first = np.asarray(frames[0].quantize(31, dither=Image.Dither.NONE)).copy()
    palette = frames[0].quantize(31, dither=Image.Dither.NONE).getpalette()[:93] + [255, 0, 255]
    first[10:20, 10:30] = 31
    frame0 = Image.fromarray(first, "P")
    frame0.putpalette(palette)
    frame0.save(IMAGES / "chelsea_anim.gif", save_all=True, append_images=frames[1:],
                transparency=31, duration=100, loop=0)
    # Cut inside the last frame: Pillow still gives frame 0.
    anim = (IMAGES / "chelsea_anim.gif").read_bytes()
    (IMAGES / "chelsea_anim_cut.gif").write_bytes(anim[:len(anim) - 600])

    part = Image.fromarray(first[8:38, 12:52], "P")
    part.putpalette(palette)
    # Interlaced (Pillow interlaces frames of 16 rows or more), with a local palette.
    (IMAGES / "chelsea_offset.gif").write_bytes(offset_gif(part, (64, 48), (12, 9), True, transparency=31))
    (IMAGES / "chelsea_offset_opaque.gif").write_bytes(offset_gif(part, (64, 48), (5, 3), False, interlace=0))

    # A grey palette that maps each index to its own grey: Pillow opens it as "L", not "P".
    frames[0].convert("L").save(IMAGES / "chelsea_grey.gif", optimize=False)
    modes = {"chelsea_anim.gif": "P", "chelsea_anim_cut.gif": "P", "chelsea_offset.gif": "P",
             "chelsea_offset_opaque.gif": "P", "chelsea_grey.gif": "L"}
    for name, mode in modes.items():
        assert Image.open(IMAGES / name).mode == mode, name


# ---------------------------------------------------------------- WebP


def riff_chunk(kind, payload):
    return kind + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


def offset_webp(frame_webp, canvas, offset, frame_size):
    """An animated WebP whose first frame covers only part of the canvas (x, y even)."""
    assert frame_webp[12:16] == b"VP8 "
    bitstream = frame_webp[12:]
    le24 = lambda v: struct.pack("<I", v)[:3]  # noqa: E731
    vp8x = riff_chunk(b"VP8X", bytes([0x12, 0, 0, 0]) + le24(canvas[0] - 1) + le24(canvas[1] - 1))
    anim = riff_chunk(b"ANIM", bytes([0, 0, 0, 0]) + struct.pack("<H", 0))
    anmf = riff_chunk(b"ANMF", le24(offset[0] // 2) + le24(offset[1] // 2) + le24(frame_size[0] - 1)
                      + le24(frame_size[1] - 1) + le24(100) + bytes([0]) + bitstream)
    body = b"WEBP" + vp8x + anim + anmf
    return b"RIFF" + struct.pack("<I", len(body)) + body


def make_webps():
    frames = [small("coffee.png", (64, 48)), small("chelsea.png", (64, 48))]
    frames.append(frames[0].transpose(Image.FLIP_LEFT_RIGHT))
    frames[0].save(IMAGES / "coffee_anim.webp", save_all=True, append_images=frames[1:],
                   duration=100, loop=0, quality=80)
    rgba = [f.convert("RGBA") for f in frames]
    alpha = np.asarray(rgba[0]).copy()
    alpha[:, :, 3] = np.linspace(0, 255, 64).astype(np.uint8)[None, :]
    rgba[0] = Image.fromarray(alpha, "RGBA")
    rgba[0].save(IMAGES / "coffee_anim_alpha.webp", save_all=True, append_images=rgba[1:],
                 duration=100, loop=0, quality=80)
    still = encoded(small("coffee.png", (40, 30)), format="WEBP", quality=80)
    (IMAGES / "coffee_offset.webp").write_bytes(offset_webp(still, (64, 48), (12, 10), (40, 30)))
    for name in ["coffee_anim.webp", "coffee_anim_alpha.webp", "coffee_offset.webp"]:
        assert Image.open(IMAGES / name).n_frames >= 1, name


# ---------------------------------------------------------------- damaged files


def png_chunks(data):
    at, out = 8, []
    while at < len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        out.append((data[at + 4:at + 8], at, at + 12 + length))
        at += 12 + length
    return out


def overwritten(data, start, count):
    out = bytearray(data)
    out[start:start + count] = b"\x55" * count
    return bytes(out)


def damaged_files():
    """(name, bytes) of damaged files: those Pillow decodes get crops, the others an error."""
    jpeg = encoded(small("chelsea.png", (96, 64)), format="JPEG", quality=90)
    scan = jpeg.index(b"\xff\xda")
    png = encoded(small("chelsea.png", (48, 32)), format="PNG")
    idat = [c for c in png_chunks(png) if c[0] == b"IDAT"][0]
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "clip4j test image")
    png_text = encoded(small("chelsea.png", (48, 32)), format="PNG", pnginfo=text)
    text_chunk = [c for c in png_chunks(png_text) if c[0] == b"tEXt"][0]
    bmp = encoded(small("chelsea.png", (48, 32)), format="BMP")
    webp = encoded(small("coffee.png", (96, 64)), format="WEBP", quality=80)
    tiff = encoded(small("coffee.png", (48, 32)), format="TIFF")
    gif = (IMAGES / "chelsea_anim.gif").read_bytes()
    lzw = gif.index(b"\x2c") + 10 + 1  # image descriptor, then the LZW minimum code size
    return [
        # Pillow decodes these: damage inside compressed data that its decoder passes over.
        ("chelsea_corrupt_scan.jpg", overwritten(jpeg, (scan + len(jpeg)) // 2, 48)),
        ("coffee_corrupt.webp", overwritten(webp, len(webp) // 2, 48)),
        ("chelsea_no_iend.png", png[:-12]),
        # Pillow refuses these; OpenCV would decode the first three.
        ("damaged/png_text_crc.png", overwritten(png_text, text_chunk[2] - 4, 4)),
        ("damaged/bmp_header_size.bmp", bmp[:14] + struct.pack("<I", 44) + bmp[18:]),
        ("damaged/jpeg_marker_in_scan.jpg", jpeg[:(scan + len(jpeg)) // 2] + b"\xff\x93"
         + jpeg[(scan + len(jpeg)) // 2:]),
        ("damaged/jpeg_truncated_header.jpg", jpeg[:200]),
        ("damaged/jpeg_truncated_scan.jpg", jpeg[:(scan + len(jpeg)) // 2]),
        ("damaged/jpeg_no_eoi.jpg", jpeg[:-2]),
        ("damaged/jpeg_corrupt_header.jpg", overwritten(jpeg, 20, scan - 20)),
        ("damaged/png_signature_only.png", png[:8]),
        ("damaged/png_truncated.png", png[:(idat[1] + idat[2]) // 2]),
        ("damaged/png_corrupt_idat.png", overwritten(png, idat[1] + 8 + 10, 32)),
        ("damaged/webp_truncated.webp", webp[:len(webp) // 2]),
        ("damaged/tiff_truncated.tif", tiff[:len(tiff) // 2]),
        ("damaged/tiff_bad_directory.tif", tiff[:4] + struct.pack("<I", 0xFFFFFF) + tiff[8:]),
        ("damaged/gif_truncated.gif", gif[:lzw + 300]),
        ("damaged/gif_corrupt_lzw.gif", gif[:lzw + 2] + b"\xff" * 32 + gif[lzw + 34:]),
        ("damaged/text.jpg", b"<?xml version=\"1.0\"?>\n<project>not an image</project>\n"),
        ("damaged/empty.jpg", b""),
    ]


def pillow_error(data):
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        image.convert("RGB")
        return None
    except Exception as e:  # noqa: BLE001 - any refusal counts
        return f"{type(e).__name__}: {e}".replace(hex(id(e)), "")


def make_damaged():
    DAMAGED.mkdir(parents=True, exist_ok=True)
    refused = {}
    for name, data in damaged_files():
        (IMAGES / name).write_bytes(data)
        error = pillow_error(data)
        assert (error is not None) == name.startswith("damaged/"), f"{name}: Pillow says {error}"
        if error is not None:
            refused[Path(name).name] = error.split(" <_io.BytesIO")[0]
    (EXPECTED / "damaged-images.json").write_text(json.dumps(refused, indent=1) + "\n")
    return [name for name, _ in damaged_files() if not name.startswith("damaged/")]


def make_strips():
    """Strips whose shorter side, resized to 224, makes an image hundreds of thousands of pixels
    long: open_clip and transformers resize all of it, clip4j only the centre crop (RGB both ways
    round, and a palette strip, which Pillow resizes with NEAREST)."""
    small("coffee.png", (6000, 3)).save(IMAGES / "coffee_strip.png")
    small("chelsea.png", (2, 5000)).save(IMAGES / "chelsea_strip.png")
    small("chelsea.png", (3000, 2)).quantize(32).save(IMAGES / "chelsea_strip_palette.png")
    return ["coffee_strip.png", "chelsea_strip.png", "chelsea_strip_palette.png"]


# ---------------------------------------------------------------- references


def save_crops(names, hugging_face_names):
    """The 8-bit crops of open_clip's pipeline (vit-tiny) and of transformers' PIL one (hf-tiny),
    which converts to RGB before resizing: for palette and grey GIFs that changes the result, for
    the others it tests nothing the existing crops do not."""
    open_clip = import_open_clip()
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    _, _, transform = open_clip.create_model_and_transforms("local-dir:" + str(FIXTURES / "vit-tiny"))
    for name in names:
        image = Image.open(IMAGES / name)
        for t in transform.transforms[:-2]:  # up to ToTensor: resize, crop, RGB
            image = t(image)
        image.save(EXPECTED / "crops-224" / (name + ".png"))
    processor = CLIPImageProcessorPil.from_pretrained(FIXTURES / "hf-tiny")
    mean = np.array(processor.image_mean, dtype=np.float32)[:, None, None]
    std = np.array(processor.image_std, dtype=np.float32)[:, None, None]
    for name in hugging_face_names:
        pixels = processor(images=Image.open(IMAGES / name), return_tensors="np")["pixel_values"][0]
        levels = np.rint((pixels * std + mean) * 255).clip(0, 255).astype(np.uint8)
        Image.fromarray(levels.transpose(1, 2, 0)).save(EXPECTED / "crops-hf" / (name + ".png"))


def main():
    make_cmyk()
    make_gifs()
    make_webps()
    decoded = make_damaged()
    strips = make_strips()
    first_frames = ["chelsea_anim.gif", "chelsea_anim_cut.gif", "chelsea_offset.gif",
                    "chelsea_offset_opaque.gif", "chelsea_grey.gif", "coffee_anim.webp",
                    "coffee_anim_alpha.webp", "coffee_offset.webp"]
    save_crops(first_frames + decoded + strips, ["chelsea_anim.gif", "chelsea_grey.gif"] + strips)
    print(json.dumps(json.loads((EXPECTED / "damaged-images.json").read_text()), indent=1))


if __name__ == "__main__":
    main()
