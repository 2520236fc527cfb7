package io.clip4j.apps;

import java.util.Random;

/**
 * The probe's non-linear option: one hidden ReLU layer and a softmax output, trained with Adam on
 * mean cross-entropy plus an L2 penalty, in mini-batches of 256 with a fixed seed.
 */
final class SmallMlp implements ProbeModel {
  private static final int BATCH = 256;
  private static final double LEARNING_RATE = 1e-3;

  private final int features;
  private final int hidden;
  private final int classes;

  /** W1 (hidden x features), b1, W2 (classes x hidden), b2, in one vector. */
  private final double[] parameters;

  SmallMlp(int features, int hidden, int classes, double[] parameters) {
    this.features = features;
    this.hidden = hidden;
    this.classes = classes;
    this.parameters = parameters;
  }

  static int size(int features, int hidden, int classes) {
    return hidden * features + hidden + classes * hidden + classes;
  }

  /** He-initialised weights, zero biases. */
  static SmallMlp initial(int features, int hidden, int classes, long seed) {
    double[] p = new double[size(features, hidden, classes)];
    Random random = new Random(seed);
    for (int k = 0; k < hidden * features; k++) {
      p[k] = random.nextGaussian() * Math.sqrt(2.0 / features);
    }
    int w2 = hidden * features + hidden;
    for (int k = 0; k < classes * hidden; k++) {
      p[w2 + k] = random.nextGaussian() * Math.sqrt(1.0 / hidden);
    }
    return new SmallMlp(features, hidden, classes, p);
  }

  int hidden() {
    return hidden;
  }

  @Override
  public int features() {
    return features;
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public double[] parameters() {
    return parameters;
  }

  private double[] hiddenLayer(float[] x) {
    double[] h = new double[hidden];
    int b1 = hidden * features;
    for (int u = 0; u < hidden; u++) {
      double z = parameters[b1 + u];
      for (int j = 0; j < features; j++) {
        z += parameters[u * features + j] * x[j];
      }
      h[u] = Math.max(0, z);
    }
    return h;
  }

  private double[] output(double[] h) {
    int w2 = hidden * features + hidden;
    int b2 = w2 + classes * hidden;
    double[] z = new double[classes];
    for (int c = 0; c < classes; c++) {
      double v = parameters[b2 + c];
      for (int u = 0; u < hidden; u++) {
        v += parameters[w2 + c * hidden + u] * h[u];
      }
      z[c] = v;
    }
    return Vectors.softmaxInPlace(z);
  }

  @Override
  public double[] probabilities(float[] sample) {
    return output(hiddenLayer(sample));
  }

  /** Adam over shuffled mini-batches; the caller decides how many epochs. */
  static final class Trainer {
    private final SmallMlp model;
    private final double lambda;
    private final double[] m;
    private final double[] v;
    private final Random random;
    private int step;

    Trainer(SmallMlp model, double lambda, long seed) {
      this.model = model;
      this.lambda = lambda;
      this.m = new double[model.parameters.length];
      this.v = new double[model.parameters.length];
      this.random = new Random(seed);
    }

    void epoch(float[][] x, int[] y) {
      int n = x.length;
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int start = 0; start < n; start += BATCH) {
        int end = Math.min(n, start + BATCH);
        update(x, y, order, start, end);
      }
    }

    private void update(float[][] x, int[] y, int[] order, int start, int end) {
      SmallMlp net = model;
      double[] p = net.parameters;
      double[] g = new double[p.length];
      int d = net.features, h = net.hidden, k = net.classes;
      int b1 = h * d, w2 = b1 + h, b2 = w2 + k * h;
      int count = end - start;
      for (int s = start; s < end; s++) {
        float[] xi = x[order[s]];
        double[] hidden = net.hiddenLayer(xi);
        double[] out = net.output(hidden);
        out[y[order[s]]] -= 1;
        double[] back = new double[h];
        for (int c = 0; c < k; c++) {
          double e = out[c] / count;
          g[b2 + c] += e;
          for (int u = 0; u < h; u++) {
            g[w2 + c * h + u] += e * hidden[u];
            back[u] += e * p[w2 + c * h + u];
          }
        }
        for (int u = 0; u < h; u++) {
          if (hidden[u] <= 0) {
            continue;
          }
          g[b1 + u] += back[u];
          for (int j = 0; j < d; j++) {
            g[u * d + j] += back[u] * xi[j];
          }
        }
      }
      for (int q = 0; q < b1; q++) {
        g[q] += lambda * p[q];
      }
      for (int q = w2; q < b2; q++) {
        g[q] += lambda * p[q];
      }
      step++;
      double c1 = 1 - Math.pow(0.9, step);
      double c2 = 1 - Math.pow(0.999, step);
      for (int q = 0; q < p.length; q++) {
        m[q] = 0.9 * m[q] + 0.1 * g[q];
        v[q] = 0.999 * v[q] + 0.001 * g[q] * g[q];
        p[q] -= LEARNING_RATE * (m[q] / c1) / (Math.sqrt(v[q] / c2) + 1e-8);
      }
    }
  }
}
