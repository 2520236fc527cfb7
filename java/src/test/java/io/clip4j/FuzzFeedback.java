package io.clip4j;

import com.code_intelligence.jazzer.api.Jazzer;

/**
 * Coverage feedback from the native side, which Jazzer does not instrument: the kind of outcome
 * (which error, with names and numbers left out) becomes a state Jazzer tries to vary, so inputs
 * that reach a new native failure stay in the corpus and are mutated further.
 */
final class FuzzFeedback {
  private FuzzFeedback() {}

  /** Records the outcome {@code kind} ("ok png", an error message) under the target {@code id}. */
  static void outcome(String kind, int id) {
    String shape =
        kind.replaceAll("'[^']*'", "''") // tensor and global names
            .replaceAll("/[^ :]*", "") // paths
            .replaceAll("[0-9]+", "#");
    Jazzer.exploreState((byte) shape.hashCode(), id);
  }
}
