package io.clip4j.apps;

import io.clip4j.ClipModel;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Zero-shot accuracy of a model on a labelled image set: top-1 and top-5 accuracy, the mean cosine
 * similarity of each image to its correct class, and the time per image (embedding and
 * classification, model loading and text embedding excluded).
 */
public final class ZeroShotEvaluation {
  private ZeroShotEvaluation() {}

  /**
   * One model's result.
   *
   * @param model the model's name
   * @param images how many images were classified
   * @param top1 fraction whose best label is correct
   * @param top5 fraction with the correct label among the best five
   * @param meanCorrectCosine mean cosine similarity to the correct class
   * @param millisPerImage wall time per image
   * @param predicted the best label of each image
   */
  public record Result(
      String model,
      int images,
      double top1,
      double top5,
      double meanCorrectCosine,
      double millisPerImage,
      int[] predicted) {}

  /**
   * Classifies the first {@code limit} images of {@code data} (all if limit <= 0) in batches of the
   * model's batch size; {@code progress} hears how many images each batch finished.
   */
  public static Result run(
      String name,
      ClipModel model,
      LabeledImages data,
      List<String> templates,
      int limit,
      IntConsumer progress) {
    ZeroShotClassifier classifier = ZeroShotClassifier.build(model, data.classes(), templates);
    int n = limit > 0 ? Math.min(limit, data.size()) : data.size();
    int batch = model.options().batchSize();
    int[] predicted = new int[n];
    int top1 = 0;
    int top5 = 0;
    double correctCosine = 0;
    long started = System.nanoTime();
    for (int from = 0; from < n; from += batch) {
      int to = Math.min(n, from + batch);
      List<float[]> embeddings = data.embed(model, from, to);
      for (int i = from; i < to; i++) {
        List<ZeroShotClassifier.Prediction> best = classifier.classify(embeddings.get(i - from), 5);
        int truth = data.label(i);
        predicted[i] = best.get(0).index();
        top1 += predicted[i] == truth ? 1 : 0;
        top5 += best.stream().anyMatch(p -> p.index() == truth) ? 1 : 0;
        correctCosine +=
            Vectors.dot(
                Vectors.normalized(embeddings.get(i - from)), classifier.classEmbedding(truth));
      }
      progress.accept(to - from);
    }
    double millis = (System.nanoTime() - started) / 1e6 / n;
    return new Result(
        name, n, top1 / (double) n, top5 / (double) n, correctCosine / n, millis, predicted);
  }
}
