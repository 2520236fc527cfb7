package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI contract: JSON lines with the API's numbers, a one-line error and exit code 1 on failure.
 */
@Tag("native")
class CliTest {
  private static final Path ROOT = Path.of(System.getProperty("clip4j.repo", "."));
  private static final String MODEL = ROOT.resolve("models/fixtures/vit-tiny").toString();
  private static final String IMAGE = ROOT.resolve("models/fixtures/images/chelsea.png").toString();
  @TempDir Path dir;

  private static CliRunner.Result run(String... args) {
    return CliRunner.run(args);
  }

  @Test
  void embedPrintsTheApisEmbeddings() throws Exception {
    CliRunner.Result r = run("embed", "--model", MODEL, "--image", IMAGE, "--batch", "2");
    assertEquals(0, r.code(), r.err());
    JsonNode line = new ObjectMapper().readTree(r.out().strip());
    assertEquals(IMAGE, line.get("input").asText());
    float[] cli = new float[line.get("embedding").size()];
    for (int i = 0; i < cli.length; i++) {
      cli[i] = (float) line.get("embedding").get(i).asDouble();
    }
    try (ClipModel model = ClipModel.load(Path.of(MODEL))) {
      assertArrayEquals(model.embedImage(Path.of(IMAGE)), cli, 0f);
    }
  }

  @Test
  void textsFileAndTokenizeAndPreprocess() throws Exception {
    Path texts = dir.resolve("texts.txt");
    Files.writeString(texts, "a cat\na dog\n");
    CliRunner.Result embed =
        run("embed", "--model", MODEL, "--texts-file", texts.toString(), "--raw");
    assertEquals(0, embed.code(), embed.err());
    assertEquals(2, embed.out().strip().split("\n").length);

    CliRunner.Result tokens = run("tokenize", "--model", MODEL, "--text", "a photo of a cat");
    assertEquals(0, tokens.code(), tokens.err());
    JsonNode ids = new ObjectMapper().readTree(tokens.out().strip()).get("ids");
    assertEquals(77, ids.size());
    assertEquals(49406, ids.get(0).asInt());
    assertEquals(320, ids.get(1).asInt());

    Path npy = dir.resolve("pixels.npy");
    CliRunner.Result pre =
        run("preprocess", "--model", MODEL, "--image", IMAGE, "--output", npy.toString());
    assertEquals(0, pre.code(), pre.err());
    byte[] bytes = Files.readAllBytes(npy);
    assertEquals(3 * 224 * 224 * 4, bytes.length - 128);
    assertTrue(
        new String(bytes, 0, 128, StandardCharsets.US_ASCII).contains("'shape': (3, 224, 224)"));
  }

  /** Every command answers --help with its usage (it once answered "Unknown option"). */
  @Test
  void everyCommandHasHelp() {
    for (String[] command :
        new String[][] {
          {"--help"},
          {"embed", "--help"},
          {"classify", "-h"},
          {"models", "--help"},
          {"probe", "--help"},
          {"probe", "train", "--help"}
        }) {
      CliRunner.Result r = run(command);
      assertEquals(0, r.code(), String.join(" ", command) + ": " + r.err());
      assertTrue(r.out().startsWith("Usage: clip4j"), r.out());
    }
  }

  @Test
  void failuresPrintOneLineAndExitNonZero() throws Exception {
    CliRunner.Result missing =
        run("embed", "--model", dir.resolve("none").toString(), "--text", "x");
    assertEquals(1, missing.code());
    assertEquals(1, missing.err().strip().split("\n").length, missing.err());
    assertTrue(
        missing.err().startsWith("clip4j: error: IO_ERROR: no such file or folder"), missing.err());

    CliRunner.Result badImage =
        run("embed", "--model", MODEL, "--image", ROOT.resolve("pom.xml").toString());
    assertEquals(1, badImage.code());
    assertTrue(badImage.err().contains("BAD_IMAGE: " + ROOT.resolve("pom.xml")), badImage.err());

    CliRunner.Result usage = run("embed", "--model", MODEL);
    assertEquals(2, usage.code());

    // A texts file that is not UTF-8: Java's decoder said only "Input length = 1".
    Path latin1 = dir.resolve("texts.txt");
    Files.write(latin1, new byte[] {'a', ' ', 'c', 'a', 't', '\n', 'c', 'a', 'f', (byte) 0xE9});
    CliRunner.Result notUtf8 = run("tokenize", "--texts-file", latin1.toString());
    assertEquals(1, notUtf8.code(), notUtf8.err());
    assertTrue(
        notUtf8.err().contains("texts.txt is not UTF-8 text: line 2 holds the invalid byte 0xE9"),
        notUtf8.err());

    // 16,384 threads used to reach OpenMP, whose start of that team overflowed the calling
    // thread's stack: the JVM died with SIGSEGV and no message.
    CliRunner.Result threads = run("embed", "--model", MODEL, "--text", "x", "--threads", "16384");
    assertEquals(1, threads.code(), threads.err());
    assertTrue(
        threads.err().startsWith("clip4j: error: threads must be 0 (libtorch's setting) to 1024"),
        threads.err());
  }
}
