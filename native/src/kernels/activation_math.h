// GELU and QuickGELU on whole vectors, over an ISA's traits (gemm_tiles_<isa>.cpp), so the tiles
// can apply them to their sums as they store them instead of in a second pass over the output.
//
// GELU's erf is Abramowitz and Stegun's 7.1.26 (absolute error below 1.5e-7), the approximation
// libtorch's own vectorised erf uses; QuickGELU is x·sigmoid(1.702x) with sigmoid's
// usual overflow-free form. exp is reduced to 2^n·exp(r), |r| <= ln2/2, with ln 2 in two
// parts (Cody and Waite), and exp(r) is its Taylor series to r^7 (truncation below 1e-8).
// Included only by those files, after their standard headers and inside their target pragma.
#pragma once

#include "common/activation.h"

namespace clip4j::kernels {

template <class Isa>
typename Isa::Vec exp_of(typename Isa::Vec x) {
  using Vec = typename Isa::Vec;
  // exp is +inf above 88.73. Below -87 it gives 1.6e-38 (just above float32's smallest normal
  // number), not the denormal or 0 it should: a denormal result costs its instruction a microcode
  // assist of ~100 cycles, and GELU's exp(-x²/2) reaches them from |x| > 13.2, sums that real
  // models' outlier channels hold. The callers add the result to far larger numbers (a softmax's
  // sum of at least 1, QuickGELU's 1 + e) or set it aside (GELU), so 1.6e-38 changes nothing a
  // float32 result holds. The clamp also keeps 2^n within what times_pow2 takes.
  x = Isa::max(Isa::min(x, Isa::set1(89.0f)), Isa::set1(-87.0f));
  const Vec n = Isa::round(Isa::mul(x, Isa::set1(1.44269504088896341f)));  // x / ln 2
  Vec r = Isa::fma(n, Isa::set1(-0.693359375f), x);                        // ln 2, high part
  r = Isa::fma(n, Isa::set1(2.12194440e-4f), r);                           // and low part
  Vec p = Isa::set1(1.0f / 5040);
  p = Isa::fma(p, r, Isa::set1(1.0f / 720));
  p = Isa::fma(p, r, Isa::set1(1.0f / 120));
  p = Isa::fma(p, r, Isa::set1(1.0f / 24));
  p = Isa::fma(p, r, Isa::set1(1.0f / 6));
  p = Isa::fma(p, r, Isa::set1(0.5f));
  p = Isa::fma(p, r, Isa::set1(1.0f));
  p = Isa::fma(p, r, Isa::set1(1.0f));
  return Isa::times_pow2(p, n);
}

// x·Φ(x) = x/2 · (1 + erf(x/√2)). With z = |x|/√2 and t = 1/(1 + 0.3275911z),
// erfc(z) ≈ t(a1 + t(a2 + t(a3 + t(a4 + t·a5))))·exp(-z²), and 1 + erf(x/√2) is 2 - erfc(z) for
// x >= 0 and erfc(z) for x < 0.
template <class Isa>
typename Isa::Vec gelu(typename Isa::Vec x) {
  using Vec = typename Isa::Vec;
  const Vec z = Isa::mul(Isa::abs(x), Isa::set1(0.707106781186547524f));
  const Vec one = Isa::set1(1.0f);
  const Vec t = Isa::div(one, Isa::fma(z, Isa::set1(0.3275911f), one));
  Vec poly = Isa::set1(1.061405429f);
  poly = Isa::fma(poly, t, Isa::set1(-1.453152027f));
  poly = Isa::fma(poly, t, Isa::set1(1.421413741f));
  poly = Isa::fma(poly, t, Isa::set1(-0.284496736f));
  poly = Isa::fma(poly, t, Isa::set1(0.254829592f));
  poly = Isa::mul(poly, t);
  // Past z² = 84 (|x| > 12.96) erfc is below 2.1e-38 and taken as 0, with exp(-z²) set to 0
  // before the product: poly·exp(-z²) would be a denormal there (poly < 0.064), and a vector
  // computing one cost a microcode assist, 9x the GELU's time.
  const Vec z2 = Isa::mul(z, z);
  const Vec decay = Isa::where_negative(Isa::sub(Isa::set1(84.0f), z2), Isa::zero(),
                                        exp_of<Isa>(Isa::sub(Isa::zero(), z2)));
  const Vec erfc = Isa::mul(poly, decay);
  const Vec one_plus_erf = Isa::where_negative(x, erfc, Isa::sub(Isa::set1(2.0f), erfc));
  return Isa::mul(Isa::mul(x, Isa::set1(0.5f)), one_plus_erf);
}

// x·sigmoid(1.702x), with e = exp(-1.702|x|) <= 1 so nothing overflows: x / (1 + e) for x >= 0,
// x·e / (1 + e) for x < 0 (which goes to 0, not to x / inf, for large negative x).
template <class Isa>
typename Isa::Vec quick_gelu(typename Isa::Vec x) {
  using Vec = typename Isa::Vec;
  const Vec e = exp_of<Isa>(Isa::mul(Isa::abs(x), Isa::set1(-1.702f)));
  const Vec numerator = Isa::where_negative(x, Isa::mul(x, e), x);
  return Isa::div(numerator, Isa::add(Isa::set1(1.0f), e));
}

template <class Isa>
typename Isa::Vec activate(Activation activation, typename Isa::Vec x) {
  switch (activation) {
    case Activation::Gelu:
      return gelu<Isa>(x);
    case Activation::QuickGelu:
      return quick_gelu<Isa>(x);
    case Activation::Relu:
      // x second: x86's max returns its second operand when either is NaN, so NaN stays NaN
      // (as torch.relu keeps it) instead of becoming 0.
      return Isa::max(Isa::zero(), x);
    case Activation::Identity:
      break;
  }
  return x;
}

}  // namespace clip4j::kernels
