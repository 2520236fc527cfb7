// A pickle reader for torch.save checkpoints that understands only what a state dict needs:
// dicts (OrderedDict too), lists, tuples, strings, numbers, and tensors rebuilt from the archive's
// storages. It never calls anything: a pickle that names any other Python global (os.system,
// builtins.eval, a model class, ...) is refused with that global's name, like
// torch.load(weights_only=True) refuses it.
//
// libtorch's own torch::pickle_load cannot serve here: it turns collections.OrderedDict, the type
// of every model.state_dict(), into None.
#pragma once

#include <ATen/Tensor.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace clip4j::pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    Bytes,
    Tuple,
    List,
    Dict,
    Global,
    Tensor,
    Storage,
    Object  // a TorchScript module: class name in `text`, attributes in `entries`
  };
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;                                    // String, Bytes; Global: "module.name"
  std::vector<ValuePtr> items;                         // Tuple, List
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  // Dict, in insertion order
  at::Tensor tensor;                                   // Tensor; Storage: the 1-d storage
};

// Loads the storage record `key` as a 1-d tensor of `dtype` with `numel` elements.
using StorageLoader =
    std::function<at::Tensor(const std::string& key, at::ScalarType dtype, int64_t numel)>;

// What a pickle may name besides containers and tensors.
enum class Dialect {
  StateDict,   // torch.save of a state dict or training checkpoint
  TorchScript  // torch.jit.save's data.pkl: __torch__ module classes hold the attributes
};

// Reads one pickle. Throws CheckpointError on anything malformed or not allowed.
ValuePtr unpickle(const uint8_t* data, size_t size, const StorageLoader& load_storage,
                  Dialect dialect = Dialect::StateDict);

}  // namespace clip4j::pickle
