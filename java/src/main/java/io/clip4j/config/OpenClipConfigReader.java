package io.clip4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import io.clip4j.config.PreprocessConfig.Interpolation;
import io.clip4j.config.PreprocessConfig.ResizeMode;
import io.clip4j.config.TextConfig.TextPool;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads open_clip's model configs ({@code model_cfg} with {@code vision_cfg} and {@code text_cfg},
 * and {@code preprocess_cfg}) with open_clip's defaults, and knows the configs open_clip ships.
 * Options this runner does not implement are refused by name rather than ignored.
 */
public final class OpenClipConfigReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUILT_IN_DIR = "/io/clip4j/model_configs/";

  /** Block options (both towers) that change the computation and are not implemented. */
  private static final List<String> UNSUPPORTED_BLOCK_OPTIONS =
      List.of(
          "qk_norm",
          "scaled_cosine_attn",
          "scale_heads",
          "scale_attn_inner",
          "scale_attn",
          "scale_fc",
          "act_kwargs",
          "norm_kwargs");

  private static final List<String> UNSUPPORTED_VISION =
      Stream.concat(
              Stream.of("timm_model_name", "attentional_pool"), UNSUPPORTED_BLOCK_OPTIONS.stream())
          .toList();

  private static final List<String> UNSUPPORTED_TEXT =
      Stream.concat(
              Stream.of("hf_model_name", "hf_tokenizer_name", "tokenizer_kwargs", "embed_cls"),
              UNSUPPORTED_BLOCK_OPTIONS.stream())
          .toList();

  private OpenClipConfigReader() {}

  /** The names of open_clip's configs shipped with clip4j, sorted. */
  public static Set<String> builtInNames() {
    Set<String> names = new TreeSet<>();
    try (InputStream in =
        OpenClipConfigReader.class.getResourceAsStream(BUILT_IN_DIR + "index.txt")) {
      if (in != null) {
        for (String line :
            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            names.add(line.trim());
          }
        }
      }
    } catch (IOException e) {
      throw new ClipException(ErrorCode.INTERNAL, "cannot read the built-in model config list", e);
    }
    return names;
  }

  /** open_clip's config {@code name} ({@code ViT-B-32}; {@code ViT-B/32} is accepted too). */
  public static JsonNode builtIn(String name) {
    String cleaned = name.trim().replace('/', '-');
    try (InputStream in =
        OpenClipConfigReader.class.getResourceAsStream(BUILT_IN_DIR + cleaned + ".json")) {
      if (in == null) {
        throw new ClipException(
            ErrorCode.INVALID_ARGUMENT,
            "unknown architecture '" + name + "'; known: " + String.join(", ", builtInNames()));
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new ClipException(ErrorCode.INTERNAL, "cannot read built-in config " + cleaned, e);
    }
  }

  /**
   * Builds the runner's config from open_clip's {@code model_cfg} and an optional {@code
   * preprocess_cfg} overlay (null for the defaults).
   */
  public static ModelConfig read(String name, JsonNode modelCfg, JsonNode preprocessCfg) {
    if (modelCfg == null || !modelCfg.isObject()) {
      throw bad(name, "model_cfg is not a JSON object");
    }
    JsonNode vision = object(modelCfg, "vision_cfg", name);
    JsonNode text = object(modelCfg, "text_cfg", name);
    for (String key : List.of("multimodal_cfg", "text_decoder_cfg")) {
      if (modelCfg.has(key)) {
        throw unsupported(name, key + " (CoCa-style models)");
      }
    }
    refuse(name, "vision_cfg", vision, UNSUPPORTED_VISION);
    refuse(name, "text_cfg", text, UNSUPPORTED_TEXT);
    String posEmbed = vision.path("pos_embed_type").asText("learnable");
    if (!posEmbed.equals("learnable")) {
      throw unsupported(name, "vision_cfg.pos_embed_type '" + posEmbed + "'");
    }
    String blockType = vision.path("block_type").asText("default");
    if (!blockType.equals("default")
        || !text.path("block_type").asText("default").equals("default")) {
      throw unsupported(name, "block_type other than 'default'");
    }
    if (!text.path("proj_type").asText("linear").equals("linear")) {
      throw unsupported(name, "text_cfg.proj_type '" + text.path("proj_type").asText() + "'");
    }

    int embedDim = positive(modelCfg, "embed_dim", -1, name);
    int imageSize = squareSize(vision.get("image_size"), 224, name, "vision_cfg.image_size");
    VisionConfig visionConfig =
        vision.path("layers").isArray()
            ? resnet(vision, imageSize, name)
            : vit(vision, imageSize, name);

    int textWidth = positive(text, "width", 512, name);
    TextConfig textConfig =
        new TextConfig(
            positive(text, "context_length", 77, name),
            positive(text, "vocab_size", 49408, name),
            textWidth,
            positive(text, "layers", 12, name),
            positive(text, "heads", 8, name),
            mlpWidth(text, textWidth, "text_cfg", name),
            textPool(text.path("pool_type").asText("argmax"), name),
            !text.path("no_causal_mask").asBoolean(false),
            text.path("final_ln_after_pool").asBoolean(false));

    return new ModelConfig(
        name,
        embedDim,
        modelCfg.path("quick_gelu").asBoolean(false),
        visionConfig,
        textConfig,
        preprocess(preprocessCfg, imageSize, name),
        ModelConfig.WeightsLayout.OPEN_CLIP);
  }

  private static VisionConfig vit(JsonNode vision, int imageSize, String name) {
    int visionWidth = positive(vision, "width", 768, name);
    int headWidth = positive(vision, "head_width", 64, name);
    if (visionWidth % headWidth != 0) {
      throw bad(
          name, "vision width " + visionWidth + " is not a multiple of head_width " + headWidth);
    }
    int patchSize = positive(vision, "patch_size", 16, name);
    if (imageSize % patchSize != 0) {
      // open_clip drops the pixels past the last whole patch; clip4j's tower does not.
      throw unsupported(
          name,
          "vision_cfg.image_size " + imageSize + ", not a multiple of patch_size " + patchSize);
    }
    String visionPool = vision.path("pool_type").asText("tok");
    if (!visionPool.equals("tok") && !visionPool.equals("avg")) {
      throw unsupported(name, "vision_cfg.pool_type '" + visionPool + "'");
    }
    return VisionConfig.vit(
        imageSize,
        patchSize,
        visionWidth,
        positive(vision, "layers", 12, name),
        visionWidth / headWidth,
        mlpWidth(vision, visionWidth, "vision_cfg", name),
        visionPool.equals("avg"),
        vision.path("final_ln_after_pool").asBoolean(false),
        vision.path("no_ln_pre").asBoolean(false));
  }

  /** open_clip's ModifiedResNet: layers per stage, stem width, heads = width * 32 / head_width. */
  private static VisionConfig resnet(JsonNode vision, int imageSize, String name) {
    JsonNode layers = vision.get("layers");
    if (layers.size() != 4) {
      throw bad(name, "vision_cfg.layers must list 4 stages, got " + layers);
    }
    int[] stages = new int[4];
    for (int i = 0; i < 4; i++) {
      if (!layers.get(i).isIntegralNumber() || layers.get(i).asInt() <= 0) {
        throw bad(name, "vision_cfg.layers must hold positive integers, got " + layers);
      }
      stages[i] = layers.get(i).asInt();
    }
    if (imageSize % 32 != 0) {
      throw bad(name, "a ResNet's image_size must be a multiple of 32, got " + imageSize);
    }
    int width = positive(vision, "width", 64, name);
    int headWidth = positive(vision, "head_width", 64, name);
    if ((width * 32) % headWidth != 0) {
      throw bad(name, "ResNet width * 32 is not a multiple of head_width " + headWidth);
    }
    return VisionConfig.resnet(imageSize, width, width * 32 / headWidth, stages);
  }

  /** open_clip's PreprocessCfg defaults, overlaid with {@code cfg}; the size is the tower's. */
  static PreprocessConfig preprocess(JsonNode cfg, int imageSize, String name) {
    JsonNode c = cfg == null || cfg.isNull() ? JSON.createObjectNode() : cfg;
    String mode = c.path("mode").asText("RGB");
    if (!mode.equals("RGB")) {
      throw unsupported(name, "preprocess_cfg.mode '" + mode + "'");
    }
    String interpolation = c.path("interpolation").asText("bicubic").toLowerCase(Locale.ROOT);
    Interpolation filter =
        switch (interpolation) {
          case "bicubic", "random" -> Interpolation.BICUBIC;
          case "bilinear" -> Interpolation.BILINEAR;
          default ->
              throw unsupported(name, "preprocess_cfg.interpolation '" + interpolation + "'");
        };
    String resize = c.path("resize_mode").asText("shortest").toLowerCase(Locale.ROOT);
    ResizeMode resizeMode =
        switch (resize) {
          case "shortest" -> ResizeMode.SHORTEST;
          case "longest" -> ResizeMode.LONGEST;
          case "squash" -> ResizeMode.SQUASH;
          default -> throw unsupported(name, "preprocess_cfg.resize_mode '" + resize + "'");
        };
    return new PreprocessConfig(
        imageSize,
        resizeMode,
        filter,
        c.path("fill_color").asInt(0),
        triple(c.get("mean"), PreprocessConfig.OPENAI_MEAN, name, "mean", false),
        triple(c.get("std"), PreprocessConfig.OPENAI_STD, name, "std", true),
        PreprocessConfig.Style.OPEN_CLIP,
        1.0 / 255);
  }

  private static TextPool textPool(String pool, String name) {
    return switch (pool) {
      case "argmax" -> TextPool.ARGMAX;
      case "last" -> TextPool.LAST;
      case "first" -> TextPool.FIRST;
      default -> throw unsupported(name, "text_cfg.pool_type '" + pool + "'");
    };
  }

  private static float[] triple(
      JsonNode node, float[] fallback, String name, String key, boolean positive) {
    float[] values = ChannelTriple.read(node, fallback, positive);
    if (values == null) {
      throw bad(
          name,
          "preprocess_cfg." + key + " must hold 3 " + (positive ? "positive " : "") + "numbers");
    }
    return values;
  }

  /** open_clip's MLP width, int(width * mlp_ratio); at least one unit. */
  private static int mlpWidth(JsonNode tower, int width, String section, String name) {
    JsonNode given = tower.path("mlp_ratio");
    double ratio = given.asDouble(4.0);
    double mlp = width * ratio;
    if (!given.isMissingNode() && !given.isNumber() || !(mlp >= 1) || mlp > Integer.MAX_VALUE) {
      throw bad(name, section + ".mlp_ratio must make an MLP of 1 or more units, got " + ratio);
    }
    return (int) mlp;
  }

  private static int squareSize(JsonNode node, int fallback, String name, String key) {
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (node.isInt() && node.asInt() > 0) {
      return node.asInt();
    }
    if (node.isArray() && node.size() == 2 && node.get(0).isInt() && node.get(0).asInt() > 0) {
      if (node.get(0).asInt() != node.get(1).asInt()) {
        throw unsupported(name, key + " " + node + " (only square inputs)");
      }
      return node.get(0).asInt();
    }
    throw bad(name, key + " must be a positive integer or [h, w]");
  }

  private static JsonNode object(JsonNode parent, String key, String name) {
    JsonNode node = parent.get(key);
    if (node == null || !node.isObject()) {
      throw bad(name, key + " is missing or not an object");
    }
    return node;
  }

  private static int positive(JsonNode node, String key, int fallback, String name) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      if (fallback > 0) {
        return fallback;
      }
      throw bad(name, key + " is missing");
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
      throw bad(name, key + " must be a positive integer, got " + v);
    }
    return v.asInt();
  }

  private static void refuse(String name, String section, JsonNode cfg, List<String> keys) {
    List<String> found = new ArrayList<>();
    for (String key : keys) {
      JsonNode v = cfg.get(key);
      if (v != null && !v.isNull() && !(v.isBoolean() && !v.asBoolean())) {
        found.add(section + "." + key);
      }
    }
    if (!found.isEmpty()) {
      throw unsupported(name, String.join(", ", found));
    }
  }

  private static ClipException bad(String name, String what) {
    return new ClipException(ErrorCode.BAD_CHECKPOINT, "model config '" + name + "': " + what);
  }

  private static ClipException unsupported(String name, String what) {
    return new ClipException(
        ErrorCode.UNSUPPORTED,
        "model config '" + name + "' uses what clip4j does not run: " + what);
  }
}
