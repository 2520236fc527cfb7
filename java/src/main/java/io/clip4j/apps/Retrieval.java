package io.clip4j.apps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * An in-memory index of embeddings ranked by cosine similarity: images for a text, texts for an
 * image. Exact search (one dot product per entry), which suits sets up to a few hundred thousand.
 * Thread-safe once built.
 */
public final class Retrieval {
  private final List<String> ids;
  private final float[][] vectors;

  /**
   * One result.
   *
   * @param index position in the index
   * @param id the entry's id (a file name, a caption)
   * @param cosine cosine similarity to the query
   */
  public record Hit(int index, String id, float cosine) {}

  private Retrieval(List<String> ids, float[][] vectors) {
    this.ids = ids;
    this.vectors = vectors;
  }

  /** Indexes {@code embeddings} (normalised here) under {@code ids}. */
  public static Retrieval of(List<String> ids, List<float[]> embeddings) {
    if (ids.size() != embeddings.size() || ids.isEmpty()) {
      throw new IllegalArgumentException("ids and embeddings must be equally many, and not none");
    }
    float[][] vectors = new float[embeddings.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = Vectors.normalized(embeddings.get(i));
    }
    return new Retrieval(List.copyOf(ids), vectors);
  }

  public int size() {
    return vectors.length;
  }

  /** The {@code k} entries most similar to {@code query}, best first (ties by index). */
  public List<Hit> search(float[] query, int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    float[] q = Vectors.normalized(query);
    float[] scores = new float[vectors.length];
    for (int i = 0; i < vectors.length; i++) {
      scores[i] = Vectors.dot(q, vectors[i]);
    }
    Integer[] order = new Integer[vectors.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
    List<Hit> hits = new ArrayList<>();
    for (int r = 0; r < Math.min(k, order.length); r++) {
      hits.add(new Hit(order[r], ids.get(order[r]), scores[order[r]]));
    }
    return hits;
  }

  /**
   * Recall@1/5/10 of a captioned set, both ways, as CLIP papers report it.
   *
   * @param textToImage for each caption, the image it describes
   * @return {text-to-image R@1, R@5, R@10, image-to-text R@1, R@5, R@10}
   */
  public static double[] recallAtK(List<float[]> images, List<float[]> texts, int[] textToImage) {
    if (texts.size() != textToImage.length) {
      throw new IllegalArgumentException("one image index per caption is needed");
    }
    List<String> imageIds = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      imageIds.add(Integer.toString(i));
    }
    List<String> textIds = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      textIds.add(Integer.toString(i));
    }
    Retrieval imageIndex = of(imageIds, images);
    Retrieval textIndex = of(textIds, texts);
    int[] ks = {1, 5, 10};
    double[] out = new double[6];
    for (int t = 0; t < texts.size(); t++) {
      List<Hit> hits = imageIndex.search(texts.get(t), 10);
      for (int j = 0; j < 3; j++) {
        int target = textToImage[t];
        if (hits.stream().limit(ks[j]).anyMatch(h -> h.index() == target)) {
          out[j]++;
        }
      }
    }
    for (int i = 0; i < images.size(); i++) {
      List<Hit> hits = textIndex.search(images.get(i), 10);
      for (int j = 0; j < 3; j++) {
        int image = i;
        if (hits.stream().limit(ks[j]).anyMatch(h -> textToImage[h.index()] == image)) {
          out[3 + j]++;
        }
      }
    }
    for (int j = 0; j < 3; j++) {
      out[j] /= texts.size();
      out[3 + j] /= images.size();
    }
    return out;
  }
}
