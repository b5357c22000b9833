"""Reference merges for the byte-level BPE tokenizer (src/data/bpe.ts), by the textbook algorithm: count every
adjacent pair of tokens over all chunks, merge the most frequent (ties: the smaller pair of ids), repeat.

Run: /usr/bin/python3 scripts/golden/bpe.py > test/fixtures/bpe.json
Three texts (names, a speech, text with emoji, combining marks, other scripts and a lone surrogate) and the merges
each gives; test/bpe.test.ts holds ours equal. Needs only Python's standard library.
"""
import json
from pathlib import Path

MAX_CHUNK = 255


def kind(byte):
    if byte >= 0x80 or 0x61 <= byte <= 0x7A or 0x41 <= byte <= 0x5A:
        return "letter"
    if 0x30 <= byte <= 0x39:
        return "digit"
    if byte == 0x20 or 0x09 <= byte <= 0x0D:
        return "space"
    return "other"


def chunks(data):
    """An optional space then a run of one kind (letters, digits, other marks); or white space, less its last
    space when a word follows; at most MAX_CHUNK bytes each."""
    out, i = [], 0
    while i < len(data):
        if data[i] == 0x20 and i + 1 < len(data) and kind(data[i + 1]) != "space":
            word = kind(data[i + 1])
            j = i + 2
            while j < len(data) and kind(data[j]) == word:
                j += 1
        else:
            k = kind(data[i])
            j = i
            while j < len(data) and kind(data[j]) == k:
                j += 1
            if k == "space" and j < len(data) and j - i > 1 and data[j - 1] == 0x20:
                j -= 1
        j = min(j, i + MAX_CHUNK)
        out.append(data[i:j])
        i = j
    return out


def merge(word, pair, token):
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            out.append(token)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def train(text, vocab_size):
    words = {}
    for c in chunks(text.encode("utf-8", "surrogatepass")):
        words[c] = words.get(c, 0) + 1
    words = [(list(c), n) for c, n in words.items()]
    merges = []
    while 256 + len(merges) < vocab_size:
        counts = {}
        for word, n in words:
            for pair in zip(word, word[1:]):
                counts[pair] = counts.get(pair, 0) + n
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        if counts[best] < 2:
            break
        token = 256 + len(merges)
        merges.append(best)
        words = [(merge(word, best, token), n) for word, n in words]
    return [i for pair in merges for i in pair]


def main():
    root = Path(__file__).resolve().parents[2] / "datasets"
    unicode_text = (
        "Caf\u00e9 cafe\u0301 na\u00efve \u00fcber \u00fcberall \U0001F600\U0001F600 \U0001F44D\U0001F3FD ok \U0001F600!\n"
        "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3002\u65e5\u672c\u8a9e\u3002 \u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439"
        " \u043c\u0438\u0440 \u043c\u0438\u0440\u0443 \u0645\u0631\u062d\u0628\u0627 \u0645\u0631\u062d\u0628\u0627\n"
        "\ud800 alone, then 1234567 and 12.5% of\t\ttabs   and   spaces ... !!! ??? "
    ) * 6
    texts = [
        {"name": "names", "text": (root / "names.txt").read_text(encoding="utf-8")[:4000], "vocabSize": 400},
        {"name": "speech", "text": (root / "sotu.txt").read_text(encoding="utf-8")[:30000], "vocabSize": 700},
        {"name": "unicode", "text": unicode_text, "vocabSize": 600},
    ]
    for t in texts:
        t["merges"] = train(t["text"], t["vocabSize"])
    print(json.dumps({"cases": texts}))


if __name__ == "__main__":
    main()
