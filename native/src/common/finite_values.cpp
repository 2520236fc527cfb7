#include "common/finite_values.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/errors.h"

namespace clip4j {
namespace {

constexpr int64_t kBlock = 4096;  // values per block: one early exit per block

// With the exponent field masked out, adding its lowest bit carries into the sign bit only when
// the field is all ones (infinity or NaN). OR-ing those sums is a loop of ands, adds and ors,
// which the compiler vectorizes even for plain SSE2.
// The values are read as Bits with memcpy (no aliasing questions; it compiles to plain loads).
template <typename Bits>
bool block_all_finite(const void* data, int64_t count, Bits exponent) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const Bits lowest = exponent & Bits(-exponent);
  Bits carried = 0;
  for (int64_t i = 0; i < count; i++) {
    Bits value;
    std::memcpy(&value, bytes + i * sizeof(Bits), sizeof(Bits));
    carried |= Bits((value & exponent) + lowest);
  }
  return (carried & Bits(Bits(1) << (sizeof(Bits) * 8 - 1))) == 0;
}

template <typename Bits>
bool all_finite_bits(const void* data, int64_t count, Bits exponent) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (int64_t start = 0; start < count; start += kBlock) {
    const int64_t n = std::min(kBlock, count - start);
    if (!block_all_finite<Bits>(bytes + start * sizeof(Bits), n, exponent)) return false;
  }
  return true;
}

bool block_all_finite(const float* values, int64_t count) {
  static_assert(sizeof(float) == sizeof(uint32_t));
  return block_all_finite<uint32_t>(values, count, 0x7f800000u);
}

int64_t first_in_block(const float* values, int64_t count) {
  for (int64_t i = 0; i < count; i++) {
    if (!std::isfinite(values[i])) return i;
  }
  return -1;
}

// Runs scan(begin, end) -> first bad index or -1 over [0, count) on libtorch's threads and returns
// the lowest index found, or -1. One core's copy falls far short of memory bandwidth: a GPU batch
// of 256 images is 154 MB, which one core of the 2-core Xeon copies in ~31 ms (memcpy, 4.9 GB/s),
// longer than an H200's forward pass. A range under kGrain (one 224 x 224 image is 150528 values)
// stays on the calling thread.
template <typename Scan>
int64_t first_over_threads(int64_t count, const Scan& scan) {
  constexpr int64_t kGrain = int64_t(1) << 18;  // 1 MB of floats
  constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  std::atomic<int64_t> first{kNone};
  at::parallel_for(0, count, kGrain, [&](int64_t begin, int64_t end) {
    const int64_t found = scan(begin, end);
    if (found < 0) return;
    int64_t seen = first.load();
    while (found < seen && !first.compare_exchange_weak(seen, found)) {
    }
  });
  const int64_t found = first.load();
  return found == kNone ? -1 : found;
}

// The first non-finite value over [0, count), scanned in blocks of kBlock on libtorch's threads:
// block(start, n) returns where values [start, start + n) are to be checked (after copying them,
// say); the scan of a range stops at its first bad block.
template <typename Block>
int64_t first_non_finite_block(int64_t count, const Block& block) {
  return first_over_threads(count, [&](int64_t begin, int64_t end) {
    for (int64_t start = begin; start < end; start += kBlock) {
      const int64_t n = std::min(kBlock, end - start);
      const float* values = block(start, n);
      if (!block_all_finite(values, n)) return start + first_in_block(values, n);
    }
    return int64_t(-1);
  });
}

std::string describe(float value) {
  return std::isnan(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";
}

}  // namespace

bool all_finite(const at::Tensor& tensor) {
  if (!tensor.device().is_cpu() || !tensor.is_contiguous()) {
    return at::isfinite(tensor).all().item<bool>();
  }
  switch (tensor.scalar_type()) {
    case at::kFloat:
      return find_non_finite(tensor.const_data_ptr<float>(), tensor.numel()) < 0;
    case at::kHalf:
      return all_finite_bits<uint16_t>(tensor.const_data_ptr(), tensor.numel(), 0x7c00);
    case at::kBFloat16:
      return all_finite_bits<uint16_t>(tensor.const_data_ptr(), tensor.numel(), 0x7f80);
    default:
      return at::isfinite(tensor).all().item<bool>();
  }
}

int64_t find_non_finite(const float* values, int64_t count) {
  return first_non_finite_block(count, [&](int64_t start, int64_t) { return values + start; });
}

int64_t copy_checking_finite(float* dst, const float* src, int64_t count) {
  return first_non_finite_block(count, [&](int64_t start, int64_t n) {
    std::memcpy(dst + start, src + start, sizeof(float) * n);
    return dst + start;  // in L1 now: checking it costs no second trip to memory
  });
}

void require_finite_pixels(const float* pixels, int64_t first, int64_t count, int64_t per_image) {
  const int64_t at = find_non_finite(pixels, count * per_image);
  if (at >= 0) {
    // "image N: ...", the runner's form, which the Java API renumbers across its native calls.
    throw InvalidArgument("image " + std::to_string(first + at / per_image) + ": its pixels hold " +
                          describe(pixels[at]) + " at value " + std::to_string(at % per_image) +
                          "; preprocessed pixels must be finite");
  }
}

void require_finite_embeddings(const float* out, int64_t batch, int64_t dim,
                               at::ScalarType precision) {
  const int64_t at = find_non_finite(out, batch * dim);
  if (at >= 0) {
    // Named as the --precision flag names them.
    const std::string name = precision == at::kHalf       ? "fp16"
                             : precision == at::kBFloat16 ? "bf16"
                                                          : "fp32";
    const std::string advice = precision == at::kHalf
                                   ? " (float16 stops at 65504); run this model in bf16 or fp32"
                                   : ": the checkpoint's weights are too large for its precision";
    throw NumericOverflow("the embedding of input " + std::to_string(at / dim) + " came out " +
                          describe(out[at]) + ": the activations overflowed in " + name + advice);
  }
}

}  // namespace clip4j
