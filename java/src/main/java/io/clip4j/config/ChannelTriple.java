package io.clip4j.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A per-channel preprocessing setting (mean, std) as open_clip and transformers configs hold it.
 */
final class ChannelTriple {
  private ChannelTriple() {}

  /**
   * One number for all three channels, or three; each finite, and positive where {@code positive}
   * (a divisor). {@code fallback} when absent; null when malformed, for the caller to name in its
   * config's terms.
   */
  static float[] read(JsonNode node, float[] fallback, boolean positive) {
    if (node == null || node.isNull()) {
      return fallback.clone();
    }
    if (!node.isNumber() && !(node.isArray() && node.size() == 3)) {
      return null;
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      JsonNode item = node.isArray() ? node.get(i) : node;
      out[i] = item.isNumber() ? (float) item.asDouble() : Float.NaN;
      if (!Float.isFinite(out[i]) || (positive && !(out[i] > 0))) {
        return null;
      }
    }
    return out;
  }
}
