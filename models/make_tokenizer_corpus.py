"""Builds the tokenizer parity corpus: 2,000+ strings and the ids open_clip's default tokenizer
gives them (models/fixtures/expected/tokenizer_corpus.jsonl.gz).

Strings cover prompts, many scripts, emoji sequences, HTML entities, whitespace and control
characters, Unicode normalisation, very long text and random code points. Each entry records
whether ftfy's mojibake repair (fix_encoding, which clip4j does not port) changes its tokens.

    models/.pyenv/bin/python models/make_tokenizer_corpus.py
"""
import gzip
import html.entities
import json
import random
import sys
from pathlib import Path

import ftfy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()
from open_clip import tokenizer as oc_tokenizer  # noqa: E402
from open_clip.zero_shot_metadata import IMAGENET_CLASSNAMES, OPENAI_IMAGENET_TEMPLATES  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OUT = FIXTURES / "expected" / "tokenizer_corpus.jsonl.gz"
OUT_HF = FIXTURES / "expected" / "tokenizer_corpus_hf.jsonl.gz"
rng = random.Random(2026)

SENTENCES = [
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "Ça coûte 12,50 € — n’est-ce pas ?",
    "El niño comió paella en la playa de Valencia.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
    "ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ",
    "我能吞下玻璃而不伤身体。",
    "いろはにほへと ちりぬるを わかよたれそ つねならむ",
    "다람쥐 헌 쳇바퀴에 타고파",
    "الخط العربي جميل جداً",
    "עברית נכתבת מימין לשמאל",
    "नमस्ते, आप कैसे हैं?",
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "Tiếng Việt có nhiều dấu thanh.",
    "İstanbul'da ılık bir akşam, ŞIRINGA",
    "Zażółć gęślą jaźń",
    "Příliš žluťoučký kůň úpěl ďábelské ódy",
    "Þú færð ekki þetta",
    "ஒரு பூனையின் புகைப்படம்",
    "ოთხი ბაჭია",
    "Հայերեն տառեր",
    "ᚠᛇᚻ᛫ᛒᛦᚦ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 𝓼𝓬𝓻𝓲𝓹𝓽",
    "x² + y² = z²; ½ + ¼ = ¾; 10⁻³ m",
    "The café's crème brûlée costs $5.99 (or £4.50).",
    "It's, we've, they'll, I'd, you're, she's, 'tis, o'clock",
    "IT'S SHOUTING'S LOUD'LL",
    "e-mail: someone@example.com, url: https://example.org/path?q=1&r=2",
    "C++ / C# / F# / .NET / node.js",
    "2024-01-15T10:30:00Z, 3.14159, 1,000,000, #hashtag @mention",
]

EMOJI = ["😀", "🚀", "🔥", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🇯🇵", "🇺🇳", "🏳️‍🌈", "❤️", "1️⃣", "🧑🏿‍🚀", "🐈‍⬛", "☕", "✔", "™", "©", "🫠", "🦀"]

SPACES = [" ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u2000", "\u2003", "\u3000", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x85", "\u200b", "\ufeff"]
CONTROLS = ["\x00", "\x01", "\x07", "\x1b[31m", "\x1b[0m", "\x7f", "\x80", "\x91", "\x92", "\x9c", "\u200d", "\u200e", "\u202e", "\u206a", "\ufff9", "\ufffc"]
WIDTH_AND_FORMS = ["ＬＯＵＤ", "ｆｕｌｌｗｉｄｔｈ", "ﾊﾝｶｸ", "ﬁ", "ﬂ", "ﬀ", "ﬃ", "Ꜳ", "“quoted”", "‘single’", "„low“", "e\u0301", "A\u030a", "\u1100\u1161", "ǅ", "K", "Å"]

BLOCKS = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x5FF), (0x600, 0x6FF),
          (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2100, 0x23FF),
          (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0xFF00, 0xFFEF), (0x1D400, 0x1D4FF),
          (0x1F300, 0x1F6FF), (0x1F900, 0x1F9FF)]


def words(n):
    vocab = ["cat", "dog", "photo", "of", "a", "the", "big", "small", "red", "x-ray", "tumour", "MRI", "scan", "brain"]
    return " ".join(rng.choice(vocab) for _ in range(n))


def corpus():
    out = ["", " ", "a", "A", "12345", "1 2 3", "!!!", "...", "?!?!", "<start_of_text>", "<end_of_text>",
           "a <end_of_text> b", "'s", "'S", "''", "don't", "DON'T", "3.14", "x", "😀"]
    for _ in range(600):
        out.append(rng.choice(OPENAI_IMAGENET_TEMPLATES)(rng.choice(IMAGENET_CLASSNAMES)))
    for s in SENTENCES:
        out.append(s)
        out.append(s.upper())
        out.append(s.lower())
        out.append(s + " " + rng.choice(SENTENCES))
        out.append(rng.choice(OPENAI_IMAGENET_TEMPLATES)(s))
    for _ in range(180):
        parts = [rng.choice(EMOJI) for _ in range(rng.randint(1, 8))] + [words(rng.randint(0, 4))]
        rng.shuffle(parts)
        out.append(rng.choice(["", " "]).join(parts))
    names = list(html.entities.html5)
    for _ in range(260):
        kind = rng.random()
        if kind < 0.35:
            e = "&" + rng.choice(names)
        elif kind < 0.5:
            e = "&" + rng.choice(names).rstrip(";").upper() + rng.choice([";", ""])
        elif kind < 0.65:
            e = f"&#{rng.choice([39, 38, 60, 128, 150, 0, 0xD800, 0x110000, 0x1F600, 65, 9999999999, 0x80, 0x9F])};"
        elif kind < 0.8:
            e = f"&#x{rng.choice([0x27, 0x1F680, 0xFFFE, 0x0D, 0x7F, 0xA0]):X}" + rng.choice([";", ""])
        else:
            e = rng.choice(["AT&T", "&amp;amp;", "&&", "& ;", "&notit;", "&copy2024", "<b>", "</p>&amp;", "a < b &lt; c", "&#", "&#x;"])
        out.append(words(rng.randint(0, 3)) + " " + e + " " + words(rng.randint(0, 3)))
    for _ in range(220):
        parts = [rng.choice(SPACES + CONTROLS) if rng.random() < 0.5 else words(1) for _ in range(rng.randint(1, 8))]
        out.append("".join(parts))
    for _ in range(160):
        parts = [rng.choice(WIDTH_AND_FORMS) if rng.random() < 0.6 else words(1) for _ in range(rng.randint(1, 6))]
        out.append(" ".join(parts))
    for n in [50, 76, 77, 78, 100, 300, 1000, 5000]:
        out.append(words(n))
    out.append("a" * 5000)
    out.append("supercalifragilisticexpialidocious" * 30)
    out.append(("東京" * 3000))
    out.append("word " * 20000)
    for _ in range(420):
        block = rng.choice(BLOCKS)
        out.append("".join(chr(rng.randint(*block)) for _ in range(rng.randint(1, 24))))
    for _ in range(60):
        out.append(" ".join(rng.choice(SENTENCES).split()[:3]) + " " + "".join(chr(rng.randint(*rng.choice(BLOCKS))) for _ in range(6)))
    return out


def main():
    tokenize = open_clip.get_tokenizer("ViT-B-32")
    without_mojibake_repair = oc_tokenizer.SimpleTokenizer()
    original_clean = oc_tokenizer.basic_clean

    def basic_clean_without_fix_encoding(text):
        text = ftfy.fix_text(text, fix_encoding=False)
        text = html.unescape(html.unescape(text))
        return text.strip()

    texts = corpus()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    mojibake = 0
    with gzip.open(OUT, "wt", encoding="utf-8") as f:
        for text in texts:
            ids = tokenize([text])[0].tolist()
            oc_tokenizer.basic_clean = basic_clean_without_fix_encoding
            alt = without_mojibake_repair([text])[0].tolist()
            oc_tokenizer.basic_clean = original_clean
            affected = ids != alt
            mojibake += affected
            while ids and ids[-1] == 0:
                ids.pop()
            f.write(json.dumps({"text": text, "ids": ids, "mojibake_repair": affected}) + "\n")
    print(f"{len(texts)} strings, {mojibake} of them changed by ftfy's mojibake repair -> {OUT}")

    # The same strings through transformers' tokenizer of the Hugging Face fixture (its own files).
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(FIXTURES / "hf-tiny"))
    with gzip.open(OUT_HF, "wt", encoding="utf-8") as f:
        for text in texts:
            ids = hf(text, truncation=True, max_length=77)["input_ids"]
            f.write(json.dumps({"text": text, "ids": ids}) + "\n")
    print(f"{len(texts)} strings through {type(hf).__name__} -> {OUT_HF}")


if __name__ == "__main__":
    main()
