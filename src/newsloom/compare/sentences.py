"""Sentence vectors: each article's sentences encoded once, at ingest, and kept in the store,
so comparing a story reads them instead of encoding its articles again.

``SentenceVectors.of(texts, encode)`` splits each text into sentences (the claims step's
splitter) and encodes them in one batch; ``to_bytes``/``from_bytes`` give the stored form
(int32 spans, int8 vectors: a unit vector's components times 127, a cosine within about 1 %).
``lookup`` turns stored sentences into a text → vector map the comparison encodes through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .claims import split_sentences

SCALE = 127.0


@dataclass(frozen=True, slots=True)
class SentenceVectors:
    spans: tuple[tuple[int, int], ...]
    vectors: np.ndarray  # float32, one unit row per span

    @staticmethod
    def of(texts: list[str], encode) -> list[SentenceVectors]:
        spans = [split_sentences(text) for text in texts]
        sentences = [text[s:e] for text, pieces in zip(texts, spans) for s, e in pieces]
        vectors = encode(sentences) if sentences else np.zeros((0, 1), dtype=np.float32)
        result, at = [], 0
        for pieces in spans:
            result.append(SentenceVectors(tuple(pieces), np.asarray(vectors[at:at + len(pieces)], dtype=np.float32)))
            at += len(pieces)
        return result

    def to_bytes(self) -> tuple[bytes, bytes]:
        spans = np.asarray(self.spans, dtype=np.int32).reshape(-1, 2)
        return spans.tobytes(), np.clip(np.round(self.vectors * SCALE), -127, 127).astype(np.int8).tobytes()

    @staticmethod
    def from_bytes(spans: bytes, vectors: bytes) -> SentenceVectors:
        pairs = np.frombuffer(spans, dtype=np.int32).reshape(-1, 2)
        matrix = np.frombuffer(vectors, dtype=np.int8).astype(np.float32).reshape(len(pairs), -1) / SCALE
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return SentenceVectors(tuple(map(tuple, pairs.tolist())), matrix / np.maximum(norms, 1e-9))


def lookup(texts: dict[str, str], stored: dict[str, SentenceVectors]) -> dict[str, np.ndarray]:
    """Sentence text (as a claim gives it: no closing full stop) → its stored vector."""
    found = {}
    for article_id, vectors in stored.items():
        text = texts.get(article_id, "")
        for (start, end), vector in zip(vectors.spans, vectors.vectors):
            found[text[start:end].strip().rstrip(" .")] = vector
    return found


def encoder_with(known: dict[str, np.ndarray], encode):
    """``encode`` that takes the vectors it already knows and encodes only the rest."""
    def encode_known(units: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(u for u in units if u not in known))
        fresh = dict(zip(missing, encode(missing))) if missing else {}
        return np.stack([known[u] if u in known else fresh[u] for u in units]).astype(np.float32)
    return encode_known
