package io.clip4j.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer, as open_clip's default {@code SimpleTokenizer} (clean='lower'):
 * text cleaning, its split pattern, byte-to-unicode mapping, BPE merges, start and end tokens,
 * padding with zeros and truncation that keeps the end token. Thread-safe.
 */
public final class ClipTokenizer {
  public static final int DEFAULT_CONTEXT_LENGTH = 77;

  private static final String VOCAB_RESOURCE = "/io/clip4j/tokenizer/bpe_simple_vocab_16e6.txt.gz";
  private static final String START = "<start_of_text>";
  private static final String END = "<end_of_text>";

  /** Only the first 49152 - 256 - 2 merges of the file are CLIP's. */
  private static final int MERGES = 49152 - 256 - 2;

  /** Caps the per-word cache so a service fed endless new words does not grow without bound. */
  private static final int CACHE_LIMIT = 200_000;

  /** open_clip's split pattern after its special tokens. */
  private static final String WORD_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

  private static volatile ClipTokenizer defaultVocabulary;

  private final String[] byteEncoder = new String[256];
  private final Map<String, Integer> encoder;
  private final Map<String, Integer> mergeRanks = new HashMap<>();
  private final Map<String, String> cache = new ConcurrentHashMap<>();
  private final String startToken;
  private final String endToken;
  private final int startId;
  private final int endId;
  private final Pattern words;
  private final TextCleaner.Style cleaning;

  private ClipTokenizer(
      Map<String, Integer> vocabulary,
      List<String[]> merges,
      String startToken,
      String endToken,
      TextCleaner.Style cleaning) {
    int[] bytes = bytesToUnicode();
    for (int b = 0; b < 256; b++) {
      byteEncoder[b] = new String(Character.toChars(bytes[b]));
    }
    this.encoder = vocabulary;
    for (int i = 0; i < merges.size(); i++) {
      mergeRanks.put(merges.get(i)[0] + " " + merges.get(i)[1], i);
    }
    this.startToken = startToken;
    this.endToken = endToken;
    this.cleaning = cleaning;
    Integer start = vocabulary.get(startToken);
    Integer end = vocabulary.get(endToken);
    if (start == null || end == null) {
      throw new IllegalArgumentException(
          "the vocabulary lacks the start or end token (" + startToken + ", " + endToken + ")");
    }
    this.startId = start;
    this.endId = end;
    this.words =
        Pattern.compile(
            Pattern.quote(startToken) + "|" + Pattern.quote(endToken) + "|" + WORD_PATTERN,
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  }

  /** open_clip's vocabulary order: byte symbols, byte symbols with </w>, merges, specials. */
  private static Map<String, Integer> openClipVocabulary(List<String[]> merges) {
    int[] bytes = bytesToUnicode();
    List<String> vocab = new ArrayList<>();
    int[] order = bytesToUnicodeOrder();
    for (int b : order) {
      vocab.add(new String(Character.toChars(bytes[b])));
    }
    for (int b : order) {
      vocab.add(new String(Character.toChars(bytes[b])) + "</w>");
    }
    for (String[] m : merges) {
      vocab.add(m[0] + m[1]);
    }
    vocab.add(START);
    vocab.add(END);
    Map<String, Integer> encoder = new HashMap<>();
    for (int i = 0; i < vocab.size(); i++) {
      encoder.put(vocab.get(i), i);
    }
    return encoder;
  }

  /**
   * A tokenizer with a vocabulary of its own, as a Hugging Face folder ships it (vocab.json and
   * merges.txt or tokenizer.json), with transformers' cleaning.
   */
  public static ClipTokenizer fromVocabulary(
      Map<String, Integer> vocabulary,
      List<String[]> merges,
      String startToken,
      String endToken,
      TextCleaner.Style cleaning) {
    return new ClipTokenizer(
        Map.copyOf(vocabulary), List.copyOf(merges), startToken, endToken, cleaning);
  }

  /** The tokenizer with CLIP's vocabulary (shipped in the jar), loaded once. */
  public static ClipTokenizer clipVocabulary() {
    ClipTokenizer t = defaultVocabulary;
    if (t == null) {
      synchronized (ClipTokenizer.class) {
        t = defaultVocabulary;
        if (t == null) {
          try (InputStream in = ClipTokenizer.class.getResourceAsStream(VOCAB_RESOURCE)) {
            if (in == null) {
              throw new IllegalStateException("missing resource " + VOCAB_RESOURCE);
            }
            t = fromMergesFile(new GZIPInputStream(in));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + VOCAB_RESOURCE, e);
          }
          defaultVocabulary = t;
        }
      }
    }
    return t;
  }

  /** A tokenizer from a CLIP merges file (the uncompressed text of bpe_simple_vocab_16e6.txt). */
  public static ClipTokenizer fromMergesFile(InputStream merges) throws IOException {
    List<String[]> list = new ArrayList<>(MERGES);
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(merges, StandardCharsets.UTF_8))) {
      reader.readLine(); // a version header
      String line;
      while (list.size() < MERGES && (line = reader.readLine()) != null) {
        String[] parts = line.split(" ");
        if (parts.length != 2) {
          throw new IOException("malformed merge line " + (list.size() + 2) + ": '" + line + "'");
        }
        list.add(parts);
      }
    }
    return new ClipTokenizer(
        openClipVocabulary(list), list, START, END, TextCleaner.Style.OPEN_CLIP);
  }

  public int startId() {
    return startId;
  }

  public int endId() {
    return endId;
  }

  public int vocabularySize() {
    return encoder.size();
  }

  /** The BPE ids of {@code text} after cleaning, without start and end tokens. */
  public int[] encode(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text is null");
    }
    String cleaned = TextCleaner.clean(text, cleaning);
    List<Integer> ids = new ArrayList<>();
    Matcher m = words.matcher(cleaned);
    while (m.find()) {
      String word = m.group();
      StringBuilder symbols = new StringBuilder();
      for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
        symbols.append(byteEncoder[b & 0xff]);
      }
      for (String piece : bpe(symbols.toString()).split(" ")) {
        Integer id = encoder.get(piece);
        if (id == null) {
          throw new IllegalStateException("BPE produced a symbol outside the vocabulary: " + piece);
        }
        ids.add(id);
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * One row as open_clip's tokenizer returns it: start token, ids, end token, zero padding to
   * {@code contextLength}; longer texts are cut and end with the end token.
   */
  public long[] tokenize(String text, int contextLength) {
    if (contextLength < 2) {
      throw new IllegalArgumentException("context length must be at least 2: " + contextLength);
    }
    int[] ids = encode(text);
    long[] row = new long[contextLength];
    row[0] = startId;
    int n = Math.min(ids.length, contextLength - 2);
    for (int i = 0; i < n; i++) {
      row[i + 1] = ids[i];
    }
    if (ids.length + 2 > contextLength) {
      row[contextLength - 1] = endId;
    } else {
      row[n + 1] = endId;
    }
    return row;
  }

  /** Rows for several texts, concatenated: texts.size() x contextLength ids. */
  public long[] tokenizeAll(List<String> texts, int contextLength) {
    long[] out = new long[texts.size() * contextLength];
    for (int i = 0; i < texts.size(); i++) {
      System.arraycopy(
          tokenize(texts.get(i), contextLength), 0, out, i * contextLength, contextLength);
    }
    return out;
  }

  private String bpe(String token) {
    if (token.equals(startToken) || token.equals(endToken)) {
      return token;
    }
    String cached = cache.get(token);
    if (cached != null) {
      return cached;
    }
    List<String> word = new ArrayList<>();
    token.codePoints().forEach(cp -> word.add(new String(Character.toChars(cp))));
    word.set(word.size() - 1, word.get(word.size() - 1) + "</w>");
    if (word.size() == 1) {
      return remember(token, word.get(0));
    }
    while (word.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      String bestFirst = null;
      String bestSecond = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        Integer rank = mergeRanks.get(word.get(i) + " " + word.get(i + 1));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
          bestFirst = word.get(i);
          bestSecond = word.get(i + 1);
        }
      }
      if (bestFirst == null) {
        break;
      }
      // Merge every occurrence of the best pair, left to right, as open_clip does.
      List<String> merged = new ArrayList<>(word.size());
      for (int i = 0; i < word.size(); ) {
        if (i + 1 < word.size()
            && word.get(i).equals(bestFirst)
            && word.get(i + 1).equals(bestSecond)) {
          merged.add(bestFirst + bestSecond);
          i += 2;
        } else {
          merged.add(word.get(i));
          i += 1;
        }
      }
      word.clear();
      word.addAll(merged);
    }
    return remember(token, String.join(" ", word));
  }

  private String remember(String token, String pieces) {
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(token, pieces);
    return pieces;
  }

  /** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to 256 + n. */
  private static int[] bytesToUnicode() {
    int[] map = new int[256];
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable =
          (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      map[b] = printable ? b : 256 + extra++;
    }
    return map;
  }

  /** The byte order of bytes_to_unicode's dict: printable bytes first, then the others. */
  private static int[] bytesToUnicodeOrder() {
    int[] order = new int[256];
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
        order[n++] = b;
      }
    }
    for (int b = 0; b < 256; b++) {
      if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))) {
        order[n++] = b;
      }
    }
    return Arrays.copyOf(order, n);
  }
}
