package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.config.CheckpointResolver;
import io.clip4j.config.CheckpointResolver.ResolvedCheckpoint;
import io.clip4j.internal.ClipFacade;
import io.clip4j.internal.NativeModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * NaN and infinity in weights, pixels or results end in a ClipException or an
 * IllegalArgumentException that names them, never in an embedding. Inside a forward pass NaN does
 * not always survive: oneDNN's fused ReLU in a ResNet's 3x3 convolutions turns it into 0, so a NaN
 * weight of rn-tiny's layer4.0.conv2 gave a finite embedding where open_clip's is NaN.
 */
@Tag("native")
class NonFiniteValuesTest {
  @TempDir Path dir;

  private static Map<String, SafetensorsWriter.Tensor> tensors(String checkpoint)
      throws IOException {
    return new LinkedHashMap<>(
        SafetensorsWriter.read(Fixtures.path(checkpoint + "/open_clip_model.safetensors")));
  }

  /** The float32 tensor {@code name} with every value set to {@code value}. */
  private static void fill(
      Map<String, SafetensorsWriter.Tensor> tensors, String name, float value) {
    SafetensorsWriter.Tensor t = tensors.get(name);
    assertEquals("F32", t.dtype(), name);
    ByteBuffer data = ByteBuffer.allocate(t.data().length).order(ByteOrder.LITTLE_ENDIAN);
    while (data.hasRemaining()) {
      data.putFloat(value);
    }
    tensors.put(name, new SafetensorsWriter.Tensor("F32", t.shape(), data.array()));
  }

  /** The float32 tensor {@code name} with value {@code index} set to {@code value}. */
  private static void set(
      Map<String, SafetensorsWriter.Tensor> tensors, String name, int index, float value) {
    SafetensorsWriter.Tensor t = tensors.get(name);
    byte[] data = t.data().clone();
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * index, value);
    tensors.put(name, new SafetensorsWriter.Tensor("F32", t.shape(), data));
  }

  private Path write(Map<String, SafetensorsWriter.Tensor> tensors) throws IOException {
    Path file = dir.resolve("altered.safetensors");
    SafetensorsWriter.write(file, tensors);
    return file;
  }

  /** Loading `file` (as `checkpoint`'s architecture) fails with BAD_CHECKPOINT. */
  private static ClipException refusedAtLoad(Path file, String checkpoint, Precision precision) {
    ClipException e =
        assertThrows(
            ClipException.class, () -> ClipModel.load(file, options(checkpoint, precision)));
    assertEquals(ErrorCode.BAD_CHECKPOINT, e.code(), e.getMessage());
    return e;
  }

  private static ClipOptions options(String checkpoint, Precision precision) {
    return ClipOptions.builder()
        .architecture(Fixtures.path(checkpoint + "/open_clip_config.json").toString())
        .precision(precision)
        .build();
  }

  @ParameterizedTest(name = "{0} {1} = {3}")
  @CsvSource({
    "rn-tiny, visual.layer4.0.conv2.weight, 17, NaN",
    "rn-tiny, visual.attnpool.k_proj.weight, 0, Infinity",
    "vit-tiny, visual.transformer.resblocks.1.mlp.c_fc.weight, 5, -Infinity",
    "vit-tiny, ln_final.bias, 3, NaN",
  })
  void nonFiniteWeightsAreRefusedAtLoadNamingTheTensor(
      String checkpoint, String name, int index, float value) throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = tensors(checkpoint);
    set(tensors, name, index, value);
    long count = tensors.get(name).data().length / 4;
    Path file = write(tensors);
    ClipException e = refusedAtLoad(file, checkpoint, Precision.FP32);
    assertTrue(
        e.getMessage().contains("not finite")
            && e.getMessage().contains(name + " (1 of " + count + " values)"),
        e.getMessage());
  }

  /**
   * Every tensor finite, but folding a batch norm into its convolution is not: a negative
   * running_var (open_clip's output is then NaN), or a scale that overflows float16.
   */
  @Test
  void batchNormsThatFoldToNonFiniteWeightsAreRefusedAtLoad() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = tensors("rn-tiny");
    set(tensors, "visual.layer1.0.bn2.running_var", 3, -1f);
    Path negative = write(tensors);
    ClipException e = refusedAtLoad(negative, "rn-tiny", Precision.FP32);
    assertTrue(
        e.getMessage()
            .contains(
                "visual.layer1.0.conv2.weight with visual.layer1.0.bn2 folded in is not finite: the"
                    + " batch norm's running_var + 1e-5 is not positive"),
        e.getMessage());

    tensors = tensors("rn-tiny");
    fill(tensors, "visual.layer2.0.bn1.weight", 1e7f);
    Path large = write(tensors);
    try (ClipModel fp32 = ClipModel.load(large, options("rn-tiny", Precision.FP32))) {
      assertEquals(32, fp32.embedImage(Fixtures.IMAGES.resolve("rocket.jpg")).length);
    }
    e = refusedAtLoad(large, "rn-tiny", Precision.FP16);
    assertTrue(
        e.getMessage().contains("visual.layer2.0.conv1.weight with visual.layer2.0.bn1 folded in")
            && e.getMessage().contains("overflow the model's precision"),
        e.getMessage());
  }

  /** exp(100) is past float32's range: every zero-shot score would be NaN. */
  @Test
  void aLogitScaleWhoseExpIsInfiniteIsRefused() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = tensors("vit-tiny");
    fill(tensors, "logit_scale", 100f);
    Path file = write(tensors);
    ClipException e = refusedAtLoad(file, "vit-tiny", Precision.FP32);
    assertTrue(e.getMessage().contains("logit_scale 100.000000 is too large"), e.getMessage());
  }

  @Test
  void weightsBeyondFloat16AreRefusedWhenLoadedInFp16() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = tensors("vit-tiny");
    set(tensors, "visual.proj", 0, 1e5f); // float16 stops at 65504
    Path file = write(tensors);
    try (ClipModel fp32 = ClipModel.load(file, options("vit-tiny", Precision.FP32))) {
      assertEquals(32, fp32.embedText("a photo").length);
    }
    ClipException e = refusedAtLoad(file, "vit-tiny", Precision.FP16);
    assertTrue(
        e.getMessage().contains("visual.proj (finite as stored, beyond float16's range"),
        e.getMessage());
  }

  /** vit-tiny with ln_final's weight 1 and bias 10, and every text projection weight `value`. */
  private Path textProjectionOf(float value) throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = tensors("vit-tiny");
    fill(tensors, "ln_final.weight", 1f);
    fill(tensors, "ln_final.bias", 10f);
    fill(tensors, "text_projection", value);
    return write(tensors);
  }

  /**
   * With ln_final's weight 1 and bias 10, the final token's normalised features are 10 + z with z
   * summing to 0, so every raw text embedding value is 10 * width * 60000 = 1.9e7: finite in fp32,
   * where the L2-normalised embedding is 1 / sqrt(32) everywhere, and past float16's 65504.
   */
  @Test
  void fp16OverflowIsReportedNotReturned() throws IOException {
    Path file = textProjectionOf(60000f);
    try (ClipModel fp32 = ClipModel.load(file, options("vit-tiny", Precision.FP32))) {
      for (float v : fp32.embedText("a photo of a cat")) {
        assertEquals(1 / Math.sqrt(32), v, 1e-5);
      }
    }
    try (ClipModel fp16 = ClipModel.load(file, options("vit-tiny", Precision.FP16))) {
      ClipException e =
          assertThrows(ClipException.class, () -> fp16.embedTexts(List.of("a", "a photo")));
      assertEquals(ErrorCode.NUMERIC_OVERFLOW, e.code(), e.getMessage());
      assertTrue(
          e.getMessage().contains("the embedding of input 0 came out")
              && e.getMessage().contains("overflowed in fp16"),
          e.getMessage());
      // The image tower is untouched and still answers.
      assertEquals(32, fp16.embedImage(Fixtures.IMAGES.resolve("rocket.jpg")).length);
    }
  }

  /**
   * The same checkpoint with a projection of 1e37: finite, but 320 * 1e37 overflows float32 (the L2
   * normalisation then makes it NaN).
   */
  @Test
  void fp32OverflowIsReportedNotReturned() throws IOException {
    Path file = textProjectionOf(1e37f);
    try (ClipModel fp32 = ClipModel.load(file, options("vit-tiny", Precision.FP32))) {
      ClipException e = assertThrows(ClipException.class, () -> fp32.embedText("a photo"));
      assertEquals(ErrorCode.NUMERIC_OVERFLOW, e.code(), e.getMessage());
      assertTrue(
          e.getMessage().contains("the activations overflowed in fp32")
              && e.getMessage().contains("weights are too large"),
          e.getMessage());
    }
  }

  /**
   * Finite weights whose attention scores overflow: with ln_1's weight 1 and bias 10 every query
   * and key value of the first vision block is 10 * 64 * 1e19, and their products pass float32's
   * range. The CPU attention kernel's softmax must carry that into NaN weights (x86's max alone
   * could drop it) so the results check reports it instead of returning an embedding.
   */
  @Test
  void attentionScoresThatOverflowAreReportedNotReturned() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = tensors("vit-tiny");
    fill(tensors, "visual.transformer.resblocks.0.ln_1.weight", 1f);
    fill(tensors, "visual.transformer.resblocks.0.ln_1.bias", 10f);
    fill(tensors, "visual.transformer.resblocks.0.attn.in_proj_weight", 1e19f);
    Path file = write(tensors);
    try (ClipModel fp32 = ClipModel.load(file, options("vit-tiny", Precision.FP32))) {
      ClipException e =
          assertThrows(
              ClipException.class, () -> fp32.embedImage(Fixtures.IMAGES.resolve("rocket.jpg")));
      assertEquals(ErrorCode.NUMERIC_OVERFLOW, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("overflowed in fp32"), e.getMessage());
      // The text tower does not share those weights and still answers.
      assertEquals(32, fp32.embedText("a photo").length);
    }
  }

  @Test
  void nonFinitePixelsAreRefusedByTheJavaApi() {
    try (ClipModel model = ClipModel.load(Fixtures.path("rn-tiny"))) {
      float[] good = model.preprocess(bytes("rocket.jpg"));
      float[] bad = good.clone();
      bad[1234] = Float.NaN;
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> model.embedPixels(List.of(good, bad)));
      assertTrue(e.getMessage().contains("pixel tensor 1 holds NaN at index 1234"), e.getMessage());
    }
  }

  /**
   * The C facade checks too: its callers (and the CUDA runner's staging copy) skip Java's check.
   */
  @Test
  void nonFinitePixelsAreRefusedByTheNativeFacade() throws IOException {
    withNativeModel(
        "rn-tiny",
        (model, perImage, embedDim) -> {
          float[] pixels = new float[2 * perImage];
          pixels[perImage + 77] = Float.NEGATIVE_INFINITY;
          assertNamed(
              model,
              pixels,
              2,
              new float[2 * embedDim],
              "image 1: its pixels hold -infinity at value 77");
        });
  }

  /**
   * Batches over 1 MB of pixels are scanned on several threads (the CUDA runner's copy into pinned
   * memory too): the error must still name the first bad value of the batch, wherever the threads'
   * ranges split it. vit-tiny's 224 x 224 images: 8 are 1.2 M values, four and a half ranges.
   */
  @Test
  void theFirstNonFinitePixelOfALargeBatchIsNamed() throws IOException {
    withNativeModel(
        "vit-tiny",
        (model, perImage, embedDim) -> {
          int batch = 8;
          float[] pixels = new float[batch * perImage];
          float[] out = new float[batch * embedDim];
          pixels[6 * perImage + 9] = Float.POSITIVE_INFINITY;
          assertNamed(model, pixels, batch, out, "image 6: its pixels hold +infinity at value 9");
          pixels[3 * perImage + 5] = Float.NaN;
          assertNamed(model, pixels, batch, out, "image 3: its pixels hold NaN at value 5");
          pixels[perImage - 1] = Float.NEGATIVE_INFINITY;
          assertNamed(
              model,
              pixels,
              batch,
              out,
              "image 0: its pixels hold -infinity at value " + (perImage - 1));
        });
  }

  private interface NativeModelCheck {
    void run(NativeModel model, int valuesPerImage, int embedDim);
  }

  /** Loads a fixture through the C facade alone, skipping the Java API's own pixel check. */
  private static void withNativeModel(String fixture, NativeModelCheck check) throws IOException {
    ResolvedCheckpoint checkpoint = CheckpointResolver.resolve(Fixtures.path(fixture), null);
    try (NativeModel model =
        NativeModel.load(checkpoint.weights(), checkpoint.config(), ClipOptions.defaults())) {
      int size = checkpoint.config().preprocess().size();
      check.run(model, 3 * size * size, checkpoint.config().embedDim());
    }
  }

  private static void assertNamed(
      NativeModel model, float[] pixels, int batch, float[] out, String expected) {
    ClipException e =
        assertThrows(
            ClipException.class,
            () ->
                model.call(
                    (h, error, capacity) ->
                        ClipFacade.clip4j_encode_pixels(
                            h, pixels, batch, 1, out, error, capacity)));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static byte[] bytes(String image) {
    try {
      return java.nio.file.Files.readAllBytes(Fixtures.IMAGES.resolve(image));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
