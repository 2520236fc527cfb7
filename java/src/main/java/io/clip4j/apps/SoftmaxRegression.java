package io.clip4j.apps;

/**
 * Multinomial logistic regression with an L2 penalty on the weights (not the bias), fitted by
 * L-BFGS as scikit-learn's LogisticRegression(multi_class="multinomial", solver="lbfgs") fits it:
 * minimise mean cross-entropy + lambda / 2 * ||W||^2. Deterministic; not thread-safe while fitting.
 */
final class SoftmaxRegression implements ProbeModel {
  private static final int HISTORY = 10;

  final int features;
  final int classes;

  /** classes x features weights, then classes biases, in one vector. */
  final double[] parameters;

  SoftmaxRegression(int features, int classes, double[] parameters) {
    this.features = features;
    this.classes = classes;
    this.parameters = parameters;
  }

  static SoftmaxRegression fit(
      float[][] x, int[] y, int classes, double lambda, int maxIterations) {
    int d = x[0].length;
    SoftmaxRegression model = new SoftmaxRegression(d, classes, new double[classes * d + classes]);
    model.minimise(x, y, lambda, maxIterations);
    return model;
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

  /** Class probabilities of one sample. */
  @Override
  public double[] probabilities(float[] sample) {
    double[] logits = new double[classes];
    for (int c = 0; c < classes; c++) {
      double z = parameters[classes * features + c];
      for (int j = 0; j < features; j++) {
        z += parameters[c * features + j] * sample[j];
      }
      logits[c] = z;
    }
    return Vectors.softmaxInPlace(logits);
  }

  /** Objective value; writes its gradient into {@code gradient}. */
  private double objective(float[][] x, int[] y, double lambda, double[] gradient) {
    java.util.Arrays.fill(gradient, 0);
    double loss = 0;
    int n = x.length;
    for (int i = 0; i < n; i++) {
      double[] p = probabilities(x[i]);
      loss -= Math.log(Math.max(p[y[i]], 1e-300));
      p[y[i]] -= 1;
      for (int c = 0; c < classes; c++) {
        double g = p[c] / n;
        for (int j = 0; j < features; j++) {
          gradient[c * features + j] += g * x[i][j];
        }
        gradient[classes * features + c] += g;
      }
    }
    loss /= n;
    for (int k = 0; k < classes * features; k++) {
      loss += 0.5 * lambda * parameters[k] * parameters[k];
      gradient[k] += lambda * parameters[k];
    }
    return loss;
  }

  /** L-BFGS with a backtracking (Armijo) line search. */
  private void minimise(float[][] x, int[] y, double lambda, int maxIterations) {
    int size = parameters.length;
    double[] gradient = new double[size];
    double value = objective(x, y, lambda, gradient);
    double[][] s = new double[HISTORY][];
    double[][] t = new double[HISTORY][];
    double[] rho = new double[HISTORY];
    int stored = 0;
    for (int iteration = 0; iteration < maxIterations; iteration++) {
      if (norm(gradient) < 1e-8) {
        break;
      }
      // Two-loop recursion: direction = -H * gradient.
      double[] q = gradient.clone();
      double[] alpha = new double[stored];
      for (int k = stored - 1; k >= 0; k--) {
        alpha[k] = rho[k] * dot(s[k], q);
        axpy(-alpha[k], t[k], q);
      }
      if (stored > 0) {
        double gamma = dot(s[stored - 1], t[stored - 1]) / dot(t[stored - 1], t[stored - 1]);
        scale(q, gamma);
      }
      for (int k = 0; k < stored; k++) {
        double beta = rho[k] * dot(t[k], q);
        axpy(alpha[k] - beta, s[k], q);
      }
      scale(q, -1);
      double slope = dot(gradient, q);
      if (slope >= 0) { // not a descent direction: restart from steepest descent
        q = gradient.clone();
        scale(q, -1);
        slope = dot(gradient, q);
        stored = 0;
      }
      double[] start = parameters.clone();
      double[] newGradient = new double[size];
      double step = 1;
      double newValue;
      while (true) {
        for (int k = 0; k < size; k++) {
          parameters[k] = start[k] + step * q[k];
        }
        newValue = objective(x, y, lambda, newGradient);
        if (newValue <= value + 1e-4 * step * slope || step < 1e-10) {
          break;
        }
        step *= 0.5;
      }
      double[] sk = new double[size];
      double[] tk = new double[size];
      for (int k = 0; k < size; k++) {
        sk[k] = parameters[k] - start[k];
        tk[k] = newGradient[k] - gradient[k];
      }
      double curvature = dot(sk, tk);
      if (curvature > 1e-12) {
        if (stored == HISTORY) {
          System.arraycopy(s, 1, s, 0, HISTORY - 1);
          System.arraycopy(t, 1, t, 0, HISTORY - 1);
          System.arraycopy(rho, 1, rho, 0, HISTORY - 1);
          stored--;
        }
        s[stored] = sk;
        t[stored] = tk;
        rho[stored] = 1 / curvature;
        stored++;
      }
      boolean converged = Math.abs(value - newValue) <= 1e-15 * Math.max(1, Math.abs(value));
      value = newValue;
      gradient = newGradient;
      if (converged) {
        break;
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < y.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static void scale(double[] a, double factor) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= factor;
    }
  }
}
