package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.internal.CheckpointListing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged, lying and hostile checkpoints fail with a ClipException that says what is wrong. */
@Tag("native")
class BadCheckpointTest {
  private static final String ARCH = Fixtures.path("vit-tiny/open_clip_config.json").toString();
  @TempDir Path dir;

  private ClipException loadFails(Path weights) {
    return assertThrows(
        ClipException.class,
        () -> ClipModel.load(weights, ClipOptions.builder().architecture(ARCH).build()));
  }

  private Map<String, SafetensorsWriter.Tensor> tinyTensors() throws IOException {
    return SafetensorsWriter.read(Fixtures.path("vit-tiny/open_clip_model.safetensors"));
  }

  @Test
  void missingExtraAndMisshapedTensorsAreListed() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>(tinyTensors());
    tensors.remove("visual.proj");
    tensors.put(
        "visual.surprise", new SafetensorsWriter.Tensor("F32", new long[] {1}, new byte[4]));
    SafetensorsWriter.Tensor ln = tensors.get("ln_final.weight");
    tensors.put(
        "ln_final.weight",
        new SafetensorsWriter.Tensor("F32", new long[] {ln.data().length / 8, 2}, ln.data()));
    Path file = dir.resolve("altered.safetensors");
    SafetensorsWriter.write(file, tensors);
    ClipException e = loadFails(file);
    assertEquals(ErrorCode.BAD_CHECKPOINT, e.code());
    assertTrue(e.getMessage().contains("missing 1 tensors (visual.proj [64, 32])"), e.getMessage());
    assertTrue(
        e.getMessage().contains("ln_final.weight is [16, 2], expected [32]"), e.getMessage());
    assertTrue(e.getMessage().contains("unexpected tensors (visual.surprise)"), e.getMessage());
  }

  /**
   * A Hugging Face folder whose config a transformers model could not run as clip4j would: each is
   * refused by name while the folder is read. Two image_mean values were once read as a third
   * channel's 0 and an eos_token_id other than the end of text ignored (silently other embeddings).
   */
  @Test
  void huggingFaceConfigsClip4jWouldRunDifferentlyAreRefused() throws IOException {
    assertHuggingFaceRefused(
        "preprocessor_config.json",
        "",
        "image_mean",
        "[0.5, 0.5]",
        ErrorCode.BAD_CHECKPOINT,
        "image_mean must hold 3 numbers");
    assertHuggingFaceRefused(
        "preprocessor_config.json",
        "",
        "image_std",
        "[0.0, 1.0, 1.0]",
        ErrorCode.BAD_CHECKPOINT,
        "image_std must hold 3 positive numbers");
    assertHuggingFaceRefused(
        "preprocessor_config.json",
        "",
        "rescale_factor",
        "0",
        ErrorCode.BAD_CHECKPOINT,
        "rescale_factor must be a positive number");
    assertHuggingFaceRefused(
        "config.json",
        "vision_config",
        "num_attention_heads",
        "3",
        ErrorCode.BAD_CHECKPOINT,
        "hidden_size 64 is not a multiple of num_attention_heads 3");
    assertHuggingFaceRefused(
        "config.json",
        "text_config",
        "layer_norm_eps",
        "\"1e-5\"",
        ErrorCode.BAD_CHECKPOINT,
        "layer_norm_eps must be a number");
    assertHuggingFaceRefused(
        "config.json",
        "text_config",
        "eos_token_id",
        "49406",
        ErrorCode.UNSUPPORTED,
        "text_config.eos_token_id 49406");
    // transformers' legacy configs (eos_token_id 2) pool the highest id, as clip4j does.
    Path legacy = editedHuggingFaceFolder("config.json", "text_config", "eos_token_id", "2");
    try (ClipModel model = ClipModel.load(legacy);
        ClipModel original = ClipModel.load(Fixtures.path("hf-tiny"))) {
      assertArrayEquals(original.embedText("a cat"), model.embedText("a cat"));
    }
  }

  private void assertHuggingFaceRefused(
      String file, String section, String key, String json, ErrorCode code, String fragment)
      throws IOException {
    Path folder = editedHuggingFaceFolder(file, section, key, json);
    ClipException e = assertThrows(ClipException.class, () -> ClipModel.load(folder));
    assertEquals(code, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  /** hf-tiny with {@code key} of {@code section} ("" for the top level) of {@code file} set. */
  private Path editedHuggingFaceFolder(String file, String section, String key, String json)
      throws IOException {
    Path folder = Files.createTempDirectory(dir, "hf");
    try (var files = Files.list(Fixtures.path("hf-tiny"))) {
      for (Path f : files.toList()) Files.copy(f, folder.resolve(f.getFileName()));
    }
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(folder.resolve(file).toFile());
    ObjectNode target = section.isEmpty() ? root : (ObjectNode) root.get(section);
    target.set(key, mapper.readTree(json));
    mapper.writeValue(folder.resolve(file).toFile(), root);
    return folder;
  }

  @Test
  void truncatedFilesAreRejected() throws IOException {
    byte[] whole = Files.readAllBytes(Fixtures.path("vit-tiny/open_clip_model.safetensors"));
    for (int length : new int[] {0, 5, 8, 100, whole.length / 2, whole.length - 1}) {
      Path file = dir.resolve("truncated-" + length + ".safetensors");
      Files.write(file, java.util.Arrays.copyOf(whole, length));
      ClipException e = loadFails(file);
      assertEquals(ErrorCode.BAD_CHECKPOINT, e.code(), length + " bytes: " + e.getMessage());
    }
    byte[] archive =
        Files.readAllBytes(Fixtures.path("vit-tiny-variants/open_clip_pytorch_model.bin"));
    Path truncated = dir.resolve("truncated.bin");
    Files.write(truncated, java.util.Arrays.copyOf(archive, archive.length / 2));
    assertEquals(ErrorCode.BAD_CHECKPOINT, loadFails(truncated).code());
  }

  @Test
  void lyingSafetensorsHeadersAreRejected() throws IOException {
    String[][] cases = {
      {"{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16000]}}", "outside"},
      {"{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 0]}}", "outside"},
      {
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 12]}}",
        "its shape needs"
      },
      {
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
        "overlap"
      },
      {
        "{\"a\": {\"dtype\": \"Q4\", \"shape\": [4], \"data_offsets\": [0, 16]}}",
        "unsupported dtype"
      },
      {"{\"a\": {\"dtype\": \"F32\", \"shape\": [-4], \"data_offsets\": [0, 16]}}", "non-negative"},
      {
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [9223372036854775807, 9223372036854775807], \"data_offsets\": [0, 16]}}",
        "absurd"
      },
      {"{\"a\": ", "not valid JSON"},
      {"[1, 2, 3]", "neither a safetensors file"},
      {"{\"a\": {\"dtype\": \"F32\"}}", "lacks"},
    };
    for (String[] c : cases) {
      Path file = dir.resolve("lying.safetensors");
      SafetensorsWriter.writeRaw(file, c[0], new byte[16]);
      ClipException e = loadFails(file);
      assertEquals(ErrorCode.BAD_CHECKPOINT, e.code(), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void absurdHeaderLengthIsRejected() throws IOException {
    byte[] bytes = new byte[64];
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
    bytes[8] = '{';
    Path file = dir.resolve("absurd.safetensors");
    Files.write(file, bytes);
    ClipException e = loadFails(file);
    assertEquals(ErrorCode.BAD_CHECKPOINT, e.code());
    assertTrue(e.getMessage().contains("impossible"), e.getMessage());
  }

  /** A torch.save archive whose pickle calls os.system: refused, and nothing runs. */
  @Test
  void picklesReferencingArbitraryGlobalsAreRefused() throws IOException {
    Path marker = dir.resolve("pwned");
    String command = "touch " + marker;
    ByteArrayOutputStream pickle = new ByteArrayOutputStream();
    pickle.write(new byte[] {(byte) 0x80, 0x02});
    pickle.write("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
    byte[] arg = command.getBytes(StandardCharsets.US_ASCII);
    pickle.write('X');
    pickle.write(new byte[] {(byte) arg.length, 0, 0, 0});
    pickle.write(arg);
    pickle.write(new byte[] {(byte) 0x85, 'R', '.'});
    Path file = dir.resolve("evil.bin");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry("evil/data.pkl"));
      zip.write(pickle.toByteArray());
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("evil/version"));
      zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
      zip.closeEntry();
    }
    ClipException e = loadFails(file);
    assertEquals(ErrorCode.BAD_CHECKPOINT, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("refusing Python global 'os.system'"), e.getMessage());
    assertTrue(!Files.exists(marker), "the pickle's command ran");
  }

  @Test
  void filesOfNoKnownKindAreRejected() throws IOException {
    Path file = dir.resolve("notes.bin");
    Files.writeString(file, "just some text, not a checkpoint");
    ClipException e = loadFails(file);
    assertEquals(ErrorCode.BAD_CHECKPOINT, e.code());
    assertTrue(
        e.getMessage().contains("neither a safetensors file nor a torch.save zip archive"),
        e.getMessage());
  }

  @Test
  void foldersWithoutConfigOrWeightsSayWhatTheyHold() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
    ClipException unknown = assertThrows(ClipException.class, () -> ClipModel.load(dir));
    assertEquals(ErrorCode.INVALID_ARGUMENT, unknown.code());
    assertTrue(unknown.getMessage().contains("found: config.json"), unknown.getMessage());
    assertTrue(
        unknown.getMessage().contains("Hugging Face transformers CLIP folder"),
        unknown.getMessage());

    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"clip\"}");
    ClipException hfWithoutWeights = assertThrows(ClipException.class, () -> ClipModel.load(dir));
    assertEquals(ErrorCode.BAD_CHECKPOINT, hfWithoutWeights.code());
    assertTrue(
        hfWithoutWeights.getMessage().contains("no model.safetensors"),
        hfWithoutWeights.getMessage());

    Files.delete(dir.resolve("config.json"));
    Files.copy(
        Fixtures.path("vit-tiny/open_clip_config.json"), dir.resolve("open_clip_config.json"));
    ClipException noWeights = assertThrows(ClipException.class, () -> ClipModel.load(dir));
    assertEquals(ErrorCode.BAD_CHECKPOINT, noWeights.code());
    assertTrue(noWeights.getMessage().contains("no weights"), noWeights.getMessage());
  }

  @Test
  void stateDictsOfTheWrongKindSayWhatTheyAre() {
    ClipException hf =
        assertThrows(
            ClipException.class,
            () ->
                ClipModel.load(Fixtures.path("hf-tiny/model.safetensors"), ClipOptions.defaults()));
    assertEquals(ErrorCode.INVALID_ARGUMENT, hf.code());
    assertTrue(hf.getMessage().contains("Hugging Face CLIPModel state dict"), hf.getMessage());

    ClipException noArch =
        assertThrows(
            ClipException.class,
            () -> ClipModel.load(Fixtures.path("vit-tiny-train.pt"), ClipOptions.defaults()));
    assertEquals(ErrorCode.INVALID_ARGUMENT, noArch.code());
    assertTrue(noArch.getMessage().contains("carries no architecture"), noArch.getMessage());
  }

  /**
   * Tensor names are the file's to choose: tabs and newlines in them must not break the listing the
   * architecture is read from (a name once forged a line of its own there, and a shape that was not
   * a number then threw NumberFormatException).
   */
  @Test
  void tensorNamesWithTabsAndNewlinesAreListedAsTheyAre() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    tensors.put(
        "x\ntensor\tforged\tF32\tnot-a-shape",
        new SafetensorsWriter.Tensor("F32", new long[] {1}, new byte[4]));
    tensors.put("tab\tin name", new SafetensorsWriter.Tensor("F32", new long[] {2}, new byte[8]));
    tensors.put(
        "x\nformat\ttorchscript", new SafetensorsWriter.Tensor("F32", new long[0], new byte[4]));
    Path file = dir.resolve("odd-names.safetensors");
    SafetensorsWriter.write(file, tensors);
    CheckpointListing listing = CheckpointListing.describe(file);
    assertEquals("safetensors", listing.format());
    assertEquals(
        Set.of("x\ntensor\tforged\tF32\tnot-a-shape", "tab\tin name", "x\nformat\ttorchscript"),
        listing.shapes().keySet());
    assertArrayEquals(new long[] {2}, listing.shape("tab\tin name"));
    assertEquals(ErrorCode.BAD_CHECKPOINT, loadFails(file).code());
  }

  /**
   * Inferring OpenAI's architecture from shapes of the wrong rank (no architecture named) fails
   * with a ClipException naming the tensor, not an ArrayIndexOutOfBoundsException.
   */
  @Test
  void shapesOfTheWrongRankFailCleanlyWhenTheArchitectureIsInferred() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>(tinyTensors());
    tensors.put(
        "visual.conv1.weight", new SafetensorsWriter.Tensor("F32", new long[] {2}, new byte[8]));
    Path file = dir.resolve("flat-conv.safetensors");
    SafetensorsWriter.write(file, tensors);
    ClipException e =
        assertThrows(ClipException.class, () -> ClipModel.load(file, ClipOptions.defaults()));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("carries no architecture"), e.getMessage());
  }
}
