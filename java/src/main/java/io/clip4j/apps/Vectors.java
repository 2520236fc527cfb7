package io.clip4j.apps;

/** The little vector arithmetic the apps share. */
final class Vectors {
  private Vectors() {}

  static float dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return (float) sum;
  }

  /** {@code v / max(||v||, 1e-12)}, as torch.nn.functional.normalize. */
  static float[] normalized(float[] v) {
    double norm = Math.sqrt(dot(v, v));
    double scale = 1.0 / Math.max(norm, 1e-12);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * scale);
    }
    return out;
  }

  /** Turns {@code logits} into probabilities in place (max-shifted for stability). */
  static double[] softmaxInPlace(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double z : logits) {
      max = Math.max(max, z);
    }
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      logits[i] = Math.exp(logits[i] - max);
      sum += logits[i];
    }
    for (int i = 0; i < logits.length; i++) {
      logits[i] /= sum;
    }
    return logits;
  }

  static float[] softmax(float[] logits) {
    double[] p = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = logits[i];
    }
    softmaxInPlace(p);
    float[] out = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = (float) p[i];
    }
    return out;
  }
}
