// libtorch's oneDNN operators (the mkldnn:: namespace, registered in libtorch_cpu) are not in its
// C++ headers; they are reached through the dispatcher by name, as torch.compile's code does.
#pragma once

#include <ATen/core/dispatch/Dispatcher.h>

#include <optional>

namespace clip4j::onednn {

// The operators' "Scalar?[]" arguments.
using Scalars = c10::List<std::optional<c10::Scalar>>;

// The operator `name` (with its overload), or nothing where this libtorch lacks it.
inline std::optional<c10::OperatorHandle> find_operator(const char* name,
                                                        const char* overload = "") {
  return c10::Dispatcher::singleton().findSchema({name, overload});
}

// Whether this CPU runs oneDNN's bfloat16 primitives natively (AVX512-BF16; AMX CPUs have it).
// Elsewhere oneDNN emulates bfloat16, slower than the unpacked paths.
inline bool cpu_has_bf16() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") != 0;
  }();
  return has;
}

}  // namespace clip4j::onednn
