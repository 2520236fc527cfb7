package io.clip4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import io.clip4j.internal.CheckpointListing;
import io.clip4j.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Works out what a user's path holds: an open_clip hub folder ({@code open_clip_config.json} plus
 * weights) or a bare weights file plus an architecture name. The native side then only sees a
 * weights file and a finished config.
 */
public final class CheckpointResolver {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** open_clip's own preference when a folder holds several weight files. */
  private static final List<String> PREFERRED_WEIGHTS =
      List.of(
          "open_clip_model.safetensors",
          "open_clip_pytorch_model.safetensors",
          "open_clip_pytorch_model.bin",
          "open_clip_pytorch_model.pth",
          "model.safetensors",
          "pytorch_model.bin",
          "pytorch_model.pth",
          "model.pth");

  private static final List<String> WEIGHT_SUFFIXES =
      List.of(".safetensors", ".bin", ".pth", ".pt");

  /**
   * What was found.
   *
   * @param config the architecture and preprocessing
   * @param weights the weights file the runner reads
   * @param format a short description of the layout, for messages and model info
   * @param tokenizer the checkpoint's own tokenizer (a Hugging Face folder's vocabulary), or null
   *     for CLIP's
   */
  public record ResolvedCheckpoint(
      ModelConfig config, Path weights, String format, ClipTokenizer tokenizer) {
    public ResolvedCheckpoint(ModelConfig config, Path weights, String format) {
      this(config, weights, format, null);
    }

    /** The tokenizer to use: the checkpoint's own, or CLIP's. */
    public ClipTokenizer tokenizerOrDefault() {
      return tokenizer != null ? tokenizer : ClipTokenizer.clipVocabulary();
    }
  }

  private CheckpointResolver() {}

  /**
   * Resolves {@code path}; {@code architecture} names an open_clip config for a bare weights file
   * and may be null for a folder that carries its own.
   */
  public static ResolvedCheckpoint resolve(Path path, String architecture) {
    if (!Files.exists(path)) {
      throw new ClipException(ErrorCode.IO_ERROR, "no such file or folder: " + path);
    }
    if (Files.isDirectory(path)) {
      return resolveFolder(path, architecture);
    }
    if (!Files.isReadable(path)) {
      throw new ClipException(ErrorCode.IO_ERROR, "cannot read " + path);
    }
    String fileName = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (WEIGHT_SUFFIXES.stream().noneMatch(fileName::endsWith)) {
      throw new ClipException(
          ErrorCode.INVALID_ARGUMENT,
          path
              + " is not a checkpoint clip4j reads: expected an open_clip folder"
              + " (open_clip_config.json + weights), a Hugging Face CLIP folder (config.json +"
              + " weights), OpenAI's TorchScript .pt archive, or a .safetensors, .bin, .pt or .pth"
              + " state dict with --arch");
    }
    CheckpointListing listing = CheckpointListing.describe(path);
    if (listing.shapes().keySet().stream().anyMatch(n -> n.startsWith("vision_model."))) {
      throw new ClipException(
          ErrorCode.INVALID_ARGUMENT,
          path
              + " holds a Hugging Face CLIPModel state dict (vision_model.*): load the folder it"
              + " came from (config.json, tokenizer and preprocessor files beside it)");
    }
    boolean named = architecture != null && !architecture.isBlank();
    if (listing.isTorchScript() && !named) {
      // OpenAI's released files (RN50.pt, ViT-B-32.pt, ...) are TorchScript archives whose
      // architecture follows from the tensor shapes.
      String stem = path.getFileName().toString().replaceFirst("\\.[^.]*$", "");
      return new ResolvedCheckpoint(
          OpenAiArchitecture.infer(listing, stem), path, "OpenAI TorchScript archive");
    }
    if (!named) {
      throw new ClipException(
          ErrorCode.INVALID_ARGUMENT,
          "the state dict "
              + path
              + " carries no architecture: name one with --arch (Java:"
              + " ClipOptions.architecture)"
              + shapeHint(listing)
              + "; known: "
              + String.join(", ", OpenClipConfigReader.builtInNames()));
    }
    return new ResolvedCheckpoint(
        architectureConfig(architecture), path, "weights file + architecture " + architecture);
  }

  /** What the tensor shapes say, for the error that asks for --arch. */
  private static String shapeHint(CheckpointListing listing) {
    try {
      String name = OpenAiArchitecture.infer(listing, "").name();
      if (!name.isEmpty()) {
        return ". Its shapes are those of "
            + name
            + ": --arch "
            + name
            + "-quickgelu for OpenAI-trained weights, --arch "
            + name
            + " for most others";
      }
    } catch (ClipException e) {
      // shapes of no known CLIP: no hint
    }
    return "";
  }

  /**
   * The config an architecture argument names: one of open_clip's built-in config names, or a JSON
   * file in open_clip's model config form or in open_clip_config.json form (model_cfg and
   * preprocess_cfg).
   */
  static ModelConfig architectureConfig(String architecture) {
    Path file = Path.of(architecture);
    if (architecture.toLowerCase(Locale.ROOT).endsWith(".json")) {
      if (!Files.isRegularFile(file)) {
        throw new ClipException(ErrorCode.IO_ERROR, "no such architecture file: " + architecture);
      }
      JsonNode root = readJson(file);
      String name = file.getFileName().toString().replaceFirst("(?i)\\.json$", "");
      return root.has("model_cfg")
          ? OpenClipConfigReader.read(name, root.get("model_cfg"), root.get("preprocess_cfg"))
          : OpenClipConfigReader.read(name, root, null);
    }
    return OpenClipConfigReader.read(
        architecture, OpenClipConfigReader.builtIn(architecture), null);
  }

  /** A JSON object from {@code file}, or a ClipException naming the file. */
  static JsonNode readJson(Path file) {
    try {
      JsonNode root = JSON.readTree(file.toFile());
      if (root == null || !root.isObject()) {
        throw new ClipException(ErrorCode.BAD_CHECKPOINT, file + " does not hold a JSON object");
      }
      return root;
    } catch (IOException e) {
      throw new ClipException(
          ErrorCode.BAD_CHECKPOINT, file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static ResolvedCheckpoint resolveFolder(Path folder, String architecture) {
    Path configFile = folder.resolve("open_clip_config.json");
    if (!Files.isRegularFile(configFile)) {
      if (HuggingFaceFolder.looksLikeOne(folder)) {
        return HuggingFaceFolder.resolve(folder, architecture);
      }
      throw new ClipException(
          ErrorCode.INVALID_ARGUMENT,
          folder
              + " is not a CLIP model folder clip4j reads: expected open_clip's layout"
              + " (open_clip_config.json + weights) or a Hugging Face transformers CLIP folder"
              + " (config.json with model_type clip + weights + tokenizer files); found: "
              + describe(folder));
    }
    JsonNode root = readJson(configFile);
    if (!root.has("model_cfg")) {
      throw new ClipException(ErrorCode.BAD_CHECKPOINT, configFile + " has no model_cfg");
    }
    String name =
        architecture != null && !architecture.isBlank()
            ? architecture
            : folder.toAbsolutePath().normalize().getFileName().toString();
    ModelConfig config =
        OpenClipConfigReader.read(name, root.get("model_cfg"), root.get("preprocess_cfg"));
    return new ResolvedCheckpoint(config, findWeights(folder), "open_clip folder");
  }

  private static Path findWeights(Path folder) {
    List<Path> candidates = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      files
          .filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".safetensors") || n.endsWith(".bin") || n.endsWith(".pth");
              })
          .forEach(candidates::add);
    } catch (IOException e) {
      throw new ClipException(
          ErrorCode.IO_ERROR, "cannot list " + folder + ": " + e.getMessage(), e);
    }
    if (candidates.isEmpty()) {
      throw new ClipException(
          ErrorCode.BAD_CHECKPOINT,
          folder + " has open_clip_config.json but no weights (.safetensors, .bin or .pth)");
    }
    candidates.sort(
        Comparator.comparing((Path p) -> !p.getFileName().toString().endsWith(".safetensors"))
            .thenComparing(p -> p.getFileName().toString()));
    return candidates.stream()
        .filter(p -> PREFERRED_WEIGHTS.contains(p.getFileName().toString()))
        .min(Comparator.comparingInt(p -> PREFERRED_WEIGHTS.indexOf(p.getFileName().toString())))
        .orElse(candidates.get(0));
  }

  private static String describe(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().limit(12).toList();
      return names.isEmpty() ? "nothing" : String.join(", ", names);
    } catch (IOException e) {
      return "unreadable folder";
    }
  }
}
