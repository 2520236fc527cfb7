package io.clip4j.apps;

import io.clip4j.ClipModel;
import java.util.List;

/** A labelled image set to evaluate on: a folder of class subfolders, or Fashion-MNIST's files. */
public interface LabeledImages {
  /** The class names, in label order. */
  List<String> classes();

  int size();

  /** The label (index into {@link #classes()}) of image {@code i}. */
  int label(int i);

  /** A name for image {@code i} (a file path, or the set's name and index). */
  String name(int i);

  /** Embeds images [from, to) with {@code model}, in one or more native calls. */
  List<float[]> embed(ClipModel model, int from, int to);
}
