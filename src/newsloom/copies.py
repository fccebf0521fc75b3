"""Copies: exact, near and partial duplicates, and which article is the original.

Each article's word 5-gram shingles get a MinHash signature (rensa); the signature's bands
go into an LSH index whose storage is injected: ``MemoryBands`` for a one-off batch,
``StoreBands`` to keep the index in the database across runs. Candidates from the index are
verified on the true shingle sets: ``near`` when the Jaccard similarity is high, ``partial``
when most of the shorter text is found in the longer one (a trimmed copy, a rewrite that keeps
the wire text). Within a group of copies the original is the earliest published; ties go to
the longer text, then to the smaller id, so the result does not depend on arrival order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from .errors import ConfigError
from .models import CopyLink


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyConfig:
    """``near_jaccard``: shingle Jaccard at or above which two texts are near copies;
    ``partial_containment``: share of the shorter text's shingles found in the longer one at or
    above which it is a partial copy; ``bands`` × ``rows`` = ``num_perm``."""

    shingle_words: int = 5
    num_perm: int = 126
    bands: int = 42
    near_jaccard: float = 0.7
    partial_containment: float = 0.5
    min_shingles: int = 20
    window_days: int = 30

    def __post_init__(self):
        if self.num_perm % self.bands:
            raise ConfigError(f"num_perm={self.num_perm} is not a multiple of bands={self.bands}",
                              "choose bands that divide num_perm, e.g. num_perm=126, bands=42")
        for name in ("near_jaccard", "partial_containment"):
            if not 0 < getattr(self, name) <= 1:
                raise ConfigError(f"{name}={getattr(self, name)} is outside (0, 1]", "use a share such as 0.5")
        if self.shingle_words < 1 or self.window_days < 1:
            raise ConfigError("shingle_words and window_days must be at least 1", "use the defaults 5 and 30")

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


_WORD = re.compile(r"\w+", re.U)


def shingles(text: str, size: int = 5) -> set[str]:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


class BandStorage(Protocol):
    def add(self, article_id: str, keys: list[tuple[int, int]], published: str | None) -> None: ...
    def candidates(self, keys: list[tuple[int, int]]) -> set[str]: ...
    def remove(self, article_id: str) -> None: ...
    def expire(self, before: str) -> int: ...


class MemoryBands:
    """LSH buckets in a dict: for a batch, a test, or a benchmark."""

    def __init__(self):
        self.buckets: dict[tuple[int, int], set[str]] = defaultdict(set)
        self.keys: dict[str, tuple[list[tuple[int, int]], str | None]] = {}

    def add(self, article_id, keys, published):
        for key in keys:
            self.buckets[key].add(article_id)
        self.keys[article_id] = (keys, published)

    def candidates(self, keys):
        found: set[str] = set()
        for key in keys:
            found |= self.buckets.get(key, set())
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


class StoreBands:
    """LSH buckets in the store's ``minhash_bands`` table: survives restarts."""

    def __init__(self, db):
        self.db = db

    def add(self, article_id, keys, published):
        self.db.executemany("INSERT OR IGNORE INTO minhash_bands (band, bucket, article_id, published) VALUES (?, ?, ?, ?)",
                            [(band, bucket, article_id, published) for band, bucket in keys])

    def candidates(self, keys):
        found: set[str] = set()
        for start in range(0, len(keys), 200):
            chunk = keys[start:start + 200]
            clause = " OR ".join(["(band = ? AND bucket = ?)"] * len(chunk))
            params = [value for key in chunk for value in key]
            found.update(row[0] for row in self.db.execute(f"SELECT article_id FROM minhash_bands WHERE {clause}", params))
        return found

    def remove(self, article_id):
        self.db.execute("DELETE FROM minhash_bands WHERE article_id = ?", (article_id,))

    def expire(self, before):
        return self.db.execute("DELETE FROM minhash_bands WHERE published IS NOT NULL AND published < ?", (before,)).rowcount


class CopyLookup(Protocol):
    """What the detector needs from the store."""

    def ids_with_hash(self, content_hash: str) -> list[str]: ...
    def texts(self, ids: list[str]) -> dict[str, tuple[str, str | None]]: ...
    def copy_group(self, article_id: str) -> list[dict]: ...


@dataclass(frozen=True, slots=True)
class CopyCandidate:
    """What the detector needs to know of an article in a copy group."""

    id: str
    published: str | None
    shingles: frozenset[str]


def original_key(candidate: CopyCandidate) -> tuple:
    """Sort key that puts the original of a group first, whatever the arrival order."""
    return (candidate.published or "9999", -len(candidate.shingles), candidate.id)


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

    def band_keys(self, shingle_set: set[str]) -> list[tuple[int, int]]:
        from rensa import RMinHash

        signature = RMinHash(num_perm=self.config.num_perm, seed=1)
        signature.update(sorted(shingle_set))
        digest = signature.digest()
        rows = self.config.rows
        # a tuple of ints hashes the same in every process (no hash randomisation for ints)
        return [(band, hash(tuple(digest[band * rows:(band + 1) * rows])) & 0x7FFFFFFFFFFFFFFF)
                for band in range(self.config.bands)]

    def candidates(self, article_id: str, shingle_set: set[str], published: str | None) -> set[str]:
        """Ids colliding with the article in the LSH index; the article is then indexed."""
        if len(shingle_set) < self.config.min_shingles:
            return set()
        keys = self.band_keys(shingle_set)
        found = self.storage.candidates(keys)
        found.discard(article_id)
        self.storage.add(article_id, keys, published)
        return found

    def relation(self, a: set[str], b: set[str]) -> tuple[str, float]:
        """How text ``a`` relates to text ``b``: exact, near (Jaccard) or partial (containment)."""
        if a == b:
            return "exact", 1.0
        common = len(a & b)
        jaccard = common / max(len(a | b), 1)
        if jaccard >= self.config.near_jaccard:
            return "near", round(jaccard, 3)
        return "partial", round(common / max(min(len(a), len(b)), 1), 3)

    def is_copy(self, a: set[str], b: set[str]) -> bool:
        kind, score = self.relation(a, b)
        return kind != "partial" or score >= self.config.partial_containment

    def process(self, article_id: str, text: str, content_hash: str, published: str | None) -> list[CopyLink]:
        """Index a new article; return the links of every member of its copy group (empty when
        it copies nothing). The original of the group has no link."""
        mine = shingles(text, self.config.shingle_words)
        ids = set(self.lookup.ids_with_hash(content_hash)) | self.candidates(article_id, mine, published)
        ids.discard(article_id)
        if not ids:
            return []
        texts = self.lookup.texts(sorted(ids))
        sets = {i: shingles(t, self.config.shingle_words) for i, (t, _) in texts.items()}
        matched = [i for i in sorted(sets) if self.is_copy(mine, sets[i])]
        if not matched:
            return []
        members: dict[str, CopyCandidate | None] = {article_id: CopyCandidate(article_id, published, frozenset(mine))}
        for other in matched:
            for row in self.lookup.copy_group(other):
                members.setdefault(row["id"], None)
        missing = [i for i, m in members.items() if m is None]
        for i, (t, day) in self.lookup.texts(missing).items():
            members[i] = CopyCandidate(i, day, frozenset(sets.get(i) or shingles(t, self.config.shingle_words)))
        group = sorted((m for m in members.values() if m is not None), key=original_key)
        original = group[0]
        return [CopyLink(m.id, original.id, *self.relation(set(m.shingles), set(original.shingles)))
                for m in group[1:]]
