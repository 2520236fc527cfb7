// The first frame of a GIF, as Pillow's Image.open gives it to open_clip. OpenCV's GIF decoder
// differs from Pillow where it matters here (transparent pixels take the background colour, a
// first frame smaller than the screen is laid on another fill, a file cut short after the first
// frame is refused), so GIFs are decoded here, with Pillow's rules.
#pragma once

#include <cstddef>
#include <cstdint>

#include "image_decode.h"

namespace clip4j {

// Pillow's frame 0: a canvas of the logical screen's size (grown to hold the frame), filled with
// the transparent index (0 without one), the frame's LZW pixels at its offset, each index looked
// up in the frame's palette (PilMode::Palette, RGB). A palette that maps every index to its own
// grey counts as none, as in Pillow: the indices are then grey levels (PilMode::Grey).
// Transparency is not applied: open_clip's convert("RGB") ignores it. Throws BadImage for data
// Pillow would refuse too (truncated or broken LZW data) and for images over `max_pixels`.
DecodedImage decode_gif(const uint8_t* data, size_t size, int64_t max_pixels);

}  // namespace clip4j
