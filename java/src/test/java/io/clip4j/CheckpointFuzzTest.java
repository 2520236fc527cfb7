package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzing the checkpoint readers: any bytes written as a safetensors file or a torch zip archive
 * and given to {@link ClipModel#load} either load (and the model embeds a text) or throw {@link
 * ClipException} saying the checkpoint is bad, the arguments do not fit it, or it is unsupported.
 * Any other exception, an internal error, or a crash of the JVM is a finding.
 *
 * <p>Each input is loaded with an architecture named (the tensors are checked against it) and
 * without (the architecture is inferred from a TorchScript archive, or the error names it).
 */
@Tag("native")
class CheckpointFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ARCH = Fixtures.path("vit-tiny/open_clip_config.json").toString();
  // NUMERIC_OVERFLOW: finite but huge weights (a float64 1e300 fits no float32; 1e30 does, and
  // overflows the activations) give an embedding that is not finite, which is refused.
  private static final Set<ErrorCode> CLEAN_FAILURES =
      Set.of(
          ErrorCode.BAD_CHECKPOINT,
          ErrorCode.INVALID_ARGUMENT,
          ErrorCode.UNSUPPORTED,
          ErrorCode.NUMERIC_OVERFLOW);
  private static final String[] DTYPES = {
    "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "Q4", ""
  };
  private static final String[] RENAMES = {
    "module.%s",
    "vision_model.%s",
    "%s.extra",
    "%s\n",
    "%s\ttensor",
    "",
    "__metadata__",
    "visual.proj"
  };

  private static Path dir;
  private static Safetensors safetensors;
  private static List<TorchArchive> torchArchives;

  /** The fixture's safetensors file taken apart: its header as JSON and its data bytes. */
  private record Safetensors(ObjectNode header, byte[] data) {}

  /**
   * A fixture torch archive: its records by name, which one is the pickle, its file suffix and the
   * architecture it loads with (null: a TorchScript archive, inferred).
   */
  private record TorchArchive(
      Map<String, byte[]> records, String pickle, String suffix, String architecture) {}

  @BeforeAll
  static void setUp() throws IOException {
    // Written once per input: a memory-backed folder where there is one.
    Path shm = Path.of("/dev/shm");
    dir =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "clip4j-fuzz")
            : Files.createTempDirectory("clip4j-fuzz");
    byte[] file = Files.readAllBytes(Fixtures.path("vit-tiny/open_clip_model.safetensors"));
    int headerLength = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    safetensors =
        new Safetensors(
            (ObjectNode) JSON.readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8)),
            Arrays.copyOfRange(file, 8 + headerLength, file.length));
    torchArchives =
        List.of(
            torchArchive(
                "vit-tiny-variants/open_clip_pytorch_model.bin",
                ".bin",
                Fixtures.path("vit-tiny-variants/open_clip_config.json").toString()),
            torchArchive(
                "vit-tiny-train.pt", ".pt", Fixtures.path("vit-tiny-train.json").toString()),
            torchArchive("openai-vit-tiny.pt", ".pt", null),
            torchArchive("openai-rn-tiny.pt", ".pt", null));
  }

  @AfterAll
  static void cleanUp() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Raw bytes as a .safetensors file; seeds: small safetensors files of several dtypes. */
  @FuzzTest(maxDuration = "30s")
  void safetensorsBytes(byte[] bytes) {
    Path file = write(bytes, "input.safetensors");
    loadsOrFailsCleanly(file, ARCH, 0x5afe);
    loadsOrFailsCleanly(file, null, 0x5afe);
  }

  /**
   * Raw bytes as a .pt file; seeds: small torch.save archives (a state dict, views of one storage,
   * a training checkpoint) and a TorchScript archive.
   */
  @FuzzTest(maxDuration = "30s")
  void torchArchiveBytes(byte[] bytes) {
    Path file = write(bytes, "input.pt");
    loadsOrFailsCleanly(file, ARCH, 0x70c4);
    loadsOrFailsCleanly(file, null, 0x70c4);
  }

  /**
   * The vit-tiny fixture's safetensors file with up to four header edits (dtype, shape, offsets,
   * names, wrong JSON types, metadata, overlapping copies), then maybe byte damage to the whole
   * file (length prefix, JSON text, truncation).
   */
  @FuzzTest(maxDuration = "30s")
  void editedSafetensors(FuzzedDataProvider data) {
    ObjectNode header = safetensors.header().deepCopy();
    List<String> names = new ArrayList<>();
    header.fieldNames().forEachRemaining(names::add);
    int edits = data.consumeInt(1, 4);
    for (int i = 0; i < edits; i++) {
      editEntry(header, data.pickValue(names), data);
    }
    byte[] headerBytes;
    try {
      headerBytes = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
    out.writeBytes(headerBytes);
    out.writeBytes(safetensors.data());
    byte[] file = out.toByteArray();
    if (data.consumeBoolean()) {
      file = FuzzEdits.edit(file, data, 3, 8 + headerBytes.length);
    }
    loadsOrFailsCleanly(
        write(file, "edited.safetensors"), data.consumeBoolean() ? ARCH : null, 0xed5a);
  }

  /**
   * A fixture torch archive (a state dict .bin in fp16, a training checkpoint, OpenAI-style
   * TorchScript archives of a ViT and a ResNet) with up to four edits: pickle opcodes edited at
   * their boundaries or as bytes, records truncated or removed; then maybe byte damage to the zip
   * container.
   */
  @FuzzTest(maxDuration = "30s")
  void editedTorchArchives(FuzzedDataProvider data) {
    TorchArchive archive = data.pickValue(torchArchives);
    Map<String, byte[]> records = new LinkedHashMap<>(archive.records());
    List<String> names = new ArrayList<>(records.keySet());
    int edits = data.consumeInt(1, 4);
    for (int i = 0; i < edits; i++) {
      byte[] pickle = records.get(archive.pickle());
      String name = data.pickValue(names);
      switch (data.consumeInt(0, 4)) {
        case 0, 1 -> {
          if (pickle != null) {
            records.put(archive.pickle(), PickleEdits.edit(pickle, data));
          }
        }
        case 2 -> {
          if (pickle != null) {
            records.put(archive.pickle(), FuzzEdits.edit(pickle, data, 2, pickle.length));
          }
        }
        case 3 -> {
          byte[] record = records.get(name);
          if (record != null) {
            records.put(name, Arrays.copyOf(record, data.consumeInt(0, record.length)));
          }
        }
        default -> records.remove(name);
      }
    }
    byte[] zip = zip(records);
    if (data.consumeInt(0, 3) == 0) {
      zip = FuzzEdits.edit(zip, data, 2, zip.length);
    }
    String architecture = data.consumeBoolean() ? archive.architecture() : null;
    loadsOrFailsCleanly(write(zip, "edited" + archive.suffix()), architecture, 0xed70);
  }

  private static void editEntry(ObjectNode header, String name, FuzzedDataProvider data) {
    if (!(header.get(name) instanceof ObjectNode entry)) {
      return; // renamed or removed by an earlier edit, or __metadata__
    }
    switch (data.consumeInt(0, 7)) {
      case 0 -> entry.put("dtype", data.pickValue(DTYPES));
      case 1 -> {
        if (!(entry.get("shape") instanceof ArrayNode shape)) {
          return; // given another type by an earlier edit
        }
        int choice = data.consumeInt(0, 2);
        if (choice == 0 && !shape.isEmpty()) {
          shape.set(
              data.consumeInt(0, shape.size() - 1),
              JsonNodeFactory.instance.numberNode(FuzzEdits.number(data)));
        } else if (choice == 1 || shape.isEmpty()) {
          shape.add(FuzzEdits.number(data));
        } else {
          shape.remove(shape.size() - 1);
        }
      }
      case 2 -> {
        if (!(entry.get("data_offsets") instanceof ArrayNode offsets) || offsets.size() != 2) {
          return;
        }
        int which = data.consumeInt(0, 1);
        long value =
            data.consumeBoolean()
                ? FuzzEdits.number(data)
                : offsets.get(which).asLong() + data.consumeInt(-8, 8);
        offsets.set(which, JsonNodeFactory.instance.numberNode(value));
      }
      case 3 -> {
        header.remove(name);
        String renamed =
            data.consumeBoolean()
                ? String.format(data.pickValue(RENAMES), name)
                : data.consumeString(24);
        header.set(renamed, entry);
      }
      case 4 -> header.remove(name);
      case 5 ->
          entry.set(
              data.pickValue(new String[] {"dtype", "shape", "data_offsets"}), oddValue(data));
      case 6 -> header.set("__metadata__", oddValue(data));
      default -> header.set(name + ".copy", entry.deepCopy()); // the same bytes twice: overlap
    }
  }

  /** A JSON value of a type a safetensors field does not have. */
  private static JsonNode oddValue(FuzzedDataProvider data) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (data.consumeInt(0, 5)) {
      case 0 -> f.textNode(data.consumeString(16));
      case 1 -> f.nullNode();
      case 2 -> f.objectNode().put("format", "pt");
      case 3 -> f.numberNode(data.consumeRegularDouble());
      case 4 -> f.arrayNode().add("0").add(1.5);
      default -> f.booleanNode(true);
    };
  }

  /**
   * Loads {@code file} (with {@code architecture} when not null): it must load and embed, or fail
   * with a ClipException of a clean kind. The outcome is fed back to the fuzzer under {@code id}.
   */
  private static void loadsOrFailsCleanly(Path file, String architecture, int id) {
    ClipOptions options =
        architecture == null
            ? ClipOptions.defaults()
            : ClipOptions.builder().architecture(architecture).build();
    try (ClipModel model = ClipModel.load(file, options)) {
      FuzzFeedback.outcome("loaded", id);
      model.embedText("a photo of a cat");
    } catch (ClipException e) {
      FuzzFeedback.outcome(e.code() + " " + e.getMessage(), id);
      assertTrue(CLEAN_FAILURES.contains(e.code()), e.code() + ": " + e.getMessage());
    }
  }

  private static TorchArchive torchArchive(String fixture, String suffix, String architecture)
      throws IOException {
    Map<String, byte[]> records = new LinkedHashMap<>();
    String pickle = null;
    try (ZipFile zip = new ZipFile(Fixtures.path(fixture).toFile())) {
      for (ZipEntry entry : zip.stream().toList()) {
        records.put(entry.getName(), zip.getInputStream(entry).readAllBytes());
        if (entry.getName().endsWith("/data.pkl")) {
          pickle = entry.getName();
        }
      }
    }
    return new TorchArchive(records, pickle, suffix, architecture);
  }

  /** The records as an uncompressed zip, as torch.save writes them. */
  private static byte[] zip(Map<String, byte[]> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> record : records.entrySet()) {
        ZipEntry entry = new ZipEntry(record.getKey());
        CRC32 crc = new CRC32();
        crc.update(record.getValue());
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(record.getValue().length);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(record.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static Path write(byte[] bytes, String name) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
