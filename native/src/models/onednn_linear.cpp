#include "models/onednn_linear.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace clip4j::onednn {
namespace {

// The two operators, looked up once; absent in a libtorch built without mkldnn.
struct Operators {
  std::optional<c10::OperatorHandle> reorder;
  std::optional<c10::OperatorHandle> pointwise;
  bool enabled() const { return reorder.has_value() && pointwise.has_value(); }
};

const Operators& operators() {
  static const Operators ops = [] {
    Operators o;
    const char* choice = std::getenv("CLIP4J_CPU_GEMM");
    if (choice == nullptr || std::strcmp(choice, "onednn") != 0) return o;
    if (!at::hasMKLDNN()) return o;
    auto& dispatcher = c10::Dispatcher::singleton();
    o.reorder = dispatcher.findSchema({"mkldnn::_reorder_linear_weight", ""});
    o.pointwise = dispatcher.findSchema({"mkldnn::_linear_pointwise", ""});
    return o;
  }();
  return ops;
}

}  // namespace

bool can_pack(const at::Tensor& weight) {
  return operators().enabled() && weight.device().is_cpu() && weight.dim() == 2 &&
         (weight.scalar_type() == at::kFloat || weight.scalar_type() == at::kBFloat16);
}

at::Tensor pack(const at::Tensor& weight) {
  torch::jit::Stack stack{weight.contiguous(), c10::IValue()};  // no batch-size hint
  operators().reorder->callBoxed(&stack);
  return stack.at(0).toTensor();
}

at::Tensor linear(const at::Tensor& x, const at::Tensor& packed, const at::Tensor& bias) {
  torch::jit::Stack stack{x.contiguous(),
                          packed,
                          bias.defined() ? c10::IValue(bias) : c10::IValue(),
                          std::string("none"),
                          c10::List<std::optional<c10::Scalar>>(),
                          c10::IValue()};
  operators().pointwise->callBoxed(&stack);
  return stack.at(0).toTensor();
}

}  // namespace clip4j::onednn
