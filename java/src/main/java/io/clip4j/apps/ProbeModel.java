package io.clip4j.apps;

/** What a probe's classifier must do: class probabilities of one embedding, and its parameters. */
interface ProbeModel {
  int features();

  int classes();

  double[] probabilities(float[] sample);

  /** All parameters in one vector, the saved form. */
  double[] parameters();

  default int predict(float[] sample) {
    double[] p = probabilities(sample);
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }
}
