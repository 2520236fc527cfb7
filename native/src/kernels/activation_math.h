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
  // exp is +inf above 88.73 and 0 below -103.98 (past the denormals); the clamp keeps 2^n within
  // what times_pow2 takes while those still come out.
  x = Isa::max(Isa::min(x, Isa::set1(89.0f)), Isa::set1(-104.0f));
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
  const Vec erfc = Isa::mul(poly, exp_of<Isa>(Isa::sub(Isa::zero(), Isa::mul(z, z))));
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
