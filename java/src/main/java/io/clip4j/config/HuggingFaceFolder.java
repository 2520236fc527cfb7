package io.clip4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import io.clip4j.config.CheckpointResolver.ResolvedCheckpoint;
import io.clip4j.internal.Utf8Text;
import io.clip4j.tokenizer.ClipTokenizer;
import io.clip4j.tokenizer.TextCleaner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code transformers} CLIP folder: {@code config.json} (model_type clip), {@code
 * model.safetensors} or {@code pytorch_model.bin}, {@code vocab.json} + {@code merges.txt} or
 * {@code tokenizer.json}, {@code preprocessor_config.json}. Read with transformers' defaults for
 * anything a file leaves out; options clip4j does not run are refused by name.
 */
final class HuggingFaceFolder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HuggingFaceFolder() {}

  static boolean looksLikeOne(Path folder) {
    Path config = folder.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      return false;
    }
    JsonNode root = read(config);
    return root.path("model_type").asText("").equals("clip")
        || (root.has("vision_config") && root.has("text_config"));
  }

  static ResolvedCheckpoint resolve(Path folder, String nameOverride) {
    JsonNode config = read(folder.resolve("config.json"));
    String name =
        nameOverride != null && !nameOverride.isBlank()
            ? nameOverride
            : folder.toAbsolutePath().normalize().getFileName().toString();
    JsonNode vision = config.path("vision_config");
    JsonNode text = config.path("text_config");
    String visionAct = vision.path("hidden_act").asText("quick_gelu");
    String textAct = text.path("hidden_act").asText("quick_gelu");
    if (!visionAct.equals(textAct)
        || !(visionAct.equals("quick_gelu") || visionAct.equals("gelu"))) {
      throw unsupported(name, "hidden_act " + visionAct + " (vision) / " + textAct + " (text)");
    }
    for (JsonNode tower : List.of(vision, text)) {
      JsonNode eps = tower.path("layer_norm_eps");
      if (!eps.isMissingNode() && !eps.isNull() && !eps.isNumber()) {
        throw bad(name, "layer_norm_eps must be a number, got " + eps);
      }
      if (eps.asDouble(1e-5) != 1e-5) {
        throw unsupported(name, "layer_norm_eps " + eps.asDouble(1e-5));
      }
    }
    int visionWidth = integer(vision, "hidden_size", 768, name);
    int imageSize = integer(vision, "image_size", 224, name);
    int patchSize = integer(vision, "patch_size", 32, name);
    if (imageSize % patchSize != 0) {
      throw bad(name, "image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
    }
    VisionConfig visionConfig =
        VisionConfig.vit(
            imageSize,
            patchSize,
            visionWidth,
            integer(vision, "num_hidden_layers", 12, name),
            heads(vision, visionWidth, 12, name),
            integer(vision, "intermediate_size", 3072, name),
            false,
            false,
            false);
    int textWidth = integer(text, "hidden_size", 512, name);
    TextConfig textConfig =
        new TextConfig(
            integer(text, "max_position_embeddings", 77, name),
            integer(text, "vocab_size", 49408, name),
            textWidth,
            integer(text, "num_hidden_layers", 12, name),
            heads(text, textWidth, 8, name),
            integer(text, "intermediate_size", 2048, name),
            TextConfig.TextPool.ARGMAX,
            true,
            false);
    int embedDim = integer(config, "projection_dim", 512, name);
    PreprocessConfig preprocess =
        preprocess(folder.resolve("preprocessor_config.json"), imageSize, name);
    ModelConfig model =
        new ModelConfig(
            name,
            embedDim,
            visionAct.equals("quick_gelu"),
            visionConfig,
            textConfig,
            preprocess,
            ModelConfig.WeightsLayout.HUGGING_FACE);
    Path weights = weights(folder);
    ClipTokenizer tokenizer = tokenizer(folder, name);
    requireArgmaxPooling(text.get("eos_token_id"), tokenizer, name);
    return new ResolvedCheckpoint(model, weights, "Hugging Face transformers folder", tokenizer);
  }

  /**
   * transformers pools each prompt's first eos_token_id, or, in configs whose eos_token_id is 2
   * (older ones), the position of the highest id; clip4j pools the highest id, which is the same
   * where the end of text is the vocabulary's last id, as in CLIP's. Any other eos_token_id would
   * pool another position there: refused, not answered differently.
   */
  private static void requireArgmaxPooling(JsonNode eos, ClipTokenizer tokenizer, String name) {
    if (eos == null || eos.isNull() || (eos.isIntegralNumber() && eos.asLong() == 2)) {
      return;
    }
    if (!eos.isIntegralNumber()
        || eos.asLong() != tokenizer.endId()
        || tokenizer.endId() != tokenizer.vocabularySize() - 1) {
      throw unsupported(
          name,
          "text_config.eos_token_id "
              + eos
              + " (clip4j pools the end-of-text token, id "
              + tokenizer.endId()
              + ", as the vocabulary's highest id)");
    }
  }

  /** num_attention_heads, which must divide the tower's width. */
  private static int heads(JsonNode tower, int width, int fallback, String name) {
    int heads = integer(tower, "num_attention_heads", fallback, name);
    if (width % heads != 0) {
      throw bad(
          name, "hidden_size " + width + " is not a multiple of num_attention_heads " + heads);
    }
    return heads;
  }

  /** CLIPImageProcessor's settings; only shortest-edge resize plus a square centre crop is run. */
  private static PreprocessConfig preprocess(Path file, int imageSize, String name) {
    JsonNode c = Files.isRegularFile(file) ? read(file) : JSON.createObjectNode();
    int shortest = edge(c.get("size"), "shortest_edge", 224, name);
    int crop = edge(c.get("crop_size"), "height", 224, name);
    JsonNode cropWidth = c.path("crop_size").path("width");
    if ((!cropWidth.isMissingNode() && cropWidth.asInt() != crop)
        || shortest != crop
        || crop != imageSize
        || !c.path("do_resize").asBoolean(true)
        || !c.path("do_center_crop").asBoolean(true)
        || !c.path("do_rescale").asBoolean(true)
        || !c.path("do_normalize").asBoolean(true)) {
      throw unsupported(
          name,
          "preprocessing other than resize of the shortest edge to the model's "
              + imageSize
              + " pixels and a centre crop of the same size (found size "
              + c.get("size")
              + ", crop_size "
              + c.get("crop_size")
              + ")");
    }
    int resample = c.path("resample").asInt(3);
    PreprocessConfig.Interpolation filter =
        switch (resample) {
          case 3 -> PreprocessConfig.Interpolation.BICUBIC;
          case 2 -> PreprocessConfig.Interpolation.BILINEAR;
          default -> throw unsupported(name, "resample " + resample);
        };
    return new PreprocessConfig(
        imageSize,
        PreprocessConfig.ResizeMode.SHORTEST,
        filter,
        0,
        floats(c.get("image_mean"), PreprocessConfig.OPENAI_MEAN, name, "image_mean", false),
        floats(c.get("image_std"), PreprocessConfig.OPENAI_STD, name, "image_std", true),
        PreprocessConfig.Style.HUGGING_FACE,
        rescaleFactor(c.get("rescale_factor"), name));
  }

  /** A positive number: 0 would make every image the same input. */
  private static double rescaleFactor(JsonNode node, String name) {
    if (node == null || node.isNull()) {
      return 1.0 / 255;
    }
    if (!node.isNumber() || !(node.asDouble() > 0) || !Double.isFinite(node.asDouble())) {
      throw bad(name, "rescale_factor must be a positive number, got " + node);
    }
    return node.asDouble();
  }

  private static Path weights(Path folder) {
    for (String candidate : List.of("model.safetensors", "pytorch_model.bin")) {
      if (Files.isRegularFile(folder.resolve(candidate))) {
        return folder.resolve(candidate);
      }
    }
    if (Files.exists(folder.resolve("model.safetensors.index.json"))
        || Files.exists(folder.resolve("pytorch_model.bin.index.json"))) {
      throw new ClipException(
          ErrorCode.UNSUPPORTED, folder + " holds sharded weights, which clip4j does not read yet");
    }
    throw new ClipException(
        ErrorCode.BAD_CHECKPOINT,
        folder + " has config.json but no model.safetensors or pytorch_model.bin");
  }

  /** The folder's own vocabulary: vocab.json + merges.txt, or tokenizer.json. */
  private static ClipTokenizer tokenizer(Path folder, String name) {
    Map<String, Integer> vocabulary = new HashMap<>();
    List<String[]> merges = new ArrayList<>();
    try {
      if (Files.isRegularFile(folder.resolve("vocab.json"))
          && Files.isRegularFile(folder.resolve("merges.txt"))) {
        read(folder.resolve("vocab.json"))
            .fields()
            .forEachRemaining(e -> vocabulary.put(e.getKey(), e.getValue().asInt()));
        for (String line : Utf8Text.lines(folder.resolve("merges.txt"))) {
          if (line.startsWith("#version") || line.isBlank()) {
            continue;
          }
          merges.add(pair(line.split(" "), name));
        }
      } else if (Files.isRegularFile(folder.resolve("tokenizer.json"))) {
        JsonNode model = read(folder.resolve("tokenizer.json")).path("model");
        model
            .path("vocab")
            .fields()
            .forEachRemaining(e -> vocabulary.put(e.getKey(), e.getValue().asInt()));
        for (JsonNode merge : model.path("merges")) {
          merges.add(
              merge.isArray()
                  ? pair(new String[] {merge.path(0).asText(), merge.path(1).asText()}, name)
                  : pair(merge.asText().split(" "), name));
        }
      } else {
        throw new ClipException(
            ErrorCode.BAD_CHECKPOINT,
            folder + " has no tokenizer files (vocab.json + merges.txt, or tokenizer.json)");
      }
    } catch (Utf8Text.MalformedException e) {
      throw new ClipException(ErrorCode.BAD_CHECKPOINT, e.getMessage(), e);
    } catch (IOException e) {
      throw new ClipException(
          ErrorCode.IO_ERROR, "cannot read the tokenizer of " + folder + ": " + e.getMessage(), e);
    }
    JsonNode tokenizerConfig =
        Files.isRegularFile(folder.resolve("tokenizer_config.json"))
            ? read(folder.resolve("tokenizer_config.json"))
            : JSON.createObjectNode();
    String start = specialToken(tokenizerConfig.get("bos_token"), "<|startoftext|>");
    String end = specialToken(tokenizerConfig.get("eos_token"), "<|endoftext|>");
    try {
      return ClipTokenizer.fromVocabulary(
          vocabulary, merges, start, end, TextCleaner.Style.HUGGING_FACE);
    } catch (IllegalArgumentException e) {
      throw new ClipException(ErrorCode.BAD_CHECKPOINT, name + ": " + e.getMessage(), e);
    }
  }

  private static String specialToken(JsonNode node, String fallback) {
    if (node == null || node.isNull()) {
      return fallback;
    }
    return node.isObject() ? node.path("content").asText(fallback) : node.asText(fallback);
  }

  private static String[] pair(String[] parts, String name) {
    if (parts.length != 2) {
      throw new ClipException(
          ErrorCode.BAD_CHECKPOINT, name + ": malformed BPE merge " + String.join(" ", parts));
    }
    return parts;
  }

  private static int edge(JsonNode node, String key, int fallback, String name) {
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (node.isInt()) {
      return node.asInt();
    }
    if (node.has(key) && node.get(key).isInt()) {
      return node.get(key).asInt();
    }
    throw unsupported(name, "image size setting " + node);
  }

  /** Two numbers were once read as a third channel's 0. */
  private static float[] floats(
      JsonNode node, float[] fallback, String name, String key, boolean positive) {
    float[] values = ChannelTriple.read(node, fallback, positive);
    if (values == null) {
      throw bad(
          name, key + " must hold 3 " + (positive ? "positive " : "") + "numbers, got " + node);
    }
    return values;
  }

  private static int integer(JsonNode node, String key, int fallback, String name) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asInt() <= 0) {
      throw bad(name, key + " must be a positive integer, got " + v);
    }
    return v.asInt();
  }

  private static JsonNode read(Path file) {
    return CheckpointResolver.readJson(file);
  }

  private static ClipException bad(String name, String what) {
    return new ClipException(
        ErrorCode.BAD_CHECKPOINT, "Hugging Face config '" + name + "': " + what);
  }

  private static ClipException unsupported(String name, String what) {
    return new ClipException(
        ErrorCode.UNSUPPORTED,
        "Hugging Face config '" + name + "' uses what clip4j does not run: " + what);
  }
}
