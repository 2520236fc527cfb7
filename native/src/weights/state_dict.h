// A checkpoint's named tensors, handed out to the model parts that own them. It records every
// missing, mis-shaped and unused tensor so that one error can list them all.
#pragma once

#include <ATen/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clip4j {

class StateDict {
 public:
  // `options` give the dtype and device floating-point weights are converted to.
  StateDict(std::map<std::string, at::Tensor> tensors, c10::TensorOptions options);

  // The tensor `name` with exactly `shape`, converted to the model's dtype and device. A missing or
  // mis-shaped tensor is recorded and an empty tensor returned; finish() then throws.
  at::Tensor take(const std::string& name, std::vector<int64_t> shape);

  // As take(), kept in float32 whatever the model's precision (norms, logit scale).
  at::Tensor take_fp32(const std::string& name, std::vector<int64_t> shape);

  // As take(), but absence is not an error.
  std::optional<at::Tensor> take_optional(const std::string& name, std::vector<int64_t> shape);

  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }

  // The dtype take() converts floating-point weights to.
  at::ScalarType dtype() const { return options_.dtype().toScalarType(); }

  // The device take() moves weights to.
  at::Device device() const { return options_.device(); }

  // Marks a tensor as known and unused (buffers some exporters write).
  void ignore(const std::string& name) { used_.insert(name); }

  // Marks every tensor whose name satisfies `known_unused` as known and unused.
  template <typename Predicate>
  void ignore_all(Predicate known_unused) {
    for (const auto& [name, tensor] : tensors_) {
      if (known_unused(name)) used_.insert(name);
    }
  }

  // Throws CheckpointError listing missing, mis-shaped, non-finite and unexpected tensors, if any.
  void finish() const;

  int64_t parameter_count() const { return parameter_count_; }

 private:
  at::Tensor take_as(const std::string& name, const std::vector<int64_t>& shape, bool keep_fp32,
                     bool optional);

  std::map<std::string, at::Tensor> tensors_;
  c10::TensorOptions options_;
  std::set<std::string> used_;
  std::vector<std::string> missing_;
  std::vector<std::string> misshaped_;
  std::vector<std::string> non_finite_;
  int64_t parameter_count_ = 0;
};

}  // namespace clip4j
