"""Near-duplicate articles (the same wire story carried by several outlets): MinHash + LSH.

Duplicates are linked to the first copy stored, never dropped.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
THRESHOLD = 0.6
SHINGLE = 5
SCHEME = "affine64"  # stored signatures are uint64 values of this permutation scheme
_WORD = re.compile(r"\w+")


def signature(text: str) -> MinHash:
    """MinHash of the article's word 5-shingles."""
    words = _WORD.findall(text.lower())
    m = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    shingles = {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def to_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.frombuffer(data, dtype=np.uint64))


class DuplicateIndex:
    """Finds, for a new article, an earlier article that is nearly the same text."""

    def __init__(self, existing: Iterable[tuple[str, bytes]] = ()):
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.signatures: dict[str, MinHash] = {}
        for doc_id, data in existing:
            self._insert(doc_id, from_bytes(data))

    def _insert(self, doc_id: str, m: MinHash) -> None:
        if doc_id not in self.signatures:
            self.lsh.insert(doc_id, m)
            self.signatures[doc_id] = m

    def add(self, doc_id: str, text: str) -> tuple[bytes, tuple[str, float] | None]:
        """Index an article; return its signature and (earlier doc_id, similarity) if it is a near-duplicate."""
        m = signature(text)
        best: tuple[str, float] | None = None
        for other in self.lsh.query(m):
            if other == doc_id:
                continue
            sim = float(m.jaccard(self.signatures[other]))
            if sim >= THRESHOLD and (best is None or sim > best[1] or (sim == best[1] and other < best[0])):
                best = (other, round(sim, 3))
        self._insert(doc_id, m)
        return to_bytes(m), best
