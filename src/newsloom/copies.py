"""Copies: exact, near and partial duplicates, and which article is the original.

Each article's word 5-gram shingles get a MinHash signature (rensa); the signature's bands
go into an LSH index whose storage is injected: ``MemoryBands`` for a one-off batch,
``store.StoreBands`` to keep the index in the database across runs. Candidates from the index are
verified on the true shingle sets: ``near`` when the Jaccard similarity is high, ``partial``
when most of the shorter text is found in the longer one (a trimmed copy, a rewrite that keeps
the wire text). Within a group of copies the original is the earliest published; ties go to
the longer text, then to the smaller id, so the result does not depend on arrival order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import numpy as np

from .errors import ConfigError
from .models import NO_DATE, CopyLink, CopyMember, day_of


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyConfig:
    """``near_jaccard``: shingle Jaccard at or above which two texts are near copies;
    ``partial_containment``: share of the shorter text's shingles found in the longer one at or
    above which it is a partial copy; ``bands`` × ``rows`` = ``num_perm``."""

    shingle_words: int = 5
    num_perm: int = 126
    bands: int = 42  # at most 256
    near_jaccard: float = 0.7
    partial_containment: float = 0.5
    min_shingles: int = 20
    window_days: int = 30
    engine: str = "rensa"  # or "datasketch" (slower; kept for comparison, needs the bench extra)

    def __post_init__(self):
        if self.num_perm % self.bands or not 1 <= self.bands <= 256:
            raise ConfigError(f"num_perm={self.num_perm} is not a multiple of bands={self.bands}",
                              "choose bands that divide num_perm, e.g. num_perm=126, bands=42")
        for name in ("near_jaccard", "partial_containment"):
            if not 0 < getattr(self, name) <= 1:
                raise ConfigError(f"{name}={getattr(self, name)} is outside (0, 1]", "use a share such as 0.5")
        if self.engine not in ("rensa", "datasketch"):
            raise ConfigError(f"engine={self.engine!r} is not a MinHash library newsloom knows", "use 'rensa' or 'datasketch'")
        if self.shingle_words < 1 or self.window_days < 1:
            raise ConfigError("shingle_words and window_days must be at least 1", "use the defaults 5 and 30")

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands

    def index_settings(self) -> dict[str, str]:
        """What the stored LSH bands depend on: a store's bands are usable only with these."""
        return {"copies.shingle_words": str(self.shingle_words), "copies.num_perm": str(self.num_perm),
                "copies.bands": str(self.bands), "copies.engine": self.engine}


_UNICODE_PUNCTUATION = re.compile("[\u2018\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026\u00b7\u2022\u00a0]")
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[list(b"abcdefghijklmnopqrstuvwxyz0123456789")] = True
_WORD_BYTE[0x80:] = True  # bytes of non-ASCII letters
_POSITION_WEIGHTS = np.random.default_rng(20240601).integers(1, 2**63, size=64, dtype=np.uint64) | np.uint64(1)
_MULTIPLIER = np.uint64(1099511628211)


def _bytes_of(text: str) -> np.ndarray:
    return np.frombuffer(_UNICODE_PUNCTUATION.sub(" ", text.lower()).encode("utf-8"), dtype=np.uint8)


def _word_hashes_with_starts(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash per word of a byte array (lower-cased UTF-8, hashed with numpy: the same in
    every process, so signatures stored yesterday match today's) and the byte position where
    each word starts."""
    positions = np.flatnonzero(_WORD_BYTE[data])
    if not len(positions):
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    starts = np.empty(len(positions), dtype=bool)
    starts[0] = True
    np.greater(np.diff(positions), 1, out=starts[1:])
    first = np.flatnonzero(starts)
    offset = np.arange(len(positions)) - np.repeat(first, np.diff(first, append=len(positions)))
    values = data[positions].astype(np.uint64) * _POSITION_WEIGHTS[offset & 63]
    return np.add.reduceat(values, first), positions[first]


class ShingleHasher:
    """Word n-gram shingles of a text as 64-bit hashes."""

    def __init__(self, size: int = 5):
        self.size = size

    def __call__(self, text: str) -> np.ndarray:
        return self.many([text])[0]

    def many(self, texts: list[str], chunk: int = 16) -> list[np.ndarray]:
        """Shingles of many texts, a few texts per pass of numpy (fewer calls than one text at a
        time, arrays small enough to stay in cache). A text shorter than one shingle gives its
        first word's hash, an empty text nothing."""
        result = []
        for start in range(0, len(texts), chunk):
            result += self._many(texts[start:start + chunk])
        return result

    def _many(self, texts: list[str]) -> list[np.ndarray]:
        chunks = [_bytes_of(text) for text in texts]
        bounds = np.cumsum([len(c) + 1 for c in chunks])  # one separator byte after each text
        data = np.concatenate([piece for c in chunks for piece in (c, _SEPARATOR)]) if chunks else _SEPARATOR
        words, word_starts = _word_hashes_with_starts(data)
        owner = np.searchsorted(bounds, word_starts, side="right")
        per_text = np.bincount(owner, minlength=len(texts))
        n = len(words) - self.size + 1
        if n > 0:
            shingle = words[:n].copy()
            for k in range(1, self.size):
                shingle = shingle * _MULTIPLIER + words[k:k + n]
            within = owner[:n] == owner[self.size - 1:]
        else:
            shingle, within = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bool)
        kept_owner = owner[:n][within] if n > 0 else np.zeros(0, dtype=np.int64)
        result = np.split(shingle[within], np.cumsum(np.bincount(kept_owner, minlength=len(texts)))[:-1])
        word_splits = np.split(words, np.cumsum(per_text)[:-1])
        return [s if len(s) or not len(w) else w[:1] for s, w in zip(result, word_splits)]


_SEPARATOR = np.zeros(1, dtype=np.uint8)


class BandStorage(Protocol):
    """Where LSH buckets live. A key is one band of a signature, salted with the band's number,
    so keys of different bands never collide."""

    def add(self, article_id: str, keys: list[int], published: str | None) -> None: ...
    def candidates(self, keys: list[int]) -> set[str]: ...
    def remove(self, article_id: str) -> None: ...
    def expire(self, before: str) -> int: ...


class MemoryBands:
    """LSH buckets in a dict: for a batch, a test, or a benchmark."""

    def __init__(self):
        self.buckets: dict[int, set[str]] = defaultdict(set)
        self.keys: dict[str, tuple[list[int], str | None]] = {}

    def add(self, article_id, keys, published):
        for key in keys:
            self.buckets[key].add(article_id)
        self.keys[article_id] = (keys, published)

    def candidates(self, keys):
        found: set[str] = set()
        buckets = self.buckets
        for key in keys:
            if key in buckets:
                found.update(buckets[key])
        return found

    def remove(self, article_id):
        keys, _ = self.keys.pop(article_id, ([], None))
        for key in keys:
            self.buckets[key].discard(article_id)

    def expire(self, before):
        old = [a for a, (_, published) in self.keys.items() if published and published < before]
        for article_id in old:
            self.remove(article_id)
        return len(old)


class CopyLookup(Protocol):
    """What the detector needs from the store."""

    def ids_with_hash(self, content_hash: str) -> list[str]: ...
    def texts(self, ids: list[str]) -> dict[str, tuple[str, str | None]]: ...
    def copy_group(self, article_id: str) -> list[CopyMember]: ...


@dataclass(frozen=True, slots=True)
class CopyCandidate:
    """What the detector needs to know of an article in a copy group."""

    id: str
    published: str | None
    shingles: np.ndarray  # sorted unique shingle hashes


def original_key(candidate: CopyCandidate) -> tuple:
    """Sort key that puts the original of a group first, whatever the arrival order."""
    return (candidate.published or NO_DATE, -len(candidate.shingles), candidate.id)


def signatures(shingle_arrays: list[np.ndarray], config: CopyConfig) -> np.ndarray:
    """MinHash signatures of many shingle arrays at once: one row per text."""
    if config.engine == "datasketch":
        try:
            from datasketch import MinHash
        except ImportError:
            raise ConfigError("engine='datasketch' needs the datasketch package",
                              "pip install 'newsloom[bench]', or use engine='rensa'") from None
        hashes = MinHash.bulk([a.view("S8").tolist() for a in shingle_arrays], num_perm=config.num_perm, seed=1)
        return np.array([m.hashvalues for m in hashes], dtype=np.uint64).reshape(len(shingle_arrays), config.num_perm)
    from rensa import RMinHash

    offsets = np.r_[0, np.cumsum([len(a) for a in shingle_arrays])].astype(np.uint64)
    flat = np.concatenate(shingle_arrays) if shingle_arrays else np.zeros(0, np.uint64)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, config.num_perm, 1)
    return np.array(matrix.to_rows(), dtype=np.uint64).reshape(len(shingle_arrays), config.num_perm)


_BAND_WEIGHTS = np.array([1099511628211 ** k % (1 << 64) for k in range(64)], dtype=np.uint64)
_BAND_SALTS = np.random.default_rng(7).integers(1, 2**63, size=256, dtype=np.uint64)


def band_keys(signature_rows: np.ndarray, config: CopyConfig) -> np.ndarray:
    """One key per band per row: the band's values combined into a 63-bit integer, salted
    with the band's number."""
    rows = signature_rows.reshape(len(signature_rows), config.bands, config.rows)
    keys = (rows * _BAND_WEIGHTS[:config.rows]).sum(axis=2, dtype=np.uint64) ^ _BAND_SALTS[:config.bands]
    return (keys >> np.uint64(1)).astype(np.int64)


class CopyDetector:
    """Find the copies of each new article among those seen before it, and re-root groups.

    A group of copies is a star: every member points at the group's original, the member
    with the smallest ``original_key``. Because each pair of related articles is checked when
    the later of the two arrives, the groups and their originals do not depend on the order
    in which articles arrive.
    """

    def __init__(self, storage: BandStorage, lookup: CopyLookup, config: CopyConfig | None = None):
        self.storage = storage
        self.lookup = lookup
        self.config = config or CopyConfig()
        self.shingles = ShingleHasher(self.config.shingle_words)

    def shingle_set(self, text: str) -> np.ndarray:
        return np.unique(self.shingles(text))

    def candidates(self, article_id: str, keys: np.ndarray, published: str | None) -> set[str]:
        """Ids colliding with the article in the LSH index; the article is then indexed."""
        keys = keys.tolist()
        found = self.storage.candidates(keys)
        found.discard(article_id)
        self.storage.add(article_id, keys, published)
        return found

    def _within_window(self, a: str | None, b: str | None) -> bool:
        first, second = day_of(a), day_of(b)
        return not first or not second or abs((first - second).days) <= self.config.window_days

    def expire(self, latest: str | None) -> int:
        """Forget the signatures of articles published more than the window before ``latest``
        (the newest stored article); return how many were forgotten. Exact copies are still
        found at any distance, by their content hash."""
        newest = day_of(latest)
        return self.storage.expire((newest - timedelta(days=self.config.window_days)).isoformat()) if newest else 0

    def remove(self, article_id: str) -> list[CopyLink]:
        """Take an article out of the index before it leaves the store. When it was the
        original of a group, return the new links of its former copies: the one with the
        smallest ``original_key`` becomes their original, and each of the others stays its
        copy if it still is one (a former copy without a link becomes an original)."""
        self.storage.remove(article_id)
        group = [member.id for member in self.lookup.copy_group(article_id)]
        if not group or group[0] != article_id or len(group) < 2:
            return []
        texts = self.lookup.texts(group[1:])
        members = sorted((CopyCandidate(i, day, self.shingle_set(t)) for i, (t, day) in texts.items()),
                         key=original_key)
        if not members:
            return []
        original = members[0]
        links = []
        for member in members[1:]:
            if self.is_copy(member.shingles, original.shingles):
                links.append(CopyLink(member.id, original.id, *self.relation(member.shingles, original.shingles)))
        return links

    def relation(self, a: np.ndarray, b: np.ndarray) -> tuple[str, float]:
        """How text ``a`` relates to text ``b`` (sorted unique shingle hashes): exact, near
        (Jaccard) or partial (containment of the shorter in the longer)."""
        common = len(np.intersect1d(a, b, assume_unique=True))
        if common == len(a) == len(b):
            return "exact", 1.0
        jaccard = common / max(len(a) + len(b) - common, 1)
        if jaccard >= self.config.near_jaccard:
            return "near", round(jaccard, 3)
        return "partial", round(common / max(min(len(a), len(b)), 1), 3)

    def is_copy(self, a: np.ndarray, b: np.ndarray) -> bool:
        kind, score = self.relation(a, b)
        return kind != "partial" or score >= self.config.partial_containment

    def process(self, article_id: str, text: str, content_hash: str, published: str | None) -> list[CopyLink]:
        """Index a new article; return the links of every member of its copy group (empty when
        it copies nothing). The original of the group has no link."""
        raw = self.shingles(text)
        exact = set(self.lookup.ids_with_hash(content_hash))
        near: set[str] = set()
        if len(raw) >= self.config.min_shingles:
            keys = band_keys(signatures([raw], self.config), self.config)[0]
            near = self.candidates(article_id, keys, published)
        ids = (exact | near) - {article_id}
        if not ids:
            return []
        mine = np.unique(raw)
        texts = self.lookup.texts(sorted(ids))
        # near copies are looked for within the window, in one run as across runs (where the
        # index forgets older signatures); the same text is a copy however far apart
        texts = {i: (t, day) for i, (t, day) in texts.items() if i in exact or self._within_window(published, day)}
        ids = set(texts)
        if not ids:
            return []
        sets = {i: self.shingle_set(t) for i, (t, _) in texts.items()}
        matched = [i for i in sorted(sets) if self.is_copy(mine, sets[i])]
        if not matched:
            return []
        # join a group only through its original: a text that shares boilerplate with one
        # member of a group must not chain two groups together
        members: dict[str, CopyCandidate | None] = {article_id: CopyCandidate(article_id, published, mine)}
        for other in matched:
            group = [member.id for member in self.lookup.copy_group(other)]
            root = group[0]
            if root not in sets:
                sets.update({i: self.shingle_set(t) for i, (t, _) in self.lookup.texts([root]).items()})
            if root in sets and self.is_copy(mine, sets[root]):
                for member in group:
                    members.setdefault(member, None)
        missing = [i for i, m in members.items() if m is None]
        for i, (t, day) in self.lookup.texts(missing).items():
            members[i] = CopyCandidate(i, day, sets[i] if i in sets else self.shingle_set(t))
        group = sorted((m for m in members.values() if m is not None), key=original_key)
        original = group[0]
        return [CopyLink(m.id, original.id, *self.relation(m.shingles, original.shingles)) for m in group[1:]]


class MemoryLookup:
    """A ``CopyLookup`` over a dict, for tests and benchmarks: add articles, apply links."""

    def __init__(self):
        self.articles: dict[str, tuple[str, str | None]] = {}
        self.by_hash: dict[str, list[str]] = defaultdict(list)
        self.duplicate_of: dict[str, str] = {}

    def add(self, article_id: str, text: str, published: str | None, content_hash: str) -> None:
        self.articles[article_id] = (text, published)
        self.by_hash[content_hash].append(article_id)

    def apply(self, links: list[CopyLink]) -> None:
        for link in links:
            self.duplicate_of[link.article] = link.original
            self.duplicate_of.pop(link.original, None)

    def ids_with_hash(self, content_hash):
        return list(self.by_hash.get(content_hash, ()))

    def texts(self, ids):
        return {i: self.articles[i] for i in ids if i in self.articles}

    def copy_group(self, article_id):
        root = self.duplicate_of.get(article_id, article_id)
        members = [root] + [a for a, o in self.duplicate_of.items() if o == root]
        return [CopyMember(member, duplicate_of=self.duplicate_of.get(member)) for member in dict.fromkeys(members)]
