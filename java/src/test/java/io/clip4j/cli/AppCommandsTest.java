package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** classify, retrieve, eval and probe: their output contract and their errors on bad input. */
@Tag("native")
class AppCommandsTest {
  private static final Path ROOT = Path.of(System.getProperty("clip4j.repo", "."));
  private static final String MODEL = ROOT.resolve("models/fixtures/vit-tiny").toString();
  private static final Path IMAGES = ROOT.resolve("models/fixtures/images");
  @TempDir Path dir;

  private static CliRunner.Result run(String... args) {
    return CliRunner.run(args);
  }

  @Test
  void classifyPrintsPredictionsBestFirstAndDrawsCharts() throws Exception {
    CliRunner.Result r =
        run(
            "classify",
            "--model",
            MODEL,
            "--image",
            IMAGES.resolve("rocket.jpg").toString(),
            "--labels",
            "cat,rocket,dog",
            "--top-k",
            "2",
            "--chart-dir",
            dir.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode line = new ObjectMapper().readTree(r.out().strip());
    assertEquals(2, line.get("predictions").size());
    assertTrue(
        line.get("predictions").get(0).get("score").asDouble()
            >= line.get("predictions").get(1).get("score").asDouble());
    assertTrue(Files.size(dir.resolve("rocket.jpg.labels.png")) > 1000);
  }

  @Test
  void badInputGetsOneLineErrors() throws Exception {
    CliRunner.Result noSlot =
        run(
            "classify",
            "--model",
            MODEL,
            "--image",
            IMAGES.resolve("rocket.jpg").toString(),
            "--labels",
            "a,b",
            "--templates",
            "no slot here");
    assertEquals(1, noSlot.code());
    assertTrue(noSlot.err().contains("has no {} for the label"), noSlot.err());

    CliRunner.Result missingData =
        run("eval", "--model", MODEL, "--data", dir.resolve("nowhere").toString());
    assertEquals(1, missingData.code());
    assertTrue(missingData.err().contains("no such folder"), missingData.err());

    Files.createDirectories(dir.resolve("only-one-class/cat"));
    Files.copy(IMAGES.resolve("chelsea.png"), dir.resolve("only-one-class/cat/1.png"));
    CliRunner.Result oneClass =
        run("eval", "--model", MODEL, "--data", dir.resolve("only-one-class").toString());
    assertEquals(1, oneClass.code());
    assertTrue(oneClass.err().contains("at least two class subfolders"), oneClass.err());

    Path captions = dir.resolve("captions.tsv");
    Files.writeString(captions, "no tab on this line\n");
    CliRunner.Result badCaptions =
        run("retrieve", "--model", MODEL, "--captions", captions.toString());
    assertEquals(1, badCaptions.code());
    assertTrue(badCaptions.err().contains("image<TAB>caption"), badCaptions.err());

    Path probe = dir.resolve("probe.json");
    Files.writeString(probe, "[]");
    CliRunner.Result badProbe =
        run(
            "probe",
            "apply",
            "--model",
            MODEL,
            "--probe",
            probe.toString(),
            "--image",
            IMAGES.resolve("rocket.jpg").toString());
    assertEquals(1, badProbe.code());
    assertTrue(badProbe.err().contains("not a clip4j linear probe"), badProbe.err());
  }

  @Test
  void evalAndProbeOnAFolderWriteTheirReports() throws Exception {
    Path data = dir.resolve("data");
    for (String[] c :
        new String[][] {
          {"cat", "chelsea.png"},
          {"cat", "chelsea_small.bmp"},
          {"rocket", "rocket.jpg"},
          {"rocket", "rocket_tall.png"}
        }) {
      Files.createDirectories(data.resolve(c[0]));
      Files.copy(IMAGES.resolve(c[1]), data.resolve(c[0]).resolve(c[1]));
    }
    CliRunner.Result eval =
        run(
            "eval",
            "--model",
            MODEL,
            "--data",
            data.toString(),
            "--output-dir",
            dir.resolve("eval").toString());
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("vit-tiny"), eval.out());
    for (String f : new String[] {"results.csv", "results.md", "results.png", "predictions.csv"}) {
      assertTrue(Files.size(dir.resolve("eval").resolve(f)) > 0, f);
    }
    Path probe = dir.resolve("probe.json");
    CliRunner.Result train =
        run(
            "probe",
            "train",
            "--model",
            MODEL,
            "--data",
            data.toString(),
            "--output",
            probe.toString(),
            "--validation",
            "0.5");
    assertEquals(0, train.code(), train.err());
    CliRunner.Result evaluate =
        run(
            "probe",
            "evaluate",
            "--model",
            MODEL,
            "--probe",
            probe.toString(),
            "--data",
            data.toString(),
            "--output-dir",
            dir.resolve("probe").toString());
    assertEquals(0, evaluate.code(), evaluate.err());
    assertTrue(evaluate.out().contains("confusion matrix"), evaluate.out());
    assertTrue(Files.size(dir.resolve("probe/confusion.png")) > 1000);
  }
}
