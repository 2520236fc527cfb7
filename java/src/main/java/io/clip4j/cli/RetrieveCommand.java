package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.apps.Retrieval;
import io.clip4j.internal.Utf8Text;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clip4j retrieve}: rank images for texts, texts for images, or recall@K of captions. */
@Command(
    name = "retrieve",
    description =
        "Rank --images for each --text, or --texts for each --query-image, one JSON line a query;"
            + " with --captions FILE (image<TAB>caption lines), print recall@1/5/10 both ways.")
final class RetrieveCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  static final class Mode {
    @ArgGroup(exclusive = false)
    TextToImage textToImage;

    @ArgGroup(exclusive = false)
    ImageToText imageToText;

    @Option(
        names = "--captions",
        paramLabel = "FILE",
        description = "image<TAB>caption per line; paths relative to the file.")
    Path captions;
  }

  static final class TextToImage {
    @Option(names = "--images", required = true, arity = "1..*", paramLabel = "FILE")
    List<Path> images;

    @Option(names = "--text", required = true, arity = "1..*", paramLabel = "QUERY")
    List<String> queries;
  }

  static final class ImageToText {
    @Option(names = "--texts", required = true, arity = "1..*", paramLabel = "TEXT")
    List<String> texts;

    @Option(names = "--query-image", required = true, arity = "1..*", paramLabel = "FILE")
    List<Path> queries;
  }

  @Option(names = "--top-k", defaultValue = "5", paramLabel = "K")
  int topK;

  @Override
  public Integer call() throws Exception {
    try (ClipModel model = modelOptions.load(true);
        JsonLines out = new JsonLines(null)) {
      if (mode.captions != null) {
        recall(model);
      } else if (mode.textToImage != null) {
        List<Path> images = mode.textToImage.images;
        Retrieval index =
            Retrieval.of(
                images.stream().map(Path::toString).toList(),
                ImageErrors.naming(images, () -> model.embedImageFiles(images)));
        List<float[]> queries = model.embedTexts(mode.textToImage.queries);
        for (int q = 0; q < queries.size(); q++) {
          out.write(
              line("text", mode.textToImage.queries.get(q), index.search(queries.get(q), topK)));
        }
      } else {
        Retrieval index =
            Retrieval.of(mode.imageToText.texts, model.embedTexts(mode.imageToText.texts));
        List<Path> images = mode.imageToText.queries;
        List<float[]> queries = ImageErrors.naming(images, () -> model.embedImageFiles(images));
        for (int q = 0; q < queries.size(); q++) {
          out.write(line("image", images.get(q).toString(), index.search(queries.get(q), topK)));
        }
      }
    }
    return 0;
  }

  private void recall(ClipModel model) throws java.io.IOException {
    List<Path> images = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    List<Integer> owner = new ArrayList<>();
    Map<Path, Integer> seen = new LinkedHashMap<>();
    Path base = mode.captions.toAbsolutePath().getParent();
    for (String line : Utf8Text.lines(mode.captions)) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.split("\t", 2);
      if (parts.length != 2) {
        throw new IllegalArgumentException("caption lines are image<TAB>caption: '" + line + "'");
      }
      Path image = base.resolve(parts[0]);
      Integer index = seen.get(image);
      if (index == null) {
        index = images.size();
        seen.put(image, index);
        images.add(image);
      }
      captions.add(parts[1]);
      owner.add(index);
    }
    double[] r =
        Retrieval.recallAtK(
            ImageErrors.naming(images, () -> model.embedImageFiles(images)),
            model.embedTexts(captions),
            owner.stream().mapToInt(Integer::intValue).toArray());
    System.out.printf(
        Locale.ROOT,
        "%d images, %d captions%ntext->image  R@1 %.4f  R@5 %.4f  R@10 %.4f%nimage->text  R@1 %.4f  R@5 %.4f  R@10 %.4f%n",
        images.size(),
        captions.size(),
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5]);
  }

  private static Map<String, Object> line(String kind, String query, List<Retrieval.Hit> hits) {
    List<Map<String, Object>> results = new ArrayList<>();
    for (Retrieval.Hit h : hits) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("id", h.id());
      entry.put("cosine", h.cosine());
      results.add(entry);
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put(kind, query);
    line.put("results", results);
    return line;
  }
}
