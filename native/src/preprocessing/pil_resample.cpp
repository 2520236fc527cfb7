#include "pil_resample.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace clip4j {
namespace {

// Pillow: PRECISION_BITS = 32 - 8 - 2, coefficients in fixed point with that many fraction bits.
constexpr int kPrecisionBits = 32 - 8 - 2;

// Output rows per parallel task: a few thousand taps of work, so a task outweighs its dispatch.
constexpr int64_t kRowsPerTask = 8;

double bicubic_filter(double x) {
  constexpr double a = -0.5;  // Pillow's bicubic uses a = -0.5 (torch uses -0.75)
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double bilinear_filter(double x) {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

struct Coefficients {
  int kernel_size = 0;
  std::vector<int> bounds;     // per output pixel: first input index, number of taps
  std::vector<int32_t> fixed;  // kernel_size weights per output pixel, fixed point
};

// Pillow's precompute_coeffs followed by normalize_coeffs_8bpc, for output pixels [first, first +
// count) of out_size (each pixel's taps depend on its own index only).
Coefficients precompute(int in_size, double in0, double in1, int out_size, int first, int count,
                        ResampleFilter filter) {
  double (*kernel)(double) = filter == ResampleFilter::Bicubic ? bicubic_filter : bilinear_filter;
  const double support_unscaled = filter == ResampleFilter::Bicubic ? 2.0 : 1.0;
  const double scale = (in1 - in0) / out_size;
  double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = support_unscaled * filterscale;
  Coefficients c;
  c.kernel_size = int(std::ceil(support)) * 2 + 1;
  c.bounds.resize(size_t(count) * 2);
  c.fixed.assign(size_t(count) * c.kernel_size, 0);
  std::vector<double> k(c.kernel_size);
  for (int i = 0; i < count; i++) {
    const int xx = first + i;
    const double center = in0 + (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = int(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = int(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; x++) {
      const double w = kernel((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; x++) {
      if (ww != 0.0) k[x] /= ww;
    }
    for (int x = 0; x < xmax; x++) {
      const double v = k[x] * (1 << kPrecisionBits);
      c.fixed[size_t(i) * c.kernel_size + x] = v < 0 ? int32_t(-0.5 + v) : int32_t(0.5 + v);
    }
    c.bounds[size_t(i) * 2] = xmin;
    c.bounds[size_t(i) * 2 + 1] = xmax;
  }
  return c;
}

inline uint8_t clip8(int32_t v) {
  if (v >= (1 << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return uint8_t(v >> kPrecisionBits);
}

// The sums below are Pillow's: each pixel's taps are added in Pillow's order, in int32, so the
// results are its results bit for bit. Only the loop order differs, so that the sums vectorise:
// a pass runs down the rows, a whole row of sums at a time, and the horizontal pass is that same
// pass over the transposed image. (Pillow's per-pixel loop over ~10 taps does not vectorise, and
// it was most of a JPEG's preprocessing time.)

// Rows [first, last) of out: in resampled along its rows' direction (vertically) with c. AVX2
// where the CPU has it.
__attribute__((target_clones("avx2", "default"))) void resample_rows(const Image8& in, Image8& out,
                                                                     const Coefficients& c,
                                                                     int64_t first, int64_t last) {
  const size_t stride = size_t(in.width) * in.channels;
  std::vector<int32_t> sums(stride);
  for (int64_t yy = first; yy < last; yy++) {
    const int ymin = c.bounds[yy * 2];
    const int ymax = c.bounds[yy * 2 + 1];
    const int32_t* k = &c.fixed[size_t(yy) * c.kernel_size];
    std::fill(sums.begin(), sums.end(), int32_t(1) << (kPrecisionBits - 1));
    for (int y = 0; y < ymax; y++) {
      const uint8_t* src = in.row(ymin + y);
      const int32_t weight = k[y];
      for (size_t i = 0; i < stride; i++) sums[i] += int32_t(src[i]) * weight;
    }
    uint8_t* dst = out.row(int(yy));
    for (size_t i = 0; i < stride; i++) dst[i] = clip8(sums[i]);
  }
}

// Output rows are independent: spread over libtorch's threads (serially inside a parallel loop,
// as when several images are preprocessed at once).
void resample_vertical(const Image8& in, Image8& out, const Coefficients& c) {
  at::parallel_for(0, out.height, kRowsPerTask,
                   [&](int64_t first, int64_t last) { resample_rows(in, out, c, first, last); });
}

// Rows [first_row, first_row + rows) of `in`, transposed: pixel (x, y) goes to (y, x).
template <int kChannels>
void transpose_pixels(const Image8& in, int first_row, int rows, Image8& out) {
  constexpr int kBlock = 64;  // pixels: a block's source and destination rows stay in L1
  const int64_t column_blocks = (in.width + kBlock - 1) / kBlock;
  // Each task writes its own destination rows (source columns).
  at::parallel_for(0, column_blocks, 1, [&](int64_t first_block, int64_t last_block) {
    for (int64_t block = first_block; block < last_block; block++) {
      const int x0 = int(block) * kBlock;
      const int x1 = std::min(in.width, x0 + kBlock);
      for (int y0 = 0; y0 < rows; y0 += kBlock) {
        const int y1 = std::min(rows, y0 + kBlock);
        for (int y = y0; y < y1; y++) {
          const uint8_t* src = in.row(first_row + y);
          for (int x = x0; x < x1; x++) {
            uint8_t* dst = out.row(x) + size_t(y) * kChannels;
            for (int channel = 0; channel < kChannels; channel++) {
              dst[channel] = src[size_t(x) * kChannels + channel];
            }
          }
        }
      }
    }
  });
}

Image8 transposed(const Image8& in, int first_row, int rows) {
  Image8 out(rows, in.width, in.channels);
  switch (in.channels) {
    case 1:
      transpose_pixels<1>(in, first_row, rows, out);
      break;
    case 2:
      transpose_pixels<2>(in, first_row, rows, out);
      break;
    case 3:
      transpose_pixels<3>(in, first_row, rows, out);
      break;
    case 4:
      transpose_pixels<4>(in, first_row, rows, out);
      break;
    default:
      throw std::invalid_argument("resize needs 1 to 4 channels, not " +
                                  std::to_string(in.channels));
  }
  return out;
}

// Rows [first_row, first_row + rows) of `in` resampled horizontally to out_width.
Image8 resample_horizontal(const Image8& in, int first_row, int rows, int out_width,
                           const Coefficients& c) {
  const Image8 columns = transposed(in, first_row, rows);
  Image8 resampled_columns(rows, out_width, in.channels);
  resample_vertical(columns, resampled_columns, c);
  return transposed(resampled_columns, 0, out_width);
}

void check_sizes(const Image8& in, int out_width, int out_height, const ResizeWindow& w) {
  if (in.width <= 0 || in.height <= 0 || out_width <= 0 || out_height <= 0) {
    throw std::invalid_argument("resize needs positive image sizes");
  }
  if (w.left < 0 || w.top < 0 || w.width <= 0 || w.height <= 0 || w.width > out_width - w.left ||
      w.height > out_height - w.top) {
    throw std::invalid_argument("resize window outside the resized image");
  }
}

// Rows [top, top + height) and columns [left, left + width) of `in`.
Image8 crop(const Image8& in, int left, int top, int width, int height) {
  Image8 out(width, height, in.channels);
  for (int y = 0; y < height; y++) {
    std::memcpy(out.row(y), in.row(top + y) + size_t(left) * in.channels,
                size_t(width) * in.channels);
  }
  return out;
}

}  // namespace

Image8 pil_crop(const Image8& in, const ResizeWindow& window) {
  check_sizes(in, in.width, in.height, window);
  return crop(in, window.left, window.top, window.width, window.height);
}

// Pillow's ImagingResampleInner: a horizontal pass over just the rows the vertical pass reads, then
// the vertical pass, each rounding to 8 bits; here both only for the window's columns and rows.
Image8 pil_resample(const Image8& in, int out_width, int out_height, ResampleFilter filter,
                    const ResizeWindow& window) {
  check_sizes(in, out_width, out_height, window);
  const bool need_horizontal = out_width != in.width;
  const bool need_vertical = out_height != in.height;
  if (!need_horizontal && !need_vertical) {
    return crop(in, window.left, window.top, window.width, window.height);
  }
  Coefficients vertical;
  int first_row = window.top;
  int last_row = window.top + window.height;
  if (need_vertical) {
    vertical = precompute(in.height, 0.0, in.height, out_height, window.top, window.height, filter);
    const size_t last = size_t(window.height - 1) * 2;
    first_row = vertical.bounds[0];
    last_row = vertical.bounds[last] + vertical.bounds[last + 1];
    for (int i = 0; i < window.height; i++) vertical.bounds[size_t(i) * 2] -= first_row;
  }
  // The rows the vertical pass reads, resampled (or, at the same width, cut) to the window's
  // columns.
  const Image8 rows = need_horizontal
                          ? resample_horizontal(in, first_row, last_row - first_row, window.width,
                                                precompute(in.width, 0.0, in.width, out_width,
                                                           window.left, window.width, filter))
                          : crop(in, window.left, first_row, window.width, last_row - first_row);
  if (!need_vertical) return rows;
  Image8 out(window.width, window.height, in.channels);
  resample_vertical(rows, out, vertical);
  return out;
}

Image8 pil_resize_nearest(const Image8& in, int out_width, int out_height,
                          const ResizeWindow& window) {
  check_sizes(in, out_width, out_height, window);
  // Pillow's ImagingScaleAffine: output pixel centres mapped back and truncated, the source
  // position accumulated by repeated addition (not multiplied), which rounds differently when
  // upscaling; so the sums run from the first pixel even where the window starts later.
  const double xscale = double(in.width) / out_width;
  const double yscale = double(in.height) / out_height;
  std::vector<int> source_x(static_cast<size_t>(window.width));
  double xo = xscale * 0.5;
  for (int x = 0; x < window.left + window.width; x++, xo += xscale) {
    if (x >= window.left) source_x[size_t(x - window.left)] = std::min(int(xo), in.width - 1);
  }
  Image8 out(window.width, window.height, in.channels);
  const int ch = in.channels;
  double yo = yscale * 0.5;
  for (int y = 0; y < window.top + window.height; y++, yo += yscale) {
    if (y < window.top) continue;
    const uint8_t* src = in.row(std::min(int(yo), in.height - 1));
    uint8_t* dst = out.row(y - window.top);
    for (int x = 0; x < window.width; x++) {
      std::memcpy(dst + x * ch, src + source_x[size_t(x)] * ch, ch);
    }
  }
  return out;
}

void pil_premultiply_alpha(Image8& rgba) {
  // Pillow's rgbA2rgba: MULDIV255(v, alpha) = (t + (t >> 8)) >> 8 with t = v * alpha + 128.
  uint8_t* p = rgba.pixels.data();
  const size_t n = size_t(rgba.width) * rgba.height;
  for (size_t i = 0; i < n; i++, p += 4) {
    const unsigned alpha = p[3];
    for (int c = 0; c < 3; c++) {
      const unsigned t = p[c] * alpha + 128;
      p[c] = uint8_t(((t >> 8) + t) >> 8);
    }
  }
}

void pil_unpremultiply_alpha(Image8& rgba) {
  // Pillow's rgba2rgbA: v * 255 / alpha, clipped, for 0 < alpha < 255.
  uint8_t* p = rgba.pixels.data();
  const size_t n = size_t(rgba.width) * rgba.height;
  for (size_t i = 0; i < n; i++, p += 4) {
    const unsigned alpha = p[3];
    if (alpha == 255 || alpha == 0) continue;
    for (int c = 0; c < 3; c++) {
      const unsigned v = (255u * p[c]) / alpha;
      p[c] = uint8_t(v > 255 ? 255 : v);
    }
  }
}

}  // namespace clip4j
