package io.clip4j.apps;

import java.util.List;
import java.util.Locale;

/**
 * Accuracy, per-class precision, recall and F1, and the confusion matrix (rows: true class,
 * columns: predicted class) of a set of predictions.
 */
public record ClassificationMetrics(List<String> classes, long[][] confusion) {

  public static ClassificationMetrics of(List<String> classes, int[] truth, int[] predicted) {
    if (truth.length != predicted.length) {
      throw new IllegalArgumentException("truth and predictions differ in length");
    }
    long[][] confusion = new long[classes.size()][classes.size()];
    for (int i = 0; i < truth.length; i++) {
      confusion[truth[i]][predicted[i]]++;
    }
    return new ClassificationMetrics(List.copyOf(classes), confusion);
  }

  public long total() {
    long n = 0;
    for (long[] row : confusion) {
      for (long v : row) {
        n += v;
      }
    }
    return n;
  }

  public double accuracy() {
    long correct = 0;
    for (int c = 0; c < confusion.length; c++) {
      correct += confusion[c][c];
    }
    return correct / (double) total();
  }

  public double precision(int c) {
    long predicted = 0;
    for (long[] row : confusion) {
      predicted += row[c];
    }
    return predicted == 0 ? 0 : confusion[c][c] / (double) predicted;
  }

  public double recall(int c) {
    long actual = 0;
    for (long v : confusion[c]) {
      actual += v;
    }
    return actual == 0 ? 0 : confusion[c][c] / (double) actual;
  }

  public double f1(int c) {
    double p = precision(c);
    double r = recall(c);
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** A text report: accuracy, a per-class table, the confusion matrix. */
  public String report() {
    StringBuilder out =
        new StringBuilder(
            String.format(Locale.ROOT, "accuracy %.4f on %d images%n%n", accuracy(), total()));
    out.append(
        String.format(Locale.ROOT, "%-20s %9s %9s %9s%n", "class", "precision", "recall", "f1"));
    for (int c = 0; c < classes.size(); c++) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-20s %9.4f %9.4f %9.4f%n",
              classes.get(c),
              precision(c),
              recall(c),
              f1(c)));
    }
    out.append("\nconfusion matrix (rows: true, columns: predicted)\n");
    for (int c = 0; c < classes.size(); c++) {
      out.append(String.format(Locale.ROOT, "%-20s", classes.get(c)));
      for (long v : confusion[c]) {
        out.append(String.format(Locale.ROOT, " %6d", v));
      }
      out.append('\n');
    }
    return out.toString();
  }
}
