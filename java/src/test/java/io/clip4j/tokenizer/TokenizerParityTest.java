package io.clip4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Token ids equal open_clip's default tokenizer on 2,000+ strings (prompts, many scripts, emoji,
 * HTML entities, whitespace and control characters, normalisation, very long and random text), made
 * by models/make_tokenizer_corpus.py. Strings whose tokens depend on ftfy's mojibake repair, which
 * is not ported, are counted and reported, not compared.
 */
class TokenizerParityTest {
  private static final Path CORPUS =
      Path.of(
          System.getProperty("clip4j.repo", "."),
          "models/fixtures/expected/tokenizer_corpus.jsonl.gz");

  /** How a corpus compared: counts and the first mismatches, readable. */
  private record Comparison(int compared, int skipped, List<String> mismatches) {}

  /** Tokenizes every corpus string; entries flagged mojibake_repair are skipped if asked. */
  private static Comparison compare(Path corpus, ClipTokenizer tokenizer, boolean skipMojibake)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    int compared = 0;
    int skipped = 0;
    List<String> mismatches = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(corpus)), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        JsonNode entry = json.readTree(line);
        if (skipMojibake && entry.path("mojibake_repair").asBoolean()) {
          skipped++;
          continue;
        }
        long[] expected = new long[77];
        for (int i = 0; i < entry.get("ids").size(); i++) {
          expected[i] = entry.get("ids").get(i).asLong();
        }
        String text = entry.get("text").asText();
        long[] actual = tokenizer.tokenize(text, 77);
        compared++;
        if (!Arrays.equals(expected, actual)) {
          mismatches.add(
              abbreviate(text)
                  + "\n  expected "
                  + Arrays.toString(expected)
                  + "\n  actual   "
                  + Arrays.toString(actual));
        }
      }
    }
    return new Comparison(compared, skipped, mismatches);
  }

  private static void assertNoMismatches(Comparison c) {
    assertTrue(c.compared() >= 2000, "corpus too small: " + c.compared());
    assertEquals(
        List.of(),
        c.mismatches().subList(0, Math.min(10, c.mismatches().size())),
        c.mismatches().size() + " mismatches");
  }

  @Test
  void idsEqualOpenClipOnTheCorpus() throws IOException {
    Comparison c = compare(CORPUS, ClipTokenizer.clipVocabulary(), true);
    System.out.printf(
        "tokenizer corpus: %d compared, %d mismatches, %d skipped (mojibake repair)%n",
        c.compared(), c.mismatches().size(), c.skipped());
    assertTrue(
        c.skipped() <= 5, "more strings than expected depend on mojibake repair: " + c.skipped());
    assertNoMismatches(c);
  }

  /**
   * A Hugging Face folder's tokenizer (read from its tokenizer.json) gives transformers' ids
   * (CLIPTokenizer, tokenizers backend) on the same corpus: its own cleaning, no ftfy.
   */
  @Test
  void huggingFaceFolderTokenizerEqualsTransformers() throws IOException {
    Path folder = Path.of(System.getProperty("clip4j.repo", "."), "models/fixtures/hf-tiny");
    ClipTokenizer tokenizer =
        io.clip4j.config.CheckpointResolver.resolve(folder, null).tokenizerOrDefault();
    Comparison c = compare(CORPUS.resolveSibling("tokenizer_corpus_hf.jsonl.gz"), tokenizer, false);
    System.out.printf(
        "Hugging Face tokenizer corpus: %d compared, %d mismatches%n",
        c.compared(), c.mismatches().size());
    assertNoMismatches(c);
  }

  @Test
  void truncationKeepsTheEndToken() {
    ClipTokenizer tokenizer = ClipTokenizer.clipVocabulary();
    long[] row = tokenizer.tokenize("word ".repeat(200), 77);
    assertEquals(tokenizer.startId(), row[0]);
    assertEquals(tokenizer.endId(), row[76]);
    long[] empty = tokenizer.tokenize("", 77);
    assertEquals(tokenizer.startId(), empty[0]);
    assertEquals(tokenizer.endId(), empty[1]);
    assertEquals(0, empty[2]);
  }

  private static String abbreviate(String s) {
    String escaped =
        s.codePoints()
            .limit(80)
            .mapToObj(
                cp ->
                    cp < 0x20 || (cp >= 0x7f && cp < 0xa0)
                        ? String.format("\\x%02x", cp)
                        : new String(Character.toChars(cp)))
            .reduce("", String::concat);
    return "'" + escaped + (s.length() > 80 ? "...'" : "'");
  }
}
