package io.clip4j.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The inputs every runtime gets, so that all of them do the same work: one photo as JPEG bytes, the
 * same photo preprocessed (clip4j's pixels equal open_clip's), and prompts of everyday length.
 *
 * @param jpeg the encoded photo
 * @param pixels the photo preprocessed for the model: 3 x size x size floats, CHW
 * @param imageSize the model's input side
 * @param prompt a format string with one {@code %d}, so prompts in a batch differ
 * @param tokenizer turns prompts into rows of token ids (the model's context length each)
 */
public record Workload(
    byte[] jpeg,
    float[] pixels,
    int imageSize,
    String prompt,
    Function<List<String>, long[][]> tokenizer) {

  /** {@code batch} copies of the photo. */
  public List<byte[]> images(int batch) {
    return Collections.nCopies(batch, jpeg);
  }

  /** {@code batch} prompts that differ, so no runtime can reuse a previous tokenisation. */
  public List<String> prompts(int batch) {
    List<String> prompts = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) prompts.add(String.format(prompt, i));
    return prompts;
  }

  public long[][] tokens(int batch) {
    return tokenizer.apply(prompts(batch));
  }
}
