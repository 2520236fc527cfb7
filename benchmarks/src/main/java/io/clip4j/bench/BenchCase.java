package io.clip4j.bench;

/**
 * What one measurement runs: a tower, with or without the input pipeline in the timed region, at
 * one batch size. The names are shared with the Python peer (benchmarks/peers/openclip_peer.py).
 */
public record BenchCase(Kind kind, int batch) {

  public enum Kind {
    /** A preprocessed float tensor in, embeddings out. */
    IMAGE_MODEL("image-model", "image"),
    /** Encoded JPEG bytes in: decode, resize, crop, normalise and the image tower. */
    IMAGE_E2E("image-e2e", "image"),
    /** Token ids in, embeddings out. */
    TEXT_MODEL("text-model", "text"),
    /** Strings in: tokenizer and the text tower. */
    TEXT_E2E("text-e2e", "text");

    private final String id;
    private final String items;

    Kind(String id, String items) {
      this.id = id;
      this.items = items;
    }

    public String id() {
      return id;
    }

    /** What throughput counts: images or texts. */
    public String items() {
      return items;
    }

    public static Kind of(String id) {
      for (Kind kind : values()) {
        if (kind.id.equals(id)) return kind;
      }
      throw new IllegalArgumentException("unknown case '" + id + "'");
    }
  }

  @Override
  public String toString() {
    return kind.id + " batch " + batch;
  }
}
