#!/usr/bin/env python3
"""Seeds the fuzz corpora (tests/fuzz/corpus/<harness>/) from the fixtures.

Each seed is in the input format of its harness (see the fuzz_*.c files) and
is named by the SHA-1 of its bytes, so running this again adds nothing new
and never removes the crash and hang inputs that fuzzing added (those are
named crash-*, timeout-* or oom-*). Python 3 standard library only:
    python3 tests/fuzz/make_corpus.py
"""
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAX_SEED = 64 << 10  # a seed larger than this only slows the fuzzer down


def put(harness, data):
    if len(data) > MAX_SEED:
        return 0
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()[:16])
    if os.path.exists(p):
        return 0
    with open(p, "wb") as f:
        f.write(data)
    return 1


def read(p):
    with open(p, "rb") as f:
        return f.read()


def model_seed(folder):
    """model.json, a NUL, then [name length][name][size LE32][bytes] per shard"""
    mj = os.path.join(folder, "model.json")
    if not os.path.isfile(mj) or os.path.islink(mj):
        return None
    out = read(mj) + b"\0"
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        if name in ("model.json", "expected.json") or os.path.islink(p) or not os.path.isfile(p):
            continue
        b = name.encode()
        if len(b) > 255:
            continue
        data = read(p)
        out += bytes([len(b)]) + b + struct.pack("<I", len(data)) + data
    return out


def walk(top, suffix):
    for dirpath, _, files in sorted(os.walk(top)):
        for f in sorted(files):
            if f.endswith(suffix):
                yield os.path.join(dirpath, f)


def main():
    n = 0
    for top in ("tests/fixtures/ref", "tests/bad_models/cases", "lessons"):
        for dirpath, _, files in sorted(os.walk(os.path.join(ROOT, top))):
            if "model.json" in files:
                s = model_seed(dirpath)
                if s:
                    n += put("model", s)

    for p in list(walk(os.path.join(ROOT, "tests"), "tokenizer.json")) + list(walk(os.path.join(ROOT, "lessons"), "tokenizer.json")):
        n += put("tokenizer", b"\0" + read(p))
    for p in list(walk(os.path.join(ROOT, "lessons"), ".txt")) + list(walk(os.path.join(ROOT, "tests", "fixtures"), ".txt")):
        n += put("tokenizer", b"\1" + read(p)[:4096])
    n += put("tokenizer", b"\2" + b"!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n\0Hello, World! It's \xc3\xa9t\xc3\xa9")
    n += put("tokenizer", b"\2\xc3\xa9\xe2\x82\xac\0caf\xc3\xa9 \xe2\x82\xac5 na\xc3\xafve")

    for top in ("lessons", "tests/fixtures/lessons"):
        for p in walk(os.path.join(ROOT, top), ".md"):
            n += put("lesson", read(p))

    for tokens in (b"3,1,4", b"1, 2, 3", b"0", b"-1", b"99999999999", b"1,,2", b" 7 ,8"):
        n += put("cli", b"\0" + tokens)
    for inp in (b"[[0.5, 1, 2], [0, 0, 1]]", b"[[1,2,3]]", b"[]", b"[[1e40, 0, 0]]", b"[[1, 2]]"):
        n += put("cli", b"\1" + inp)
    specs = [b"embedding:V:16, lstm:32, dense:V:softmax", b"input:5:3, masking, gru:4:seq:reset_before, dense:2:softmax",
             b"embedding:V:8:mask, bi-lstm:4:sum:seq, rnn:3:relu, dropout:0.2, dense:1:sigmoid",
             b"input:3:2, lstm:4:state:backwards:hard:nobias, dense:3"]
    for p in walk(os.path.join(ROOT, "lessons"), ".md"):
        for line in read(p).splitlines():
            if line.startswith(b"spec:"):
                specs.append(line[5:].strip().strip(b'"').replace(b"{cell}", b"lstm"))
    for s in specs:
        n += put("cli", b"\2" + s)
    for p in walk(os.path.join(ROOT, "tests", "fixtures", "train"), ".jsonl"):
        lines = read(p).splitlines(keepends=True)[:20]
        n += put("cli", (b"\7" if b'"input"' in lines[0] else b"\3") + b"".join(lines))
    print("make_corpus: %d new seeds" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
