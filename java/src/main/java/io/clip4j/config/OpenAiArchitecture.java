package io.clip4j.config;

import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import io.clip4j.internal.CheckpointListing;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The architecture of an OpenAI CLIP checkpoint, read from its tensor shapes as OpenAI's {@code
 * build_model} (and open_clip's {@code build_model_from_openai_state_dict}) reads it: 64-wide
 * attention heads, QuickGELU, OpenAI's preprocessing at the model's resolution. Known shapes are
 * named after open_clip's config (RN50, ViT-B-32, ...).
 */
public final class OpenAiArchitecture {
  private static final int HEAD_WIDTH = 64;

  private OpenAiArchitecture() {}

  public static ModelConfig infer(CheckpointListing listing, String fallbackName) {
    Map<String, long[]> shapes = listing.shapes();
    VisionConfig vision;
    if (shapes.containsKey("visual.proj")) {
      int width = (int) listing.dim("visual.conv1.weight", 0);
      int patch = (int) listing.dim("visual.conv1.weight", 3);
      int grid = (int) Math.round(Math.sqrt(listing.dim("visual.positional_embedding", 0) - 1));
      int layers = count(shapes, "visual.transformer.resblocks.", 3);
      vision =
          VisionConfig.vit(
              patch * grid,
              patch,
              width,
              layers,
              width / HEAD_WIDTH,
              width * 4,
              false,
              false,
              false);
    } else if (shapes.containsKey("visual.attnpool.positional_embedding")) {
      int[] stages = new int[4];
      for (int b = 0; b < 4; b++) {
        stages[b] = count(shapes, "visual.layer" + (b + 1) + ".", 2);
      }
      int width = (int) listing.dim("visual.layer1.0.conv1.weight", 0);
      long positions = listing.dim("visual.attnpool.positional_embedding", 0);
      int output = (int) Math.round(Math.sqrt(positions - 1));
      if ((long) output * output + 1 != positions) {
        throw new ClipException(
            ErrorCode.BAD_CHECKPOINT,
            "attention pool positions " + positions + " are not a square grid plus one");
      }
      vision = VisionConfig.resnet(output * 32, width, width * 32 / HEAD_WIDTH, stages);
    } else {
      throw new ClipException(
          ErrorCode.BAD_CHECKPOINT,
          "cannot tell the image tower of this checkpoint: it has neither visual.proj (ViT) nor"
              + " visual.attnpool (ResNet)");
    }
    int textWidth = (int) listing.dim("ln_final.weight", 0);
    TextConfig text =
        new TextConfig(
            (int) listing.dim("positional_embedding", 0),
            (int) listing.dim("token_embedding.weight", 0),
            textWidth,
            count(shapes, "transformer.resblocks.", 2),
            Math.max(1, textWidth / HEAD_WIDTH),
            textWidth * 4,
            TextConfig.TextPool.ARGMAX,
            true,
            false);
    int embedDim = (int) listing.dim("text_projection", 1);
    PreprocessConfig preprocess =
        OpenClipConfigReader.preprocess(null, vision.imageSize(), fallbackName);
    ModelConfig inferred =
        new ModelConfig(
            fallbackName,
            embedDim,
            true,
            vision,
            text,
            preprocess,
            ModelConfig.WeightsLayout.OPEN_CLIP);
    return inferred.withName(knownName(inferred, fallbackName));
  }

  /** Distinct values of the name part at {@code index} (dot-separated) under {@code prefix}. */
  private static int count(Map<String, long[]> shapes, String prefix, int index) {
    Set<String> seen = new HashSet<>();
    for (String name : shapes.keySet()) {
      if (name.startsWith(prefix)) {
        seen.add(name.substring(prefix.length()).split("\\.")[0]);
      }
    }
    if (seen.isEmpty()) {
      throw new ClipException(
          ErrorCode.BAD_CHECKPOINT, "checkpoint has no tensors under " + prefix);
    }
    return seen.size();
  }

  /** open_clip's config name with the same shapes (its -quickgelu form), else the fallback. */
  private static String knownName(ModelConfig inferred, String fallback) {
    for (String name : OpenClipConfigReader.builtInNames()) {
      if (!name.endsWith("-quickgelu")) {
        continue;
      }
      try {
        ModelConfig known =
            OpenClipConfigReader.read(name, OpenClipConfigReader.builtIn(name), null);
        if (sameShape(known, inferred)) {
          return name.substring(0, name.length() - "-quickgelu".length());
        }
      } catch (ClipException e) {
        // a config this build cannot run cannot match
      }
    }
    return fallback;
  }

  private static boolean sameShape(ModelConfig a, ModelConfig b) {
    VisionConfig v = a.vision();
    VisionConfig w = b.vision();
    return a.embedDim() == b.embedDim()
        && v.tower() == w.tower()
        && v.imageSize() == w.imageSize()
        && v.width() == w.width()
        && v.layers() == w.layers()
        && v.patchSize() == w.patchSize()
        && java.util.Arrays.equals(v.resnetLayers(), w.resnetLayers())
        && a.text().width() == b.text().width()
        && a.text().layers() == b.text().layers();
  }
}
