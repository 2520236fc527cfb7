package io.clip4j.apps;

import io.clip4j.internal.Utf8Text;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Prompt templates for zero-shot classification: text with {@code {}} where the label goes. The 80
 * ImageNet templates of the CLIP paper ship as open_clip ships them (OPENAI_IMAGENET_TEMPLATES).
 */
public final class PromptTemplates {
  /** open_clip's single default: {@code a photo of a {}.} */
  public static final List<String> SIMPLE = List.of("a photo of a {}.");

  private PromptTemplates() {}

  /** The 80 ImageNet templates of the CLIP paper, in open_clip's order. */
  public static List<String> openAiImageNet() {
    try (InputStream in =
        PromptTemplates.class.getResourceAsStream("openai_imagenet_templates.txt")) {
      return lines(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Templates from a UTF-8 file, one a line; blank lines are skipped. */
  public static List<String> fromFile(Path file) throws IOException {
    return lines(Utf8Text.read(file));
  }

  /**
   * {@code template} with its {@code {}} replaced by {@code label}, as Python's str.format does.
   */
  public static String fill(String template, String label) {
    return template.replace("{}", label);
  }

  /** Checks that each template has a place for the label. */
  public static List<String> validate(List<String> templates) {
    if (templates == null || templates.isEmpty()) {
      throw new IllegalArgumentException("no prompt templates given");
    }
    for (String t : templates) {
      if (t == null || !t.contains("{}")) {
        throw new IllegalArgumentException("prompt template has no {} for the label: '" + t + "'");
      }
    }
    return List.copyOf(templates);
  }

  private static List<String> lines(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
