#include "hugging_face_names.h"

#include <ATen/ATen.h>

#include "common/errors.h"

namespace clip4j {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// Per-layer names inside encoder.layers.N.
const std::map<std::string, std::string>& layer_names() {
  static const std::map<std::string, std::string> names = {
      {"layer_norm1", "ln_1"},
      {"layer_norm2", "ln_2"},
      {"mlp.fc1", "mlp.c_fc"},
      {"mlp.fc2", "mlp.c_proj"},
      {"self_attn.out_proj", "attn.out_proj"},
  };
  return names;
}

// "vision_model.encoder.layers.3.self_attn.q_proj.weight" split into its parts.
struct LayerName {
  bool vision = false;
  std::string index;  // "3"
  std::string part;   // "self_attn.q_proj"
  std::string kind;   // "weight" or "bias"
};

bool parse_layer(const std::string& name, LayerName& out) {
  std::string rest;
  if (starts_with(name, "vision_model.encoder.layers.")) {
    out.vision = true;
    rest = name.substr(28);
  } else if (starts_with(name, "text_model.encoder.layers.")) {
    out.vision = false;
    rest = name.substr(26);
  } else {
    return false;
  }
  const size_t dot = rest.find('.');
  const size_t last = rest.rfind('.');
  if (dot == std::string::npos || dot == 0 || last <= dot + 1) return false;
  out.index = rest.substr(0, dot);
  if (out.index.find_first_not_of("0123456789") != std::string::npos) return false;
  out.part = rest.substr(dot + 1, last - dot - 1);
  out.kind = rest.substr(last + 1);
  return out.kind == "weight" || out.kind == "bias";
}

}  // namespace

TensorMap hugging_face_to_open_clip(const TensorMap& in) {
  TensorMap out;
  // q, k and v of each layer, packed into in_proj in that order once all three are seen.
  std::map<std::string, std::map<std::string, at::Tensor>> qkv;
  for (const auto& [name, tensor] : in) {
    LayerName layer;
    if (parse_layer(name, layer)) {
      const std::string tower = layer.vision ? "visual.transformer" : "transformer";
      const std::string block = tower + ".resblocks." + layer.index;
      if (layer.part == "self_attn.q_proj" || layer.part == "self_attn.k_proj" ||
          layer.part == "self_attn.v_proj") {
        qkv[block + ".attn.in_proj_" + layer.kind][layer.part.substr(10, 1)] = tensor;
        continue;
      }
      const auto renamed = layer_names().find(layer.part);
      out[renamed == layer_names().end() ? name
                                         : block + "." + renamed->second + "." + layer.kind] =
          tensor;
      continue;
    }
    if (name == "vision_model.embeddings.patch_embedding.weight")
      out["visual.conv1.weight"] = tensor;
    else if (name == "vision_model.embeddings.class_embedding")
      out["visual.class_embedding"] = tensor;
    else if (name == "vision_model.embeddings.position_embedding.weight")
      out["visual.positional_embedding"] = tensor;
    else if (starts_with(name, "vision_model.pre_layrnorm."))
      out["visual.ln_pre." + name.substr(26)] = tensor;
    else if (starts_with(name, "vision_model.post_layernorm."))
      out["visual.ln_post." + name.substr(28)] = tensor;
    else if (name == "visual_projection.weight")
      out["visual.proj"] = tensor.t().contiguous();
    else if (name == "text_model.embeddings.token_embedding.weight")
      out["token_embedding.weight"] = tensor;
    else if (name == "text_model.embeddings.position_embedding.weight")
      out["positional_embedding"] = tensor;
    else if (starts_with(name, "text_model.final_layer_norm."))
      out["ln_final." + name.substr(28)] = tensor;
    else if (name == "text_projection.weight")
      out["text_projection"] = tensor.t().contiguous();
    else if (name.find("position_ids") != std::string::npos)
      continue;  // an index buffer
    else
      out[name] = tensor;  // logit_scale, or a name the state dict check will report
  }
  for (auto& [name, parts] : qkv) {
    if (parts.size() != 3)
      throw CheckpointError(name + ": q, k and v projections are not all present");
    const auto shape = parts["q"].sizes();
    if (parts["k"].sizes() != shape || parts["v"].sizes() != shape) {
      throw CheckpointError(name + ": q, k and v projections differ in shape");
    }
    out[name] = at::cat({parts["q"], parts["k"], parts["v"]}, 0);
  }
  return out;
}

}  // namespace clip4j
