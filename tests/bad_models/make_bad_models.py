#!/usr/bin/env python3
"""Regenerates the corpus of malformed models under tests/bad_models/.

    /usr/bin/python3 tests/bad_models/make_bad_models.py

Deletes tests/bad_models/cases/, rebuilds every case folder from good models
copied out of tests/fixtures/ref/, and rewrites tests/bad_models/cases.tsv.
Standard library only; the output is the same bytes on every run.

Each case is one defect in an otherwise good model (the shards still hold
exactly the bytes the manifest needs unless the shard is the defect), so the
loader has one thing to complain about. cases.tsv columns, tab-separated:

    name  path (relative to tests/bad_models/)  lowercase substring  args

The test runs `unroll trace PATH ARGS` (ARGS split on single spaces, no
quoting), or `unroll summary PATH` when ARGS starts with "summary", and
expects exit status 2, nothing on stdout and exactly one stderr line that
contains the substring (case-insensitive). Substrings are chosen so that they
cannot come from the path printed in the message.

`--table` prints the Markdown table used in README.md instead.
"""
import copy
import json
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.normpath(os.path.join(HERE, "..", "fixtures", "ref"))
CASES = os.path.join(HERE, "cases")

# Good bases (never modified, only read).
TOK = "lstm_basic"  # tfjs Sequential: Embedding(12, 4) LSTM(5) Dense(3), any length, one shard
CONV = "lstm_basic_converter"  # same model from the Keras converter: InputLayer, cell scopes, 3 shards
FUNC = "lstm_return_state_dense_functional"  # Functional chain, input length 6, 3 shards
FEAT = "masking_layer_lstm_seq"  # Masking [null, 6, 3] LSTM(4, seq) Dense(2), float input
BIDI = "bidirectional_lstm_basic"  # Embedding Bidirectional(LSTM 3, concat) Dense

TOKENS = "--tokens 1,2,3"
TOKENS6 = "--tokens 1,2,3,4,5,6"
INPUT6 = "--input [[0,0,0],[1,0,0],[0,1,0],[0,0,1],[1,1,1],[0,0,0]]"
BASE_ARGS = {TOK: TOKENS, CONV: TOKENS, FUNC: TOKENS6, FEAT: INPUT6, BIDI: TOKENS}


def fill(n, seed=0):
    """n small float32 values, exactly representable, deterministic."""
    return struct.pack("<%df" % n, *[(((i * 7 + seed) % 13) - 6) / 32.0 for i in range(n)])


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Model:
    """A good fixture, held as its JSON document and its weights by name."""

    def __init__(self, base):
        self.base = base
        d = os.path.join(REF, base)
        with open(os.path.join(d, "model.json"), "rb") as f:
            self.doc = json.loads(f.read().decode("utf-8"))
        groups = self.doc["weightsManifest"]
        assert len(groups) == 1
        self.paths = list(groups[0]["paths"])
        data = b""
        for p in self.paths:
            with open(os.path.join(d, p), "rb") as f:
                data += f.read()
        self.weights = []  # [entry dict, bytes]
        at = 0
        for e in groups[0]["weights"]:
            n = count(e["shape"]) * 4
            self.weights.append([e, data[at:at + n]])
            at += n
        assert at == len(data)

    # topology helpers
    def config(self):
        t = self.doc["modelTopology"]
        t = t.get("model_config", t)
        return t["config"]

    def layers(self):
        return self.config()["layers"]

    def layer(self, name):
        for l in self.layers():
            if l["config"].get("name") == name:
                return l
        raise KeyError(name)

    def windex(self, name):
        for i, (e, _) in enumerate(self.weights):
            if e["name"] == name:
                return i
        raise KeyError(name)

    def wbytes(self, name):
        return self.weights[self.windex(name)][1]

    def set_wbytes(self, name, b):
        self.weights[self.windex(name)][1] = b

    def add_weight(self, name, shape, data=None, **extra):
        e = {"name": name, "shape": shape, "dtype": "float32"}
        e.update(extra)
        self.weights.append([e, fill(count(shape)) if data is None else data])

    def drop_weight(self, name):
        del self.weights[self.windex(name)]

    def data(self):
        return b"".join(b for _, b in self.weights)

    def json_text(self):
        doc = copy.deepcopy(self.doc)
        if "weightsManifest" in doc:
            doc["weightsManifest"] = [{"paths": self.paths, "weights": [e for e, _ in self.weights]}]
        return json.dumps(doc, separators=(",", ":"), allow_nan=False)

    def write(self, out, skip_shards=(), json_text=None):
        """model.json plus the shards, the weights split over self.paths as
        the converter splits them (equal 4-byte-aligned parts)."""
        os.makedirs(out)
        text = self.json_text() if json_text is None else json_text
        write(os.path.join(out, "model.json"), text.encode("utf-8"))
        data = self.data()
        n = len(self.paths)
        part = -(-len(data) // 4 // n) * 4 if n else 0
        for i, p in enumerate(self.paths):
            chunk = data[i * part:(i + 1) * part] if i < n - 1 else data[i * part:]
            if p not in skip_shards:
                write(os.path.join(out, p), chunk)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ---- the registry -----------------------------------------------------------

ALL = []  # (name, path, substring, args, description)


def case(name, substring, desc, args=None, path=None, base=None):
    """Registers a builder: fn(out_dir, model or None). args defaults to
    valid arguments for the base, so the model is the only thing wrong."""
    def deco(fn):
        a = args if args is not None else BASE_ARGS.get(base, TOKENS)
        ALL.append((name, path or "cases/" + name, substring, a, desc, fn, base))
        return fn
    return deco


def row(name, path, substring, args, desc):
    """A case that reuses a folder built by another case (no builder)."""
    ALL.append((name, path, substring, args, desc, None, None))


# ---- shards and their sizes -------------------------------------------------

@case("truncated_shard", "truncated shard?", "the only shard lacks its last 4 bytes", base=TOK)
def _(out, m):
    m.write(out)
    p = os.path.join(out, "weights.bin")
    with open(p, "rb") as f:
        b = f.read()
    write(p, b[:-4])


@case("truncated_shard_multi", "truncated shard?", "shard 3 of 3 cut in half (converter model)", base=CONV)
def _(out, m):
    m.write(out)
    p = os.path.join(out, "group1-shard3of3.bin")
    with open(p, "rb") as f:
        b = f.read()
    write(p, b[:len(b) // 2])


@case("shard_extra_bytes", "extra bytes", "4 bytes appended to the shard", base=TOK)
def _(out, m):
    m.write(out)
    with open(os.path.join(out, "weights.bin"), "ab") as f:
        f.write(b"\0\0\0\0")


@case("shard_listed_twice", "extra bytes", "the manifest lists the same shard path twice", base=TOK)
def _(out, m):
    m.write(out)
    doc = json.loads(m.json_text())
    doc["weightsManifest"][0]["paths"] = ["weights.bin", "weights.bin"]
    write(os.path.join(out, "model.json"), json.dumps(doc, separators=(",", ":")).encode())


@case("missing_shard_file", "no such file or directory", "shard 2 of 3 is not there", base=CONV)
def _(out, m):
    m.write(out, skip_shards=("group1-shard2of3.bin",))


@case("missing_weight", "'lstm_lstm1/bias' is missing from the weightsmanifest",
      "the LSTM bias dropped from the manifest (and its bytes from the shard)", base=TOK)
def _(out, m):
    m.drop_weight("lstm_LSTM1/bias")
    m.write(out)


@case("manifest_empty", "is missing from the weightsmanifest", "weightsManifest is []", base=TOK)
def _(out, m):
    m.weights = []
    m.write(out)
    doc = json.loads(m.json_text())
    doc["weightsManifest"] = []
    write(os.path.join(out, "model.json"), json.dumps(doc, separators=(",", ":")).encode())
    os.remove(os.path.join(out, "weights.bin"))


@case("wrong_shape", "has shape [20, 4] but layer 'lstm_lstm1' needs [4, 20]",
      "LSTM kernel given as [20, 4] (same byte count)", base=TOK)
def _(out, m):
    m.weights[m.windex("lstm_LSTM1/kernel")][0]["shape"] = [20, 4]
    m.write(out)


@case("wrong_shape_rank", "has shape [20, 1] but layer 'lstm_lstm1' needs [20]",
      "LSTM bias given as [20, 1]", base=TOK)
def _(out, m):
    m.weights[m.windex("lstm_LSTM1/bias")][0]["shape"] = [20, 1]
    m.write(out)


@case("wrong_shape_converter", "but layer 'lstm' needs [5, 20]",
      "converter model: recurrent_kernel [4, 20] with its bytes (shards resized)", base=CONV)
def _(out, m):
    i = m.windex("lstm/lstm_cell/recurrent_kernel")
    m.weights[i][0]["shape"] = [4, 20]
    m.weights[i][1] = m.weights[i][1][:4 * 20 * 4]
    m.write(out)


@case("weight_twice", "is given twice", "dense bias listed twice (bytes for both present)", base=TOK)
def _(out, m):
    m.add_weight("dense_Dense1/bias", [3], m.wbytes("dense_Dense1/bias"))
    m.write(out)


@case("weight_twice_alias", "is given twice",
      "converter model: both lstm/lstm_cell/kernel and lstm/kernel (the same weight)", base=CONV)
def _(out, m):
    m.add_weight("lstm/kernel", [4, 20], m.wbytes("lstm/lstm_cell/kernel"))
    m.write(out)


@case("weight_no_layer", "belongs to no layer", "a weight named dense_Dense9/bias (no such layer)", base=TOK)
def _(out, m):
    m.weights[m.windex("dense_Dense1/bias")][0]["name"] = "dense_Dense9/bias"
    m.write(out)


@case("weight_no_scope", "belongs to no layer", "a weight named just 'kernel' (no layer scope)", base=TOK)
def _(out, m):
    m.weights[m.windex("dense_Dense1/kernel")][0]["name"] = "kernel"
    m.write(out)


@case("weight_unknown_variable", "'moving_mean' is not a weight of layer",
      "LSTM bias renamed lstm_LSTM1/moving_mean", base=TOK)
def _(out, m):
    m.weights[m.windex("lstm_LSTM1/bias")][0]["name"] = "lstm_LSTM1/moving_mean"
    m.write(out)


@case("weight_bias_without_use_bias", "use_bias false?",
      "Dense says use_bias false but the manifest still has its bias", base=TOK)
def _(out, m):
    m.layer("dense_Dense1")["config"]["use_bias"] = False
    m.write(out)


@case("bidirectional_weight_no_direction", "names neither a forward nor a backward",
      "Bidirectional weight without forward_/backward_ scope", base=BIDI)
def _(out, m):
    n = "bidirectional_Bidirectional1/forward_lstm_LSTM2/kernel"
    m.weights[m.windex(n)][0]["name"] = "bidirectional_Bidirectional1/lstm_LSTM2/kernel"
    m.write(out)


def poke(m, name, index, value):
    b = bytearray(m.wbytes(name))
    b[index * 4:index * 4 + 4] = struct.pack("<f", value)
    m.set_wbytes(name, bytes(b))


@case("nan_weight", "holds nan at index 3", "a NaN in the LSTM kernel", base=TOK)
def _(out, m):
    poke(m, "lstm_LSTM1/kernel", 3, float("nan"))
    m.write(out)


@case("inf_weight", "holds inf at index 7", "+Inf in the Dense kernel", base=TOK)
def _(out, m):
    poke(m, "dense_Dense1/kernel", 7, float("inf"))
    m.write(out)


@case("neg_inf_weight", "holds inf at index 19", "-Inf in the last LSTM bias value", base=TOK)
def _(out, m):
    poke(m, "lstm_LSTM1/bias", 19, float("-inf"))
    m.write(out)


@case("nan_weight_embedding", "holds nan at index 47",
      "a NaN (sign bit set, odd payload) in the last embedding value", base=TOK)
def _(out, m):
    b = bytearray(m.wbytes("embedding_Embedding1/embeddings"))
    b[47 * 4:48 * 4] = struct.pack("<I", 0xFFC00123)
    m.set_wbytes("embedding_Embedding1/embeddings", bytes(b))
    m.write(out)


def set_shape(m, name, shape):
    m.weights[m.windex(name)][0]["shape"] = shape


@case("manifest_negative_dim", "has an invalid shape", "LSTM kernel shape [4, -20]", base=TOK)
def _(out, m):
    set_shape(m, "lstm_LSTM1/kernel", [4, -20])
    m.write(out)


@case("manifest_negative_both_dims", "has an invalid shape",
      "kernel shape [-4, -20] (product positive)", base=TOK)
def _(out, m):
    set_shape(m, "lstm_LSTM1/kernel", [-4, -20])
    m.write(out)


@case("manifest_fractional_dim", "has an invalid shape", "kernel shape [4, 20.5]", base=TOK)
def _(out, m):
    set_shape(m, "lstm_LSTM1/kernel", [4, 20.5])
    m.write(out)


@case("manifest_string_dim", "has an invalid shape", "kernel shape [\"4\", 20]", base=TOK)
def _(out, m):
    set_shape(m, "lstm_LSTM1/kernel", ["4", 20])
    m.write(out)


@case("manifest_null_dim", "has an invalid shape", "kernel shape [null, 20]", base=TOK)
def _(out, m):
    set_shape(m, "lstm_LSTM1/kernel", [None, 20])
    m.write(out)


@case("manifest_too_many_dims", "has too many dimensions", "bias shape of nine 1s", base=TOK)
def _(out, m):
    set_shape(m, "dense_Dense1/bias", [1] * 8 + [3])
    m.write(out)


@case("manifest_shape_not_list", "a weight has no name or shape", "bias shape is the number 3", base=TOK)
def _(out, m):
    set_shape(m, "dense_Dense1/bias", 3)
    m.write(out)


@case("manifest_weight_no_name", "a weight has no name or shape", "a manifest entry without name", base=TOK)
def _(out, m):
    del m.weights[m.windex("dense_Dense1/bias")][0]["name"]
    m.write(out)


@case("manifest_group_no_paths", "needs 'paths' and 'weights' lists", "the group has no paths", base=TOK)
def _(out, m):
    m.write(out)
    doc = json.loads(m.json_text())
    del doc["weightsManifest"][0]["paths"]
    write(os.path.join(out, "model.json"), json.dumps(doc, separators=(",", ":")).encode())


@case("manifest_weight_1gb", "is too large",
      "embedding claims [16384, 16384] (1 GiB) against a 1 KB shard: refused before reading", base=TOK)
def _(out, m):
    set_shape(m, "embedding_Embedding1/embeddings", [16384, 16384])
    m.write(out)  # the shard stays the good 1064 bytes


@case("manifest_group_1gb", "weightsmanifest group 0 is too large",
      "four optimizer weights of [8192, 8192] (1 GiB in all, each under the per-weight cap)", base=TOK)
def _(out, m):
    good = m.data()
    for k in range(4):
        m.weights.append([{"name": "optimizer/slot_%d" % k, "shape": [8192, 8192], "dtype": "float32",
                           "group": "optimizer"}, b""])
    m.write(out)
    write(os.path.join(out, "weights.bin"), good)


@case("manifest_claims_762mb", "(truncated shard?)",
      "shapes claiming ~762 MB (under the cap) against a 1064-byte shard: size mismatch, no allocation",
      base=TOK)
def _(out, m):
    good = m.data()
    set_shape(m, "embedding_Embedding1/embeddings", [8192, 8192])
    m.weights.append([{"name": "optimizer/m", "shape": [8192, 8192], "dtype": "float32", "group": "optimizer"}, b""])
    m.weights.append([{"name": "optimizer/v", "shape": [8000, 8192], "dtype": "float32", "group": "optimizer"}, b""])
    m.write(out)
    write(os.path.join(out, "weights.bin"), good)


@case("huge_model_tiny_shard", "(truncated shard?)",
      "honest manifest for Embedding(8192, 8192) (256 MB of parameters) with the 1064-byte shard", base=TOK)
def _(out, m):
    good = m.data()
    emb = m.layer("embedding_Embedding1")["config"]
    emb["input_dim"] = 8192
    emb["output_dim"] = 8192
    set_shape(m, "embedding_Embedding1/embeddings", [8192, 8192])
    set_shape(m, "lstm_LSTM1/kernel", [8192, 20])
    m.write(out)
    write(os.path.join(out, "weights.bin"), good)


# ---- shard paths ------------------------------------------------------------

def with_paths(m, out, paths, files=None):
    """Writes the model with the manifest naming `paths`; the shard bytes go
    to `files` (name -> bytes), default none."""
    data = m.data()
    m.paths = ["weights.bin"]
    m.write(out, skip_shards=("weights.bin",))
    doc = json.loads(m.json_text())
    doc["weightsManifest"][0]["paths"] = paths
    write(os.path.join(out, "model.json"), json.dumps(doc, separators=(",", ":")).encode())
    for name, b in (files or {}).items():
        write(os.path.join(out, name), data if b is None else b)


@case("shard_path_dotdot", "leaves the model folder", "shard path ../outside/weights.bin", base=TOK)
def _(out, m):
    with_paths(m, out, ["../outside/weights.bin"])


@case("shard_path_dotdot_inner", "leaves the model folder",
      "shard path sub/../weights.bin (would resolve inside, still refused)", base=TOK)
def _(out, m):
    with_paths(m, out, ["sub/../weights.bin"], {"weights.bin": None, "sub/placeholder": b""})


@case("shard_path_absolute", "is not a plain relative path", "shard path /etc/passwd", base=TOK)
def _(out, m):
    with_paths(m, out, ["/etc/passwd"])


@case("shard_path_dev_zero", "is not a plain relative path", "shard path /dev/zero", base=TOK)
def _(out, m):
    with_paths(m, out, ["/dev/zero"])


@case("shard_path_empty", "is not a plain relative path", "shard path \"\"", base=TOK)
def _(out, m):
    with_paths(m, out, [""], {"weights.bin": None})


@case("shard_path_backslash", "is not a plain relative path", "shard path ..\\weights.bin", base=TOK)
def _(out, m):
    with_paths(m, out, ["..\\weights.bin"], {"weights.bin": None})


@case("shard_path_not_string", "a shard path is not a string", "paths [1]", base=TOK)
def _(out, m):
    with_paths(m, out, [1], {"weights.bin": None})


@case("shard_symlink_out", "links out of the model folder",
      "weights.bin is a symlink to ../_outside/weights.bin (right size)", base=TOK)
def _(out, m):
    with_paths(m, out, ["weights.bin"])
    os.symlink("../_outside/weights.bin", os.path.join(out, "weights.bin"))


@case("shard_symlink_dir_out", "links out of the model folder",
      "shard path sub/weights.bin where sub is a symlink to ../_outside", base=TOK)
def _(out, m):
    with_paths(m, out, ["sub/weights.bin"])
    os.symlink("../_outside", os.path.join(out, "sub"))


@case("shard_symlink_loop", "too many levels of symbolic links", "weights.bin is a symlink to itself", base=TOK)
def _(out, m):
    with_paths(m, out, ["weights.bin"])
    os.symlink("weights.bin", os.path.join(out, "weights.bin"))


@case("shard_symlink_dangling", "no such file or directory", "weights.bin is a symlink to a missing file",
      base=TOK)
def _(out, m):
    with_paths(m, out, ["weights.bin"])
    os.symlink("nothing-here.bin", os.path.join(out, "weights.bin"))


@case("shard_is_directory", "is not a regular file", "the shard path names a folder", base=TOK)
def _(out, m):
    with_paths(m, out, ["shards"], {"shards/weights.bin": None})


# ---- dtype, quantization, format, top-level keys ---------------------------

@case("dtype_int32", "has dtype 'int32'; only float32", "LSTM kernel has dtype int32", base=TOK)
def _(out, m):
    m.weights[m.windex("lstm_LSTM1/kernel")][0]["dtype"] = "int32"
    m.set_wbytes("lstm_LSTM1/kernel", struct.pack("<80i", *range(80)))
    m.write(out)


@case("dtype_float16", "has dtype 'float16'; only float32", "LSTM kernel has dtype float16 (2 bytes each)",
      base=TOK)
def _(out, m):
    m.weights[m.windex("lstm_LSTM1/kernel")][0]["dtype"] = "float16"
    m.set_wbytes("lstm_LSTM1/kernel", b"\0\x3c" * 80)
    m.write(out)


@case("quantized_uint8", "is quantized", "LSTM kernel quantized to uint8 (1 byte each), as tfjs does",
      base=TOK)
def _(out, m):
    e = m.weights[m.windex("lstm_LSTM1/kernel")][0]
    e["quantization"] = {"dtype": "uint8", "min": -0.5, "scale": 0.00390625}
    m.set_wbytes("lstm_LSTM1/kernel", bytes(range(80)))
    m.write(out)


@case("format_graph_model", "format 'graph-model' is not supported", "format is graph-model", base=TOK)
def _(out, m):
    m.doc["format"] = "graph-model"
    m.write(out)


@case("no_model_topology", "no modeltopology", "modelTopology key removed", base=TOK)
def _(out, m):
    del m.doc["modelTopology"]
    m.write(out)


@case("model_topology_string", "no modeltopology", "modelTopology is a string", base=TOK)
def _(out, m):
    m.doc["modelTopology"] = "Sequential"
    m.write(out)


@case("no_weights_manifest", "no weightsmanifest list", "weightsManifest key removed", base=TOK)
def _(out, m):
    m.write(out)
    doc = json.loads(m.json_text())
    del doc["weightsManifest"]
    write(os.path.join(out, "model.json"), json.dumps(doc, separators=(",", ":")).encode())


@case("weights_manifest_object", "no weightsmanifest list", "weightsManifest is an object, not a list",
      base=TOK)
def _(out, m):
    m.write(out)
    doc = json.loads(m.json_text())
    doc["weightsManifest"] = doc["weightsManifest"][0]
    write(os.path.join(out, "model.json"), json.dumps(doc, separators=(",", ":")).encode())


@case("topology_no_class_name", "modeltopology has no class_name", "modelTopology without class_name",
      base=TOK)
def _(out, m):
    del m.doc["modelTopology"]["class_name"]
    m.write(out)


@case("topology_no_layers", "config has no layers list", "config without layers", base=TOK)
def _(out, m):
    del m.config()["layers"]
    m.write(out)


@case("model_class_unknown", "model class 'graph' is not supported", "class_name Graph", base=TOK)
def _(out, m):
    m.doc["modelTopology"]["class_name"] = "Graph"
    m.write(out)


@case("layers_empty", "has 0 layers", "layers is []", base=TOK)
def _(out, m):
    m.config()["layers"] = []
    m.write(out)


@case("only_input_layer", "the model has no layers", "converter model reduced to its InputLayer", base=CONV)
def _(out, m):
    m.config()["layers"] = m.config()["layers"][:1]
    m.write(out)


@case("too_many_layers", "has 303 layers", "300 Dropout layers after the Dense", base=TOK)
def _(out, m):
    for k in range(300):
        m.layers().append({"class_name": "Dropout", "config": {"rate": 0, "name": "d%d" % k}})
    m.write(out)


@case("layer_not_object", "layer 1 has no class_name or config", "the second layer is the number 42",
      base=TOK)
def _(out, m):
    m.layers()[1] = 42
    m.write(out)


# ---- layer classes and options ----------------------------------------------

@case("unknown_class_conv2d", "layer class 'conv2d' is not supported", "the LSTM replaced by a Conv2D",
      base=TOK)
def _(out, m):
    l = m.layer("lstm_LSTM1")
    l["class_name"] = "Conv2D"
    l["config"] = {"name": "lstm_LSTM1", "trainable": True, "filters": 5, "kernel_size": [3, 3],
                   "strides": [1, 1], "padding": "valid", "activation": "relu", "use_bias": True}
    m.write(out)


@case("unknown_class_attention", "layer class 'attention' is not supported",
      "an Attention layer after the LSTM", base=TOK)
def _(out, m):
    m.layers().insert(2, {"class_name": "Attention", "config": {"name": "attention", "use_scale": False}})
    m.write(out)


@case("stateful_true", "'stateful: true' is not supported", "LSTM stateful: true", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["stateful"] = True
    m.write(out)


@case("time_major_true", "'time_major: true' is not supported", "LSTM time_major: true", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["time_major"] = True
    m.write(out)


@case("stateful_in_bidirectional", "'stateful: true' is not supported",
      "stateful: true on the LSTM wrapped by Bidirectional", base=BIDI)
def _(out, m):
    m.layer("bidirectional_Bidirectional1")["config"]["layer"]["config"]["stateful"] = True
    m.write(out)


@case("merge_mode_null", "merge_mode null", "Bidirectional merge_mode: null (two outputs)", base=BIDI)
def _(out, m):
    m.layer("bidirectional_Bidirectional1")["config"]["merge_mode"] = None
    m.write(out)


@case("merge_mode_max", "merge_mode 'max' is not supported", "Bidirectional merge_mode: max", base=BIDI)
def _(out, m):
    m.layer("bidirectional_Bidirectional1")["config"]["merge_mode"] = "max"
    m.write(out)


@case("bidirectional_dense", "bidirectional wraps 'dense'", "Bidirectional wrapping a Dense", base=BIDI)
def _(out, m):
    m.layer("bidirectional_Bidirectional1")["config"]["layer"] = {
        "class_name": "Dense", "config": {"name": "dense_inner", "units": 3, "activation": "linear"}}
    m.write(out)


@case("bidirectional_no_layer", "bidirectional has no wrapped 'layer'", "Bidirectional without 'layer'",
      base=BIDI)
def _(out, m):
    del m.layer("bidirectional_Bidirectional1")["config"]["layer"]
    m.write(out)


@case("bidirectional_backward_mismatch", "same cell with the same units",
      "backward_layer is an LSTM with 4 units, forward has 3", base=BIDI)
def _(out, m):
    cfg = m.layer("bidirectional_Bidirectional1")["config"]
    back = copy.deepcopy(cfg["layer"])
    back["config"]["name"] = "backward_lstm_LSTM2"
    back["config"]["units"] = 4
    back["config"]["go_backwards"] = True
    cfg["backward_layer"] = back
    m.write(out)


@case("activation_selu", "activation 'selu' is not supported", "LSTM activation selu", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["activation"] = "selu"
    m.write(out)


@case("recurrent_activation_softmax", "recurrent_activation 'softmax' is not supported",
      "LSTM recurrent_activation softmax", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["recurrent_activation"] = "softmax"
    m.write(out)


@case("dense_activation_gelu", "activation 'gelu' is not supported", "Dense activation gelu", base=TOK)
def _(out, m):
    m.layer("dense_Dense1")["config"]["activation"] = "gelu"
    m.write(out)


@case("activation_object", "option 'activation' must be a string",
      "activation given as a serialized object {class_name, config}", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["activation"] = {"class_name": "Activation", "config": {"name": "tanh"}}
    m.write(out)


def units_case(name, value, substring, desc, layer="lstm_LSTM1"):
    @case(name, substring, desc, base=TOK)
    def _(out, m):
        m.layer(layer)["config"]["units"] = value
        m.write(out)


units_case("units_int_max", 2147483647, "option 'units' is 2147483647, out of range", "LSTM units 2147483647")
units_case("units_negative", -3, "option 'units' is -3, out of range", "LSTM units -3")
units_case("units_fraction", 2.5, "option 'units' must be a whole number", "LSTM units 2.5")
units_case("units_string", "8", "option 'units' must be a whole number", "LSTM units \"8\"")
units_case("units_bool", True, "option 'units' must be a whole number", "LSTM units true")
units_case("units_zero_dense", 0, "option 'units' is 0, out of range", "Dense units 0", layer="dense_Dense1")
units_case("units_1e300", 1e300, "out of range", "LSTM units 1e300 (message must stay one line)")


@case("units_missing", "option 'units' is missing", "LSTM without units", base=TOK)
def _(out, m):
    del m.layer("lstm_LSTM1")["config"]["units"]
    m.write(out)


@case("units_1e999", "option 'units' is inf, out of range", "LSTM units 1e999 (overflows a double to inf)", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["units"] = 123456789
    m.write(out, json_text=m.json_text().replace("123456789", "1e999"))


@case("return_sequences_string", "option 'return_sequences' must be true or false",
      "return_sequences: \"true\"", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["return_sequences"] = "true"
    m.write(out)


@case("dropout_out_of_range", "dropout rates must be in [0, 1)", "LSTM dropout 1.5", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["dropout"] = 1.5
    m.write(out)


@case("dropout_layer_rate_one", "rate must be in [0, 1)", "a Dropout layer with rate 1", base=TOK)
def _(out, m):
    m.layers().insert(2, {"class_name": "Dropout", "config": {"rate": 1, "name": "dropout"}})
    m.write(out)


@case("mask_value_string", "option 'mask_value' must be a number", "Masking mask_value \"0\"", base=FEAT)
def _(out, m):
    m.layer("masking")["config"]["mask_value"] = "0"
    m.write(out)


@case("embedding_input_dim_zero", "option 'input_dim' is 0, out of range", "Embedding input_dim 0", base=TOK)
def _(out, m):
    m.layer("embedding_Embedding1")["config"]["input_dim"] = 0
    m.write(out)


@case("embedding_huge", "option 'input_dim' is 100000000, out of range",
      "Embedding input_dim and output_dim 100000000: refused without allocating", base=TOK)
def _(out, m):
    c = m.layer("embedding_Embedding1")["config"]
    c["input_dim"] = 100000000
    c["output_dim"] = 100000000
    set_shape(m, "embedding_Embedding1/embeddings", [100000000, 100000000])
    set_shape(m, "lstm_LSTM1/kernel", [100000000, 20])
    m.write(out)


@case("embedding_table_too_large", "embedding table 16000000 x 16000000 is too large",
      "Embedding 16000000 x 16000000 (each dimension allowed, the product not)", base=TOK)
def _(out, m):
    c = m.layer("embedding_Embedding1")["config"]
    c["input_dim"] = 16000000
    c["output_dim"] = 16000000
    m.write(out)


@case("embedding_no_output_dim", "embedding needs input_dim and output_dim", "Embedding without output_dim",
      base=TOK)
def _(out, m):
    del m.layer("embedding_Embedding1")["config"]["output_dim"]
    m.write(out)


@case("dense_kernel_too_large", "kernel 5 x 16000000 is too large", "Dense units 16000000 after LSTM(5)",
      base=TOK)
def _(out, m):
    m.layer("dense_Dense1")["config"]["units"] = 16000000
    m.write(out)


@case("lstm_too_large", "lstm with 16000000 units on 4 inputs is too large", "LSTM units 16000000", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["units"] = 16000000
    m.write(out)


@case("params_over_limit", "needs more than 134217728 parameters",
      "Embedding 8192x8192 then LSTM(2048): each tensor allowed, the total not", base=TOK)
def _(out, m):
    c = m.layer("embedding_Embedding1")["config"]
    c["input_dim"] = 8192
    c["output_dim"] = 8192
    m.layer("lstm_LSTM1")["config"]["units"] = 2048
    m.write(out)


# ---- layers beside the recurrent ones (issue 13) -----------------------------

def conv_layer(**cfg):
    c = {"name": "conv1d", "filters": 4, "kernel_size": [2], "strides": [1], "padding": "valid",
         "dilation_rate": [1], "activation": "relu", "use_bias": True}
    c.update(cfg)
    return {"class_name": "Conv1D", "config": c}


@case("conv_kernel_longer_than_tokens", "needs at least 5 steps, but gets 3",
      "Conv1D(4, 5) with padding valid on 3 tokens", base=TOK)
def _(out, m):
    m.layers().insert(1, conv_layer(kernel_size=[5]))
    m.add_weight("conv1d/kernel", [5, 4, 4])
    m.add_weight("conv1d/bias", [4])
    m.write(out)


@case("conv_zero_filters", "option 'filters' is 0, out of range", "Conv1D with filters 0", base=TOK)
def _(out, m):
    m.layers().insert(1, conv_layer(filters=0))
    m.write(out)


@case("conv_padding_full", "padding 'full' is not supported", "Conv1D with padding \"full\"", base=TOK)
def _(out, m):
    m.layers().insert(1, conv_layer(padding="full"))
    m.add_weight("conv1d/kernel", [2, 4, 4])
    m.add_weight("conv1d/bias", [4])
    m.write(out)


@case("conv_kernel_shape_transposed", "needs [2, 4, 4]", "a Conv1D kernel stored as [4, 4, 2]", base=TOK)
def _(out, m):
    m.layers().insert(1, conv_layer())
    m.add_weight("conv1d/kernel", [4, 4, 2])
    m.add_weight("conv1d/bias", [4])
    m.write(out)


@case("spatial_dropout_rate_one", "rate must be in [0, 1)", "a SpatialDropout1D layer with rate 1", base=TOK)
def _(out, m):
    m.layers().insert(1, {"class_name": "SpatialDropout1D", "config": {"rate": 1, "name": "spatial_dropout1d"}})
    m.write(out)


@case("flatten_any_length", "flatten needs a fixed sequence length", "Flatten in a model that takes any length", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["return_sequences"] = True
    m.layers().insert(2, {"class_name": "Flatten", "config": {"name": "flatten"}})
    m.write(out)


# ---- structure ----------------------------------------------------------------

def lstm_layer(name, units, return_sequences=False):
    return {"class_name": "LSTM", "config": {
        "name": name, "trainable": True, "units": units, "activation": "tanh",
        "recurrent_activation": "hard_sigmoid", "use_bias": True, "return_sequences": return_sequences,
        "return_state": False, "go_backwards": False, "stateful": False, "unroll": False}}


@case("recurrent_after_vector", "needs a sequence input",
      "Embedding, LSTM (no return_sequences), Dense, LSTM: the second LSTM gets one vector", base=TOK)
def _(out, m):
    m.layers().append(lstm_layer("lstm_LSTM2", 2))
    m.add_weight("lstm_LSTM2/kernel", [3, 8])
    m.add_weight("lstm_LSTM2/recurrent_kernel", [2, 8])
    m.add_weight("lstm_LSTM2/bias", [8])
    m.write(out)


@case("embedding_not_first", "embedding is only supported as the first layer",
      "Masking, Embedding, LSTM, Dense", base=FEAT)
def _(out, m):
    m.layers().insert(1, {"class_name": "Embedding", "config": {"name": "embedding", "input_dim": 5,
                                                                "output_dim": 3, "mask_zero": False}})
    m.add_weight("embedding/embeddings", [5, 3])
    m.write(out)


@case("input_layer_not_first", "inputlayer must come first", "converter model with InputLayer second",
      base=CONV)
def _(out, m):
    ls = m.layers()
    ls[0], ls[1] = ls[1], ls[0]
    m.write(out)


@case("duplicate_layer_names", "two layers are named 'lstm_lstm1'", "the Dense renamed lstm_LSTM1", base=TOK)
def _(out, m):
    m.layer("dense_Dense1")["config"]["name"] = "lstm_LSTM1"
    m.write(out)


@case("layer_name_with_slash", "contains '/'", "LSTM named lstm/LSTM1", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["name"] = "lstm/LSTM1"
    m.write(out)


@case("layer_name_too_long", "is too long", "LSTM name of 200 characters", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["config"]["name"] = "L" * 200
    m.write(out)


@case("layer_no_name", "a layer has no name", "LSTM without a name", base=TOK)
def _(out, m):
    del m.layer("lstm_LSTM1")["config"]["name"]
    m.write(out)


@case("input_shape_zero_length", "input shape dimension 1 is invalid", "batch_input_shape [null, 0, 3]",
      base=FEAT)
def _(out, m):
    m.layer("masking")["config"]["batch_input_shape"] = [None, 0, 3]
    m.write(out)


@case("input_shape_negative", "input shape dimension 2 is invalid", "batch_input_shape [null, 6, -3]",
      base=FEAT)
def _(out, m):
    m.layer("masking")["config"]["batch_input_shape"] = [None, 6, -3]
    m.write(out)


@case("input_shape_4d", "input shape has 4 dimensions", "batch_input_shape [null, 6, 3, 1]", base=FEAT)
def _(out, m):
    m.layer("masking")["config"]["batch_input_shape"] = [None, 6, 3, 1]
    m.write(out)


@case("input_shape_feature_null", "feature size of the input must be known",
      "batch_input_shape [null, 6, null]", base=FEAT)
def _(out, m):
    m.layer("masking")["config"]["batch_input_shape"] = [None, 6, None]
    m.write(out)


@case("input_shape_missing", "the model's input shape is unknown",
      "float-input model without batch_input_shape", base=FEAT)
def _(out, m):
    del m.layer("masking")["config"]["batch_input_shape"]
    m.write(out)


@case("input_shape_too_long", "input shape dimension 1 is invalid", "batch_input_shape [null, 200000, 3]",
      base=FEAT)
def _(out, m):
    m.layer("masking")["config"]["batch_input_shape"] = [None, 200000, 3]
    m.write(out)


@case("embedding_feature_input", "embedding input must be [null, t] tokens",
      "Embedding with batch_input_shape [null, 6, 3]", base=TOK)
def _(out, m):
    m.layer("embedding_Embedding1")["config"]["batch_input_shape"] = [None, 6, 3]
    m.write(out)


# ---- functional models -------------------------------------------------------

@case("functional_branch", "the functional model branches",
      "Embedding and LSTM both read input_1", base=FUNC)
def _(out, m):
    m.layer("lstm")["inbound_nodes"] = [[["input_1", 0, 0, {}]]]
    m.write(out)


@case("functional_two_inputs", "has 2 inputs", "the Dense reads lstm and embedding", base=FUNC)
def _(out, m):
    m.layer("dense")["inbound_nodes"] = [[["lstm", 0, 0, {}], ["embedding", 0, 0, {}]]]
    m.write(out)


@case("functional_add_two_inputs", "has 2 inputs",
      "a real two-input Add layer fed by the LSTM and a second LSTM", base=FUNC)
def _(out, m):
    ls = m.layers()
    l2 = lstm_layer("lstm_b", 4)
    l2["name"] = "lstm_b"
    l2["inbound_nodes"] = [[["embedding", 0, 0, {}]]]
    add = {"class_name": "Add", "config": {"name": "add", "trainable": True, "dtype": "float32"},
           "name": "add", "inbound_nodes": [[["lstm", 0, 0, {}], ["lstm_b", 0, 0, {}]]]}
    ls.insert(3, l2)
    ls.insert(4, add)
    m.layer("dense")["inbound_nodes"] = [[["add", 0, 0, {}]]]
    m.add_weight("lstm_b/lstm_cell/kernel", [4, 16])
    m.add_weight("lstm_b/lstm_cell/recurrent_kernel", [4, 16])
    m.add_weight("lstm_b/lstm_cell/bias", [16])
    m.write(out)


@case("functional_called_twice", "is called more than once", "the LSTM has two inbound nodes", base=FUNC)
def _(out, m):
    m.layer("lstm")["inbound_nodes"] = [[["embedding", 0, 0, {}]], [["embedding", 0, 0, {}]]]
    m.write(out)


@case("functional_reads_state", "(a returned state)",
      "the Dense reads output 1 (h) of an LSTM with return_state", base=FUNC)
def _(out, m):
    m.layer("lstm")["config"]["return_state"] = True
    m.layer("dense")["inbound_nodes"] = [[["lstm", 0, 1, {}]]]
    m.write(out)


@case("functional_cycle", "is not a single chain", "LSTM and Dense read each other", base=FUNC)
def _(out, m):
    m.layer("lstm")["inbound_nodes"] = [[["dense", 0, 0, {}]]]
    m.write(out)


@case("functional_dangling_inbound", "is not a single chain",
      "the Dense reads a layer that does not exist", base=FUNC)
def _(out, m):
    m.layer("dense")["inbound_nodes"] = [[["lstm_9", 0, 0, {}]]]
    m.write(out)


@case("functional_malformed_inbound", "inbound node of the functional model is malformed",
      "an inbound node [42, 0, 0, {}]", base=FUNC)
def _(out, m):
    m.layer("lstm")["inbound_nodes"] = [[[42, 0, 0, {}]]]
    m.write(out)


@case("functional_keras3_nodes", "has 2 inputs (keras 3 inbound_nodes)",
      "Keras 3 inbound_nodes ({args: [keras_tensor]}, read since keras_io); the Dense's node lists two tensors", base=FUNC)
def _(out, m):
    for l in m.layers():
        new = []
        for nd in l.get("inbound_nodes", []):
            t = {"class_name": "__keras_tensor__", "config": {
                "shape": [None, 6], "dtype": "float32", "keras_history": [nd[0][0], 0, 0]}}
            args = [[t, t]] if l["class_name"] == "Dense" else [t]
            new.append({"args": args, "kwargs": {}})
        l["inbound_nodes"] = new
    m.write(out)


@case("functional_keras3_malformed", "(keras 3 inbound_nodes) is malformed",
      "a Keras 3 inbound node whose keras_tensor has no keras_history", base=FUNC)
def _(out, m):
    for l in m.layers():
        new = []
        for nd in l.get("inbound_nodes", []):
            new.append({"args": [{"class_name": "__keras_tensor__", "config": {"shape": [None, 6]}}], "kwargs": {}})
        l["inbound_nodes"] = new
    m.write(out)


# ---- Keras' own files (src/io/keras_io.c) ----------------------------------------
# Made with h5py by tests/fixtures/keras/make_keras_fixtures.py (this script
# stays standard library only); each is a good fixture with one defect.
KBAD = "../fixtures/keras/bad/"
for _name, _sub, _desc in (
        ("truncated.keras", "not a readable .keras file", ".keras cut in half"),
        ("not_a_zip.keras", "not a readable .keras file", "a text file named .keras"),
        ("zip_bomb.keras", "a zip bomb?", "model.weights.h5 declares 4 GB in both zip headers: refused before inflating"),
        ("dotdot_entry.keras", "is not a plain relative path", "an entry named ../../outside.txt"),
        ("absolute_entry.keras", "is not a plain relative path", "an entry named /tmp/outside.txt"),
        ("no_config.keras", "no config.json in", "the zip lacks config.json"),
        ("npz_weights.keras", "are not supported (save with keras' default h5)", "weights as model.weights.npz"),
        ("weights_not_hdf5.keras", "model.weights.h5 is not an hdf5 file", "model.weights.h5 holds text"),
        ("weights_damaged_hdf5.keras", "cannot be opened as hdf5", "model.weights.h5 cut to a third"),
        ("unsupported_layer.keras", "layer class 'conv1d' is not supported", "config names Conv1D"),
        ("custom_class.keras", "custom class 'mypackage>gru'", "registered_name of a custom class"),
        ("hard_sigmoid.keras", "keras 3 defines as x/6 + 1/2", "Keras 3 config with hard_sigmoid (another function than Keras 2's)"),
        ("wrong_shape.keras", "has shape [12, 4] but layer 'gru' needs [4, 12]", "GRU kernel transposed"),
        ("missing_dataset.keras", "is missing (no dataset layers/gru/cell/vars/2)", "GRU bias dataset dropped"),
        ("extra_variable.keras", "holds 4 weights, 3 expected", "a fourth dataset beside the GRU's three"),
        ("integer_weight.keras", "does not hold floating-point numbers", "Dense bias stored as int32"),
        ("nan_weight.keras", "holds nan at index 2", "a NaN in the Dense bias"),
        ("not_hdf5.h5", "not an hdf5 file", "JSON in a file named .h5"),
        ("legacy_wrong_shape.h5", "has shape [20, 4] but layer 'lstm' needs [4, 20]", "legacy .h5: LSTM kernel transposed"),
        ("legacy_missing_dataset.h5", "is missing (no dataset", "legacy .h5: weight_names lists a bias that is not there"),
        ("legacy_unlisted_weight.h5", "is missing from model_weights", "legacy .h5: the bias left out of weight_names"),
        ("legacy_weights_only.h5", "no model_config attribute", "legacy .h5 without model_config (a weights-only file)"),
        ("legacy_unsupported_layer.h5", "layer class 'attention' is not supported", "legacy .h5: config names Attention")):
    row("keras_" + _name.replace(".", "_"), KBAD + _name, _sub, TOKENS, _desc)
row("keras_summary_zip_bomb", KBAD + "zip_bomb.keras", "a zip bomb?", "summary", "summary on zip_bomb.keras")


# ---- model.json that is not a model ------------------------------------------

def raw_json(out, text):
    """model.json with the given bytes, beside the good shard."""
    m = Model(TOK)
    m.write(out, json_text="")
    write(os.path.join(out, "model.json"), text)


@case("json_empty", "file is empty", "model.json of 0 bytes")
def _(out, m):
    raw_json(out, b"")


@case("json_whitespace", "not valid json", "model.json holding only whitespace")
def _(out, m):
    raw_json(out, b" \n\t\n")


@case("json_array", "expected a json object", "model.json is []")
def _(out, m):
    raw_json(out, b"[]")


@case("json_null", "expected a json object", "model.json is null")
def _(out, m):
    raw_json(out, b"null")


@case("json_string", "expected a json object", "model.json is a JSON string")
def _(out, m):
    raw_json(out, b'"layers-model"\n')


@case("json_truncated", "not valid json", "the good model.json cut half-way")
def _(out, m):
    t = Model(TOK).json_text().encode()
    raw_json(out, t[:len(t) // 2])


@case("json_deep_brackets", "not valid json", "100000 '[' (stack exhaustion in a recursive parser)")
def _(out, m):
    raw_json(out, b"[" * 100000)


@case("json_deep_objects", "not valid json", "10000 nested {\"a\": objects, closed properly")
def _(out, m):
    raw_json(out, b'{"a":' * 10000 + b"1" + b"}" * 10000)


@case("json_deep_in_config", "not valid json", "a 5000-deep list inside an otherwise good layer config")
def _(out, m):
    mm = Model(TOK)
    mm.layer("lstm_LSTM1")["config"]["extra"] = "@@DEEP@@"
    t = mm.json_text().replace('"@@DEEP@@"', "[" * 5000 + "]" * 5000)
    raw_json(out, t.encode())


@case("json_trailing_comma", "not valid json", "a trailing comma before the last }")
def _(out, m):
    t = Model(TOK).json_text()
    raw_json(out, (t[:-1] + ",}").encode())


@case("json_python_nan", "not valid json", "mask_value written as NaN by Python's json.dump")
def _(out, m):
    mm = Model(FEAT)
    mm.layer("masking")["config"]["mask_value"] = "@@NAN@@"
    text = mm.json_text().replace('"@@NAN@@"', "NaN")
    mm.write(out, json_text=text)


@case("json_trailing_garbage", "not valid json", "a second object after the model")
def _(out, m):
    raw_json(out, Model(TOK).json_text().encode() + b"\n{}")


@case("json_nul_then_garbage", "not valid json", "a NUL byte and garbage after the model object")
def _(out, m):
    raw_json(out, Model(TOK).json_text().encode() + b"\0garbage")


@case("json_binary", "not valid json", "model.json is the binary shard")
def _(out, m):
    raw_json(out, Model(TOK).data())


@case("json_utf16", "not valid json", "model.json saved as UTF-16LE with BOM")
def _(out, m):
    raw_json(out, b"\xff\xfe" + Model(TOK).json_text().encode("utf-16-le"))


# ---- paths ----------------------------------------------------------------------

@case("no_model_json", "no model.json in this folder", "a folder holding only the shard")
def _(out, m):
    write(os.path.join(out, "weights.bin"), Model(TOK).data())


row("path_does_not_exist", "cases/does_not_exist", "no such file or directory", TOKENS,
    "a model path that does not exist")


row("path_is_shard", "cases/good_tokens/weights.bin", "not valid json", TOKENS,
    "the path of the shard given instead of the model")


@case("model_json_is_directory", "read error", "model.json is a folder")
def _(out, m):
    write(os.path.join(out, "model.json", "placeholder"), b"")
    write(os.path.join(out, "weights.bin"), Model(TOK).data())


row("model_json_path_form", "cases/missing_weight/model.json", "'lstm_lstm1/bias' is missing", TOKENS,
    "a broken model given by the path of its model.json")


# ---- control characters in names: the error must stay one line -----------------

@case("class_name_newline", "is not supported", "layer class \"Conv1D\\nfake second line\"", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["class_name"] = "Conv1D\nunroll trace: fake second line"
    m.write(out)


@case("layer_name_newline", "'stateful: true' is not supported",
      "LSTM named \"lstm\\nx\" with stateful: true", base=TOK)
def _(out, m):
    c = m.layer("lstm_LSTM1")["config"]
    c["name"] = "lstm\nfake second line"
    c["stateful"] = True
    m.write(out)


@case("weight_name_newline", "belongs to no layer", "manifest weight name with a newline", base=TOK)
def _(out, m):
    m.weights[m.windex("dense_Dense1/bias")][0]["name"] = "dense_Dense9/bias\nfake second line"
    m.write(out)


@case("shard_path_newline", "no such file or directory", "shard path \"weights\\n.bin\"", base=TOK)
def _(out, m):
    with_paths(m, out, ["weights\n.bin"], {"weights.bin": None})


@case("class_name_escape", "is not supported", "layer class holding an ANSI escape (ESC[2J)", base=TOK)
def _(out, m):
    m.layer("lstm_LSTM1")["class_name"] = "\x1b[2JLSTM"
    m.write(out)


# ---- good models with bad arguments --------------------------------------------

@case("good_tokens", None, "(good) lstm_basic copy, vocab 12, any length", base=TOK)
def _(out, m):
    m.write(out)


@case("good_fixed_len", None, "(good) functional LSTM model, input length 6", base=FUNC)
def _(out, m):
    m.write(out)


@case("good_features", None, "(good) Masking model, input [null, 6, 3]", base=FEAT)
def _(out, m):
    m.write(out)


@case("_outside", None, "(support) a shard outside the symlink cases' folders", base=TOK)
def _(out, m):
    m.write(out, json_text="{}")
    os.remove(os.path.join(out, "model.json"))


GT, GL, GF = "cases/good_tokens", "cases/good_fixed_len", "cases/good_features"
row("token_out_of_range", GT, "token 99 at position 0 is out of range", "--tokens 99",
    "token 99 on a vocabulary of 12")
row("token_equals_vocab", GT, "token 12 at position 2 is out of range", "--tokens 1,2,12",
    "token equal to input_dim")
row("token_negative", GT, "token -1 at position 1 is out of range", "--tokens 3,-1,4", "negative token")
row("tokens_abc", GT, "is not a comma-separated list of whole numbers", "--tokens abc", "--tokens abc")
row("tokens_empty", GT, "is not a comma-separated list of whole numbers", "--tokens=", "--tokens with empty value")
row("tokens_double_comma", GT, "is not a comma-separated list of whole numbers", "--tokens 1,,2", "--tokens 1,,2")
row("tokens_trailing_comma", GT, "is not a comma-separated list of whole numbers", "--tokens 1,2,",
    "--tokens 1,2,")
row("tokens_fraction", GT, "is not a comma-separated list of whole numbers", "--tokens 1.5", "--tokens 1.5")
row("tokens_overflow", GT, "is not a comma-separated list of whole numbers", "--tokens 99999999999",
    "a token beyond int range")
row("tokens_no_value", GT, "--tokens needs a value", "--tokens", "--tokens with no value")
row("tokens_missing", GT, "give exactly one of --tokens", "", "neither --tokens nor --input")
row("tokens_and_input", GT, "give exactly one of --tokens", "--tokens 1 --input [[0]]",
    "both --tokens and --input")
row("fixed_len_wrong_maxlen", GL, "takes exactly 6 tokens, got 3", "--tokens 1,2,3 --maxlen 3",
    "--maxlen 3 on a model whose input length is 6")
row("maxlen_zero", GT, "--maxlen '0' is not a whole number", "--tokens 1,2 --maxlen 0", "--maxlen 0")
row("maxlen_huge", GT, "is not a whole number from 1 to", "--tokens 1,2 --maxlen 100000000", "--maxlen 1e8")
row("features_wrong_steps", GF, "takes exactly 6 timesteps, --input has 1", "--input [[0,0,0]]",
    "one timestep for a model whose input length is 6")
row("features_wrong_width", GF, "must be a list of 3 numbers", "--input [[0,0],[0,0],[0,0],[0,0],[0,0],[0,0]]",
    "two features per step where the model takes three")
row("features_not_json", GF, "--input must be a json list", "--input [[0,0,0]", "--input not valid JSON")
row("features_not_number", GF, "is not a number",
    "--input [[0,0,0],[0,0,0],[0,0,0],[0,0,0],[0,0,0],[0,0,\"x\"]]", "a string among the features")
row("tokens_on_feature_model", GF, "use --input", TOKENS, "--tokens for a float-input model")
row("input_on_token_model", GT, "use --tokens", "--input [[0]]", "--input for an Embedding model")
row("unknown_option", GT, "unknown option '--frobnicate'", "--tokens 1 --frobnicate", "an unknown option")
row("two_model_paths", GT, "unexpected argument", "cases/good_tokens --tokens 1", "two model paths")

# ---- the same loader errors through `unroll summary` ---------------------------

row("summary_missing_weight", "cases/missing_weight", "is missing from the weightsmanifest", "summary",
    "summary on missing_weight")
row("summary_unknown_class", "cases/unknown_class_conv2d", "layer class 'conv2d' is not supported", "summary",
    "summary on unknown_class_conv2d")
row("summary_no_model_json", "cases/no_model_json", "no model.json in this folder", "summary",
    "summary on no_model_json")
row("summary_truncated_shard", "cases/truncated_shard", "truncated shard?", "summary",
    "summary on truncated_shard")
row("summary_symlink_out", "cases/shard_symlink_out", "links out of the model folder", "summary",
    "summary on shard_symlink_out")
row("summary_json_deep", "cases/json_deep_brackets", "not valid json", "summary", "summary on json_deep_brackets")


def main():
    if sys.argv[1:] == ["--table"]:
        print("| case | path | args | error must contain | what it checks |")
        print("|---|---|---|---|---|")
        for name, path, sub, args, desc, fn, base in ALL:
            if sub is None:
                continue
            a = args.replace("|", "\\|") if args else ""
            print("| `%s` | `%s` | %s | `%s` | %s |" % (name, path, "`%s`" % a if a else "",
                                                      sub.replace("|", "\\|"),
                                                      desc.replace("|", "\\|")))
        return
    if sys.argv[1:]:
        sys.exit("usage: make_bad_models.py [--table]")
    if os.path.lexists(CASES):
        shutil.rmtree(CASES)
    os.makedirs(CASES)
    names = set()
    lines = []
    for name, path, sub, args, desc, fn, base in ALL:
        assert name not in names, name
        names.add(name)
        if fn is not None:
            fn(os.path.join(CASES, name), Model(base) if base else None)
        if sub is None:
            continue  # a good model or support folder, not a case
        assert sub == sub.lower() and "\t" not in sub and "\n" not in sub, name
        assert sub not in path.lower(), "substring would match the path: " + name
        lines.append("\t".join([name, path, sub, args]) + "\n")
    with open(os.path.join(HERE, "cases.tsv"), "w", newline="\n") as f:
        f.writelines(lines)
    print("%d cases written to %s" % (len(lines), os.path.relpath(CASES)))


if __name__ == "__main__":
    main()
