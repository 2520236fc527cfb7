package io.clip4j.apps;

import io.clip4j.ClipModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Zero-shot classification with a CLIP model, as open_clip's {@code build_zero_shot_classifier}
 * builds it: each label's prompts (one per template) are embedded and normalised, averaged and
 * normalised again, once, when the classifier is built. An image's scores are the softmax of
 * exp(logit_scale) x its cosine similarity to each class.
 *
 * <p>Thread-safe once built; it holds no native resources (the model stays the caller's).
 */
public final class ZeroShotClassifier {
  private final ClipModel model;
  private final List<String> labels;
  private final List<String> templates;
  private final float[][] classEmbeddings;
  private final float logitScale;

  /**
   * One label's result.
   *
   * @param label the label
   * @param index the label's position in the classifier's label list
   * @param score softmax probability over all labels
   * @param cosine cosine similarity of the image to the label's class embedding
   */
  public record Prediction(String label, int index, float score, float cosine) {}

  private ZeroShotClassifier(
      ClipModel model, List<String> labels, List<String> templates, float[][] classEmbeddings) {
    this.model = model;
    this.labels = labels;
    this.templates = templates;
    this.classEmbeddings = classEmbeddings;
    this.logitScale = model.info().logitScale();
  }

  /** Embeds every label under every template; the class embeddings are kept for all calls. */
  public static ZeroShotClassifier build(
      ClipModel model, List<String> labels, List<String> templates) {
    if (labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("no labels given");
    }
    for (String label : labels) {
      if (label == null || label.isBlank()) {
        throw new IllegalArgumentException("labels must not be blank");
      }
    }
    List<String> checked = PromptTemplates.validate(templates);
    List<String> prompts = new ArrayList<>(labels.size() * checked.size());
    for (String label : labels) {
      for (String template : checked) {
        prompts.add(PromptTemplates.fill(template, label));
      }
    }
    List<float[]> embedded = model.embedTexts(prompts);
    int dim = model.info().embeddingSize();
    float[][] classes = new float[labels.size()][];
    for (int c = 0; c < labels.size(); c++) {
      double[] mean = new double[dim];
      for (int t = 0; t < checked.size(); t++) {
        float[] e = Vectors.normalized(embedded.get(c * checked.size() + t));
        for (int i = 0; i < dim; i++) {
          mean[i] += e[i];
        }
      }
      float[] m = new float[dim];
      for (int i = 0; i < dim; i++) {
        m[i] = (float) (mean[i] / checked.size());
      }
      classes[c] = Vectors.normalized(m);
    }
    return new ZeroShotClassifier(model, List.copyOf(labels), checked, classes);
  }

  public List<String> labels() {
    return labels;
  }

  public List<String> templates() {
    return templates;
  }

  /** The normalised class embedding of label {@code index}. */
  public float[] classEmbedding(int index) {
    return classEmbeddings[index].clone();
  }

  /** The {@code topK} best labels for an image embedding, best first. */
  public List<Prediction> classify(float[] imageEmbedding, int topK) {
    if (topK <= 0) {
      throw new IllegalArgumentException("topK must be positive: " + topK);
    }
    float[] image = Vectors.normalized(imageEmbedding);
    float[] cosines = new float[labels.size()];
    float[] logits = new float[labels.size()];
    for (int c = 0; c < labels.size(); c++) {
      cosines[c] = Vectors.dot(image, classEmbeddings[c]);
      logits[c] = logitScale * cosines[c];
    }
    float[] scores = Vectors.softmax(logits);
    Integer[] order = new Integer[labels.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order, Comparator.comparingDouble((Integer i) -> -logits[i]).thenComparingInt(i -> i));
    List<Prediction> out = new ArrayList<>();
    for (int k = 0; k < Math.min(topK, order.length); k++) {
      int c = order[k];
      out.add(new Prediction(labels.get(c), c, scores[c], cosines[c]));
    }
    return out;
  }

  /** Embeds the image files (in the model's batches) and classifies each. */
  public List<List<Prediction>> classifyFiles(List<Path> files, int topK) {
    List<List<Prediction>> out = new ArrayList<>(files.size());
    for (float[] embedding : model.embedImageFiles(files)) {
      out.add(classify(embedding, topK));
    }
    return out;
  }
}
