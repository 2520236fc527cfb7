package io.clip4j.tokenizer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * open_clip's default text cleaning ({@code _clean_lower}): {@code ftfy.fix_text}, {@code
 * html.unescape} twice, strip, whitespace collapsing and lower-casing, ported step by step.
 *
 * <p>One part of ftfy is not ported: {@code fix_encoding}, its repair of mojibake (text decoded in
 * the wrong encoding, such as "Ã©" for "é"). Text ftfy judges to be mojibake can tokenize
 * differently; all other text cleans to the same string. Thread-safe and stateless.
 */
public final class TextCleaner {
  private static final TextTables TABLES = TextTables.INSTANCE;

  /** ftfy splits text into segments of at most this many code points (besides line breaks). */
  private static final int MAX_SEGMENT = 1_000_000;

  private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
  private static final Pattern HTML_CHARREF =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
  private static final Pattern ANSI_ESCAPE = Pattern.compile("\033\\[((?:\\d|;)*)([a-zA-Z])");
  private static final Pattern SINGLE_QUOTE = Pattern.compile("[\u02bc\u2018-\u201b]");
  private static final Pattern DOUBLE_QUOTE = Pattern.compile("[\u201c-\u201f]");
  private static final Pattern C1_CONTROL = Pattern.compile("[\u0080-\u009f]");

  private TextCleaner() {}

  /** Whose cleaning a tokenizer applies before splitting words. */
  public enum Style {
    /** open_clip's _clean_lower: ftfy, html.unescape twice, whitespace collapsed, str.lower(). */
    OPEN_CLIP,
    /**
     * transformers' CLIPTokenizerFast normalizer: NFC, runs of whitespace to one space,
     * per-character lower-casing (no final-sigma rule). No ftfy, no HTML unescaping.
     */
    HUGGING_FACE
  }

  private static final Pattern UNICODE_WHITESPACE =
      Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  /** The text {@code style}'s tokenizer splits into words. */
  public static String clean(String text, Style style) {
    return style == Style.OPEN_CLIP ? clean(text) : cleanHuggingFace(text);
  }

  /** transformers' CLIPTokenizerFast normalizer (see {@link Style#HUGGING_FACE}). */
  static String cleanHuggingFace(String text) {
    String s = Normalizer.normalize(replaceLoneSurrogates(text), Normalizer.Form.NFC);
    s = UNICODE_WHITESPACE.matcher(s).replaceAll(" ");
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(cp -> out.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT)));
    return out.toString();
  }

  /** The cleaned, lower-cased text that open_clip's tokenizer splits into words. */
  public static String clean(String text) {
    String s = fixText(text);
    s = htmlUnescape(htmlUnescape(s));
    s = pythonStrip(s);
    return collapseWhitespace(s).toLowerCase(Locale.ROOT);
  }

  /** ftfy.fix_text with its default configuration, minus fix_encoding (see class comment). */
  static String fixText(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean unescapeHtml = true;
    int pos = 0;
    while (pos < text.length()) {
      int lineEnd = text.indexOf('\n', pos) + 1;
      if (lineEnd == 0) {
        lineEnd = text.length();
      }
      int codePoints = text.codePointCount(pos, lineEnd);
      if (codePoints > MAX_SEGMENT) {
        lineEnd = text.offsetByCodePoints(pos, MAX_SEGMENT);
      }
      String segment = text.substring(pos, lineEnd);
      // ftfy's "auto" mode: once a segment holds '<', the text is taken to be HTML and entities
      // stay.
      if (unescapeHtml && segment.indexOf('<') >= 0) {
        unescapeHtml = false;
      }
      out.append(fixSegment(segment, unescapeHtml));
      pos = lineEnd;
    }
    return out.toString();
  }

  private static String fixSegment(String text, boolean unescapeHtml) {
    while (true) {
      String original = text;
      if (unescapeHtml) {
        text = ftfyUnescapeHtml(text);
      }
      text = replaceEach(text, C1_CONTROL, TABLES.c1Map);
      text = translate(text, TABLES.ligatures);
      text = translate(text, TABLES.widthMap);
      text = DOUBLE_QUOTE.matcher(text).replaceAll("\"");
      text = SINGLE_QUOTE.matcher(text).replaceAll("'");
      text =
          text.replace("\r\n", "\n")
              .replace("\r", "\n")
              .replace("\u2028", "\n")
              .replace("\u2029", "\n")
              .replace("\u0085", "\n");
      text = replaceLoneSurrogates(text);
      text = ANSI_ESCAPE.matcher(text).replaceAll("");
      text = translate(text, TABLES.controlChars);
      text = Normalizer.normalize(text, Normalizer.Form.NFC);
      if (text.equals(original)) {
        return text;
      }
    }
  }

  /** ftfy's unescape_html: only unambiguous entities that end in ';'. */
  private static String ftfyUnescapeHtml(String text) {
    Matcher m = FTFY_ENTITY.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String entity = m.group();
      String replacement = TABLES.ftfyEntities.get(entity);
      if (replacement == null) {
        replacement = entity;
        if (entity.startsWith("&#")) {
          String unescaped = htmlUnescape(entity);
          replacement = unescaped.contains(";") ? entity : unescaped;
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Python's html.unescape. */
  static String htmlUnescape(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    Matcher m = HTML_CHARREF.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(replaceCharref(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String replaceCharref(String s) {
    if (s.charAt(0) == '#') {
      String digits = s.endsWith(";") ? s.substring(0, s.length() - 1) : s;
      java.math.BigInteger big =
          digits.length() > 1 && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X')
              ? new java.math.BigInteger(digits.substring(2), 16)
              : new java.math.BigInteger(digits.substring(1));
      if (big.bitLength() > 31) {
        return "\uFFFD";
      }
      int num = big.intValue();
      String mapped = TABLES.invalidCharrefs.get(num);
      if (mapped != null) {
        return mapped;
      }
      if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
        return "\uFFFD";
      }
      if (TABLES.invalidCodepoints.contains(num)) {
        return "";
      }
      return new String(Character.toChars(num));
    }
    String named = TABLES.html5Entities.get(s);
    if (named != null) {
      return named;
    }
    // The longest prefix that is an entity name (HTML5's rule for missing semicolons).
    for (int x = s.length() - 1; x > 1; x--) {
      String prefix = TABLES.html5Entities.get(s.substring(0, x));
      if (prefix != null) {
        return prefix + s.substring(x);
      }
    }
    return "&" + s;
  }

  /** Python's str.translate with a code point table. */
  private static String translate(String text, Map<Integer, String> table) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (table.containsKey(cp)) {
        if (out == null) {
          out = new StringBuilder(text.length()).append(text, 0, i);
        }
        String replacement = table.get(cp);
        if (replacement != null) {
          out.append(replacement);
        }
      } else if (out != null) {
        out.appendCodePoint(cp);
      }
      i = next;
    }
    return out == null ? text : out.toString();
  }

  private static String replaceEach(String text, Pattern chars, Map<Integer, String> table) {
    Matcher m = chars.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(table.get(m.group().codePointAt(0))));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** ftfy's fix_surrogates: Java pairs surrogates itself, so only lone ones remain to replace. */
  private static String replaceLoneSurrogates(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean lone =
          Character.isHighSurrogate(c)
              ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
              : Character.isLowSurrogate(c)
                  && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
      if (lone && out == null) {
        out = new StringBuilder(text.length()).append(text, 0, i);
      }
      if (out != null) {
        out.append(lone ? '\uFFFD' : c);
      }
    }
    return out == null ? text : out.toString();
  }

  static boolean isPythonSpace(int cp) {
    return TABLES.pythonWhitespace.contains(cp);
  }

  /** Python's str.strip(). */
  static String pythonStrip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isPythonSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && isPythonSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  /** Python's " ".join(s.split()): runs of whitespace become one space, ends trimmed. */
  static String collapseWhitespace(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean pendingSpace = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (isPythonSpace(cp)) {
        pendingSpace = out.length() > 0;
      } else {
        if (pendingSpace) {
          out.append(' ');
          pendingSpace = false;
        }
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }
}
