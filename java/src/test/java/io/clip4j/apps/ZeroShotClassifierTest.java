package io.clip4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The zero-shot classifier equals open_clip's build_zero_shot_classifier (80 ImageNet templates)
 * and its softmax scores, within 1e-5 (expected values from models/make_fixtures.py).
 */
@Tag("native")
class ZeroShotClassifierTest {
  private static final Path FIXTURES =
      Path.of(System.getProperty("clip4j.repo", "."), "models/fixtures");
  private static ClipModel model;

  @BeforeAll
  static void load() {
    model = ClipModel.load(FIXTURES.resolve("vit-tiny"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void classEmbeddingsAndScoresEqualOpenClip() throws IOException {
    JsonNode expected =
        new ObjectMapper().readTree(FIXTURES.resolve("expected/vit-tiny-zero-shot.json").toFile());
    List<String> labels = new ArrayList<>();
    expected.get("labels").forEach(l -> labels.add(l.asText()));
    ZeroShotClassifier classifier =
        ZeroShotClassifier.build(model, labels, PromptTemplates.openAiImageNet());
    assertEquals(80, classifier.templates().size());
    for (int c = 0; c < labels.size(); c++) {
      float[] want = floats(expected.get("class_embeddings").get(c));
      float[] got = classifier.classEmbedding(c);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-5, labels.get(c) + " class embedding");
      }
    }
    expected
        .get("images")
        .fields()
        .forEachRemaining(
            e -> {
              float[] embedding = model.embedImage(FIXTURES.resolve("images").resolve(e.getKey()));
              List<ZeroShotClassifier.Prediction> predictions =
                  classifier.classify(embedding, labels.size());
              float[] softmax = floats(e.getValue().get("softmax"));
              float[] cosine = floats(e.getValue().get("cosine"));
              float previous = Float.MAX_VALUE;
              for (ZeroShotClassifier.Prediction p : predictions) {
                assertEquals(softmax[p.index()], p.score(), 1e-5, e.getKey() + " " + p.label());
                assertEquals(cosine[p.index()], p.cosine(), 1e-5, e.getKey() + " " + p.label());
                assertTrue(p.score() <= previous, "predictions are not best first");
                previous = p.score();
              }
            });
  }

  @Test
  void badLabelsAndTemplatesAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ZeroShotClassifier.build(model, List.of(), PromptTemplates.SIMPLE));
    assertThrows(
        IllegalArgumentException.class,
        () -> ZeroShotClassifier.build(model, List.of(" "), PromptTemplates.SIMPLE));
    assertThrows(
        IllegalArgumentException.class,
        () -> ZeroShotClassifier.build(model, List.of("cat"), List.of("no slot")));
    ZeroShotClassifier c =
        ZeroShotClassifier.build(model, List.of("cat", "dog"), PromptTemplates.SIMPLE);
    assertThrows(IllegalArgumentException.class, () -> c.classify(new float[32], 0));
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }
}
