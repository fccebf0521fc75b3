"""Summary: the story in a few sentences, each verbatim from an outlet with its citation.

The main event first — the claim the most independent origins state, nearest the top of the
articles (the lead says who, what, where, how many) — then the other corroborated claims by
how many origins state them, then, if room is left, the leads of single-source claims. No two
sentences say the same thing: a sentence too close to one already chosen (encoder cosine, or
the same claim row) is left out.
"""

from __future__ import annotations

import numpy as np

from ..models import ClaimRow, SummarySentence


def summarise(rows: list[ClaimRow], encode, size: int, redundancy: float = 0.75) -> list[SummarySentence]:
    candidates = []
    for row in rows:
        if row.status == "contested":
            continue
        lead = min(row.evidence, key=lambda e: e.start)
        rank = (0 if row.status == "corroborated" else 1, -row.origins, lead.start > 400, lead.start)
        candidates.append((rank, lead))
    candidates.sort(key=lambda pair: pair[0])
    if not candidates:
        return []
    sentences = list(dict.fromkeys(e.sentence for _, e in candidates))
    vectors = dict(zip(sentences, encode(sentences)))
    chosen: list[SummarySentence] = []
    chosen_vectors: list[np.ndarray] = []
    for _, evidence in candidates:
        vector = vectors[evidence.sentence]
        if any(float(vector @ other) > redundancy for other in chosen_vectors):
            continue
        chosen.append(SummarySentence(evidence.sentence, evidence.article, evidence.source))
        chosen_vectors.append(vector)
        if len(chosen) == size:
            break
    return chosen
