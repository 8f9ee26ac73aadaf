#!/usr/bin/env python3
"""Writes assets/models/example/: the small model the README and tests use.

Embedding(8, 4, mask_zero) -> LSTM(6) -> Dense(8, softmax), in the
TensorFlow.js layers format (model.json + one float32 shard), with a Keras
tokenizer.json for its eight words. Weights are seeded random numbers, so the
file is the same every time this runs. Standard library only:

    python3 assets/models/make_example_model.py
"""
import json
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "example")

WORDS = ["the", "night", "is", "and", "long", "young", "light"]
VOCAB, EMBED, UNITS = len(WORDS) + 1, 4, 6


def layer(cls, **config):
    return {"class_name": cls, "config": config}


def main():
    rng = random.Random(2026)
    topology = {
        "class_name": "Sequential",
        "config": {"name": "example", "layers": [
            layer("Embedding", name="embedding", trainable=True, dtype="float32",
                  batch_input_shape=[None, None], input_dim=VOCAB, output_dim=EMBED,
                  mask_zero=True, input_length=None),
            layer("LSTM", name="lstm", trainable=True, dtype="float32", units=UNITS,
                  activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                  unit_forget_bias=True, dropout=0, recurrent_dropout=0,
                  return_sequences=False, return_state=False, go_backwards=False,
                  stateful=False, unroll=False),
            layer("Dense", name="dense", trainable=True, dtype="float32", units=VOCAB,
                  activation="softmax", use_bias=True),
        ]},
        "keras_version": "tfjs-layers 4.22.0",
        "backend": "tensor_flow.js",
    }
    weights = [
        ("embedding/embeddings", [VOCAB, EMBED]),
        ("lstm/kernel", [EMBED, 4 * UNITS]),
        ("lstm/recurrent_kernel", [UNITS, 4 * UNITS]),
        ("lstm/bias", [4 * UNITS]),
        ("dense/kernel", [UNITS, VOCAB]),
        ("dense/bias", [VOCAB]),
    ]
    data = bytearray()
    for name, shape in weights:
        n = 1
        for d in shape:
            n *= d
        for i in range(n):
            if name == "lstm/bias":  # Keras' unit_forget_bias: forget block 1, rest 0
                v = 1.0 if UNITS <= i < 2 * UNITS else 0.0
            else:
                v = rng.uniform(-0.8, 0.8)
            data += struct.pack("<f", v)
    model = {
        "format": "layers-model",
        "generatedBy": "assets/models/make_example_model.py",
        "convertedBy": None,
        "modelTopology": topology,
        "weightsManifest": [{
            "paths": ["group1-shard1of1.bin"],
            "weights": [{"name": n, "shape": s, "dtype": "float32"} for n, s in weights],
        }],
    }
    counts = {w: 1 for w in WORDS}
    index = {w: i + 1 for i, w in enumerate(WORDS)}
    tokenizer = {"class_name": "Tokenizer", "config": {
        "num_words": None, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n",
        "lower": True, "split": " ", "char_level": False, "oov_token": None,
        "document_count": 1,
        "word_counts": json.dumps(counts), "word_docs": json.dumps(counts),
        "index_docs": json.dumps({str(i): 1 for i in index.values()}),
        "index_word": json.dumps({str(i): w for w, i in index.items()}),
        "word_index": json.dumps(index),
    }}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "model.json"), "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "group1-shard1of1.bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, "tokenizer.json"), "w") as f:
        json.dump(tokenizer, f)
        f.write("\n")


if __name__ == "__main__":
    main()
