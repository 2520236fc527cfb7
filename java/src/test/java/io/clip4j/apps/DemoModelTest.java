package io.clip4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipModel;
import io.clip4j.ClipOptions;
import io.clip4j.DemoModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bundled demo model classifies Fashion-MNIST's 10,000 test images as open_clip does on the
 * same weights (models/demo_reference.py wrote open_clip's predictions). Needs Debian's
 * dataset-fashion-mnist (CI installs it); skipped without it.
 */
@Tag("native")
class DemoModelTest {
  private static final Path REFERENCE =
      Path.of(
          System.getProperty("clip4j.repo", "."), "models/demo/openclip_zero_shot_predictions.txt");

  @Test
  void templatesAreTheOnesTheModelWasTrainedWith() throws IOException {
    JsonNode config =
        new ObjectMapper().readTree(DemoModel.path().resolve("open_clip_config.json").toFile());
    List<String> trained = new ArrayList<>();
    config.path("clip4j_demo").path("templates").forEach(t -> trained.add(t.asText()));
    assertEquals(trained, DemoModel.TEMPLATES);
    List<String> classes = new ArrayList<>();
    config.path("clip4j_demo").path("classes").forEach(c -> classes.add(c.asText()));
    assertEquals(classes, DemoModel.LABELS);
    assertEquals(classes, FashionMnist.CLASSES);
  }

  @Test
  void zeroShotPredictionsEqualOpenClipOnAllTestImages() throws IOException {
    assumeTrue(
        FashionMnist.isIn(FashionMnist.DEBIAN_LOCATION, "t10k"),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    List<String> lines = Files.readAllLines(REFERENCE);
    FashionMnist test = new FashionMnist(FashionMnist.DEBIAN_LOCATION, "t10k");
    try (ClipModel model = DemoModel.load(ClipOptions.builder().batchSize(500).build())) {
      ZeroShotEvaluation.Result result =
          ZeroShotEvaluation.run("demo", model, test, DemoModel.TEMPLATES, 0, done -> {});
      assertEquals(10_000, result.images());
      int differing = 0;
      int openClipCorrect = 0;
      for (int i = 0; i < lines.size(); i++) {
        int expected = Integer.parseInt(lines.get(i).strip());
        differing += expected == result.predicted()[i] ? 0 : 1;
        openClipCorrect += expected == test.label(i) ? 1 : 0;
      }
      System.out.printf(
          "demo model on Fashion-MNIST test: clip4j top-1 %.4f, open_clip top-1 %.4f, %d of 10000 predictions differ%n",
          result.top1(), openClipCorrect / 10_000.0, differing);
      // Embeddings agree to ~1e-7; only an image within that of a tie between two classes may flip.
      assertTrue(differing <= 2, differing + " predictions differ from open_clip's");
    }
  }
}
