package io.clip4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The character tables open_clip's text cleaning uses (HTML5 entities, ftfy's translation maps,
 * Python's whitespace set), exported from Python by {@code models/export_text_tables.py} into the
 * resource {@code text_tables.json}. Loaded once.
 */
final class TextTables {
  private static final String RESOURCE = "/io/clip4j/tokenizer/text_tables.json";

  /** Code points for which Python's {@code str.isspace()} is true. */
  final Set<Integer> pythonWhitespace = new HashSet<>();

  /** {@code html.entities.html5}: entity names (with or without ';') to their text. */
  final Map<String, String> html5Entities = new HashMap<>();

  /** {@code html._invalid_charrefs}: numeric references HTML maps to other characters. */
  final Map<Integer, String> invalidCharrefs = new HashMap<>();

  /** {@code html._invalid_codepoints}: numeric references HTML decodes to nothing. */
  final Set<Integer> invalidCodepoints = new HashSet<>();

  /** ftfy's HTML_ENTITIES: "&name;" (and all-caps variants) to their text. */
  final Map<String, String> ftfyEntities = new HashMap<>();

  /** ftfy's str.translate tables: code point to replacement, null meaning deletion. */
  final Map<Integer, String> ligatures = new HashMap<>();

  final Map<Integer, String> widthMap = new HashMap<>();
  final Map<Integer, String> controlChars = new HashMap<>();
  final Map<Integer, String> c1Map = new HashMap<>();

  static final TextTables INSTANCE = load();

  private TextTables() {}

  private static TextTables load() {
    TextTables t = new TextTables();
    try (InputStream in = TextTables.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      JsonNode root = new ObjectMapper().readTree(in);
      root.get("python_whitespace").forEach(n -> t.pythonWhitespace.add(n.asInt()));
      stringMap(root.get("html5_entities"), t.html5Entities);
      intMap(root.get("invalid_charrefs"), t.invalidCharrefs);
      root.get("invalid_codepoints").forEach(n -> t.invalidCodepoints.add(n.asInt()));
      stringMap(root.get("ftfy_html_entities"), t.ftfyEntities);
      intMap(root.get("ftfy_ligatures"), t.ligatures);
      intMap(root.get("ftfy_width_map"), t.widthMap);
      intMap(root.get("ftfy_control_chars"), t.controlChars);
      intMap(root.get("ftfy_c1_map"), t.c1Map);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return t;
  }

  private static void stringMap(JsonNode node, Map<String, String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
  }

  private static void intMap(JsonNode node, Map<Integer, String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(Integer.parseInt(e.getKey()), e.getValue().isNull() ? null : e.getValue().asText());
    }
  }
}
