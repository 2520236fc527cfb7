"""Exports the character tables open_clip's text cleaning depends on, for the Java tokenizer.

open_clip cleans text with ftfy.fix_text, html.unescape (twice), str.split and str.lower. The Java
port (io.clip4j.tokenizer.TextCleaner) reproduces those algorithms; this script writes the data they
use (HTML5 entities, ftfy's translation tables, Python's whitespace set) so that both sides read
the same tables. Run with the project's Python environment (models/setup-python.sh):

    python models/export_text_tables.py java/src/main/resources/io/clip4j/tokenizer/text_tables.json
"""
import html.entities
import json
import sys

import ftfy
from ftfy import chardata


def translate_table(table):
    out = {}
    for k, v in table.items():
        if v is None:
            out[str(k)] = None
        elif isinstance(v, int):
            out[str(k)] = chr(v)
        else:
            out[str(k)] = v
    return out


def main(path):
    import html as html_module

    tables = {
        "source": f"ftfy {ftfy.__version__}, Python {sys.version.split()[0]}",
        "python_whitespace": [c for c in range(0x110000) if chr(c).isspace()],
        "html5_entities": dict(html.entities.html5),
        "invalid_charrefs": {str(k): v for k, v in html_module._invalid_charrefs.items()},
        "invalid_codepoints": sorted(html_module._invalid_codepoints),
        "ftfy_html_entities": dict(chardata.HTML_ENTITIES),
        "ftfy_ligatures": translate_table(chardata.LIGATURES),
        "ftfy_width_map": translate_table(chardata.WIDTH_MAP),
        "ftfy_control_chars": translate_table(chardata.CONTROL_CHARS),
        "ftfy_c1_map": {str(c): bytes([c]).decode("sloppy-windows-1252") for c in range(0x80, 0xA0)},
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tables, f, ensure_ascii=True, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
