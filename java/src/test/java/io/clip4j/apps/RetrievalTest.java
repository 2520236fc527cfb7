package io.clip4j.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ranking by cosine similarity and recall@K, on vectors whose answers are known by construction.
 */
class RetrievalTest {
  @Test
  void searchRanksByCosineBestFirst() {
    Retrieval index =
        Retrieval.of(
            List.of("east", "north", "north-east"),
            List.of(new float[] {1, 0}, new float[] {0, 2}, new float[] {3, 3}));
    List<Retrieval.Hit> hits = index.search(new float[] {0.1f, 1}, 3);
    assertEquals(
        List.of("north", "north-east", "east"), hits.stream().map(Retrieval.Hit::id).toList());
    assertEquals(1 / Math.sqrt(1.01), hits.get(0).cosine(), 1e-6);
  }

  @Test
  void recallCountsTheMatchingImageAmongTheTopK() {
    // Image i is the unit vector e_i; caption 0 points at image 0, caption 1 halfway between
    // images 1 and 2 but belongs to image 2 (ties go to the lower index, so text R@1 misses it).
    // Image 1 has no caption, so image-to-text recall can reach 2 of 3 at most.
    List<float[]> images =
        List.of(new float[] {1, 0, 0}, new float[] {0, 1, 0}, new float[] {0, 0, 1});
    List<float[]> texts = List.of(new float[] {1, 0, 0}, new float[] {0, 1, 1});
    double[] r = Retrieval.recallAtK(images, texts, new int[] {0, 2});
    assertArrayEquals(new double[] {0.5, 1, 1, 2 / 3.0, 2 / 3.0, 2 / 3.0}, r, 1e-9);
  }
}
