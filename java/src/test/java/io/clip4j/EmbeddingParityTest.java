package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4j.config.ModelConfig;
import io.clip4j.config.VisionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Embeddings equal open_clip's (models/make_fixtures.py ran open_clip 3.3.0 on the same files) to
 * within 1e-5, for each checkpoint format (open_clip folders with safetensors or .bin, training
 * checkpoints, OpenAI TorchScript archives, Hugging Face transformers folders, where the reference
 * is CLIPModel.get_image_features / get_text_features), both image towers (ViT, ModifiedResNet) and
 * every supported architecture option, the text poolings (end-of-text, first token without the
 * causal mask, last token) among them, and odd widths (vit-tiny-odd: the CPU kernels' remainder
 * loops and masked tails).
 */
@Tag("native")
class EmbeddingParityTest {
  private static final double TOLERANCE = 1e-5;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "vit-tiny, vit-tiny,",
    "vit-tiny-variants, vit-tiny-variants,",
    "vit-tiny-odd, vit-tiny-odd,",
    "vit-tiny-text-first, vit-tiny-text-first,",
    "vit-tiny-text-last, vit-tiny-text-last,",
    "vit-tiny-train, vit-tiny-train.pt, vit-tiny-train.json",
    "rn-tiny, rn-tiny,",
    "openai-rn-tiny, openai-rn-tiny.pt,",
    "openai-vit-tiny, openai-vit-tiny.pt,",
    "hf-tiny, hf-tiny,",
  })
  void imageAndTextEmbeddingsMatchOpenClip(String name, String checkpoint, String architecture) {
    JsonNode expected = Fixtures.expected(name);
    String arch = architecture == null ? null : Fixtures.path(architecture).toString();
    for (boolean normalize : new boolean[] {true, false}) {
      ClipOptions options =
          ClipOptions.builder().normalize(normalize).architecture(arch).batchSize(3).build();
      String key = normalize ? "normalized" : "raw";
      try (ClipModel model = ClipModel.load(Fixtures.path(checkpoint), options)) {
        assertEquals(expected.get("logit_scale").asDouble(), model.info().logitScale(), 1e-5);

        Map<Path, float[]> images = Fixtures.expectedImageEmbeddings(expected, key);
        List<Path> files = new ArrayList<>(images.keySet());
        List<float[]> want = new ArrayList<>(images.values());
        List<float[]> got = model.embedImageFiles(files);
        for (int i = 0; i < files.size(); i++) {
          double diff = Fixtures.maxAbsDiff(want.get(i), got.get(i));
          assertTrue(
              diff <= TOLERANCE,
              name + " " + files.get(i).getFileName() + " " + key + ": max abs diff " + diff);
        }

        List<String> texts = new ArrayList<>();
        expected.get("texts").forEach(t -> texts.add(t.get("text").asText()));
        List<float[]> textEmbeddings = model.embedTexts(texts);
        long[][] tokens = model.tokenize(texts);
        for (int i = 0; i < texts.size(); i++) {
          JsonNode t = expected.get("texts").get(i);
          assertArrayEquals(
              Fixtures.longs(t.get("tokens")), tokens[i], "tokens of '" + texts.get(i) + "'");
          double diff = Fixtures.maxAbsDiff(Fixtures.floats(t.get(key)), textEmbeddings.get(i));
          assertTrue(
              diff <= TOLERANCE,
              name + " text '" + texts.get(i) + "' " + key + ": max abs diff " + diff);
        }
      }
    }
  }

  /**
   * Every linear layer runs where CLIP4J_CPU_GEMM says: all on the packed kernels by default (or
   * with avx2) on a CPU with AVX2 and FMA, none with libtorch. A layer that misses the kernels is
   * still correct, so the parity tests above cannot see it; this can. The counts cover at least
   * four projections per transformer block, plus the ViT patch embedding or the ResNet attention
   * pool's four.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "vit-tiny, vit-tiny,",
    "vit-tiny-variants, vit-tiny-variants,",
    "vit-tiny-odd, vit-tiny-odd,",
    "rn-tiny, rn-tiny,",
    "openai-vit-tiny, openai-vit-tiny.pt,",
    "hf-tiny, hf-tiny,",
  })
  void linearLayersRunOnTheChosenKernels(String name, String checkpoint, String architecture) {
    String choice = System.getenv().getOrDefault("CLIP4J_CPU_GEMM", "packed");
    try (ClipModel model = ClipModel.load(Fixtures.path(checkpoint), ClipOptions.defaults())) {
      ModelConfig config = model.info().config();
      long perTower =
          config.vision().tower() == VisionConfig.Tower.VISION_TRANSFORMER
              ? 4L * config.vision().layers() + 1
              : 2;
      long atLeast = perTower + 4L * config.text().layers();
      long total = model.info().linearLayers();
      long packed = model.info().packedLinearLayers();
      assertTrue(total >= atLeast, name + ": " + total + " linear layers, expected " + atLeast);
      if (choice.equals("libtorch")) {
        assertEquals(0, packed, name + " with CLIP4J_CPU_GEMM=libtorch");
      } else {
        assumeTrue(Fixtures.cpuHasAvx2AndFma(), "this CPU has no AVX2 and FMA: no packed kernels");
        assertEquals(total, packed, name + ": linear layers off the packed kernels");
      }
    }
  }

  /**
   * A batch of 16 images (800 token rows for vit-tiny, 592 for vit-tiny-variants, 1312 for
   * vit-tiny-odd) and 32 prompts in calls of 16: the CPU kernels then split the rows into chunks,
   * which batches of 3 never reach, and on 2 threads each call's prompts run as two sub-batches of
   * 8, one per thread (sub_batches.h; the 12 reference prompts cycle, so halves differ). Each
   * result still equals open_clip's.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"vit-tiny", "vit-tiny-variants", "vit-tiny-odd"})
  void largeBatchesMatchOpenClip(String name) {
    JsonNode expected = Fixtures.expected(name);
    ClipOptions options = ClipOptions.builder().batchSize(16).threads(2).build();
    try (ClipModel model = ClipModel.load(Fixtures.path(name), options)) {
      Map<Path, float[]> images = Fixtures.expectedImageEmbeddings(expected, "normalized");
      List<Path> files = new ArrayList<>();
      List<float[]> want = new ArrayList<>();
      while (files.size() < 16) {
        files.addAll(images.keySet());
        want.addAll(images.values());
      }
      List<float[]> got = model.embedImageFiles(files.subList(0, 16));
      for (int i = 0; i < 16; i++) {
        double diff = Fixtures.maxAbsDiff(want.get(i), got.get(i));
        assertTrue(diff <= TOLERANCE, name + " image " + i + ": max abs diff " + diff);
      }

      List<JsonNode> texts = new ArrayList<>();
      while (texts.size() < 32) {
        expected.get("texts").forEach(texts::add);
      }
      List<float[]> textEmbeddings =
          model.embedTexts(texts.subList(0, 32).stream().map(t -> t.get("text").asText()).toList());
      for (int i = 0; i < 32; i++) {
        double diff =
            Fixtures.maxAbsDiff(
                Fixtures.floats(texts.get(i).get("normalized")), textEmbeddings.get(i));
        assertTrue(diff <= TOLERANCE, name + " text " + i + ": max abs diff " + diff);
      }
    }
  }

  /**
   * fp16 and bf16 runs stay close to open_clip's fp32 embeddings (cosine similarity). rn-tiny in
   * bf16 runs its convolutions on oneDNN's packed bfloat16 path where the CPU has AVX512-BF16.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"vit-tiny, FP16, 0.9999", "vit-tiny, BF16, 0.999", "rn-tiny, BF16, 0.999"})
  void reducedPrecisionStaysCloseToFp32(String name, Precision precision, double minCosine) {
    JsonNode expected = Fixtures.expected(name);
    ClipOptions options = ClipOptions.builder().precision(precision).build();
    try (ClipModel model = ClipModel.load(Fixtures.path(name), options)) {
      for (String image : List.of("astronaut.jpg", "chelsea_alpha.png")) {
        float[] want = Fixtures.floats(expected.get("images").get(image).get("normalized"));
        double cosine = dot(want, model.embedImage(Fixtures.IMAGES.resolve(image)));
        assertTrue(
            cosine >= minCosine, name + " " + precision + " " + image + ": cosine " + cosine);
      }
      JsonNode text = expected.get("texts").get(0);
      double cosine =
          dot(Fixtures.floats(text.get("normalized")), model.embedText(text.get("text").asText()));
      assertTrue(cosine >= minCosine, name + " " + precision + " text: cosine " + cosine);
    }
  }

  /**
   * A bf16 batch on the CPU with at least 4 images per thread runs as one sub-batch per thread
   * (HostImageRunner), each on its own thread: every image's embedding must still land in its own
   * place, close to open_clip's fp32 one and to the same image embedded alone. vit-tiny's 16
   * reference images on 2 threads: two sub-batches of 8 (neighbouring images differ: cosine
   * 0.74-0.99 between most of them).
   */
  @Test
  void reducedPrecisionBatchSplitAcrossThreadsKeepsEveryImageInPlace() {
    JsonNode expected = Fixtures.expected("vit-tiny");
    ClipOptions options =
        ClipOptions.builder().precision(Precision.BF16).threads(2).batchSize(32).build();
    try (ClipModel model = ClipModel.load(Fixtures.path("vit-tiny"), options)) {
      Map<Path, float[]> images = Fixtures.expectedImageEmbeddings(expected, "normalized");
      List<Path> files = new ArrayList<>(images.keySet());
      List<float[]> want = new ArrayList<>(images.values());
      assertTrue(files.size() >= 2 * 4, "the fixture must fill two sub-batches");
      List<float[]> got = model.embedImageFiles(files);
      for (int i = 0; i < files.size(); i++) {
        String image = files.get(i).getFileName().toString();
        double toFp32 = dot(want.get(i), got.get(i));
        assertTrue(toFp32 >= 0.999, "bf16 batch, " + image + ": cosine to fp32 " + toFp32);
        double toAlone = dot(model.embedImage(files.get(i)), got.get(i));
        assertTrue(toAlone >= 0.9999, "bf16 batch, " + image + ": cosine to alone " + toAlone);
      }
    }
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }
}
