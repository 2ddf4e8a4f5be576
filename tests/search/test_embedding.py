"""The embedding engine: the pinned files, unit vectors, and meaning over wording."""

from __future__ import annotations

import numpy as np

from agent_hub.search import embedding


def test_pinned_files_load_and_vectors_are_unit_length() -> None:
    embedding.verify()  # the installed model.onnx and the shipped tokenizer are the pinned ones
    engine = embedding.engine()
    assert engine is not None
    vectors = engine.embed(["login credential expired", ""])
    assert vectors.shape == (2, embedding.DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_meaning_not_wording() -> None:
    engine = embedding.engine()
    assert engine is not None
    query, paraphrase, unrelated = engine.embed(
        ["auth token problem", "my login credential expired and I cannot sign in", "lobsters molt in the spring"]
    )
    assert float(query @ paraphrase) > float(query @ unrelated) + 0.2
    # Batched in length order, a text gets the vector it gets alone.
    texts = ["short", "a much longer sentence about lobsters molting on the reef at night"]
    assert np.allclose(engine.embed_batched(texts, batch=2), np.vstack([engine.embed([t]) for t in texts]), atol=1e-4)


def test_parallel_batches_give_the_same_vectors() -> None:
    # The indexer's engine runs its batches two at a time; each text keeps its own vector, in
    # its own row, whatever order the batches finish in.
    one, two = embedding.engine(1), embedding.engine(2)
    assert one is not None and two is not None
    texts = [f"post number {i} about {'lobsters ' * (i % 7)}molting" for i in range(23)]
    assert np.allclose(two.embed_batched(texts, batch=3), one.embed_batched(texts, batch=5), atol=1e-4)
