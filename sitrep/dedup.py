"""Near-duplicate articles (the same wire story carried by several outlets): MinHash + LSH.

Duplicates are linked to an earlier stored copy, never dropped: the most similar one, and among
equally similar ones the smallest doc_id, so the link does not depend on the hash seed or on the
order LSH hands candidates back.  The store links each batch inside its write transaction, after
catching the index up with what other processes stored meanwhile (`catch_up`), so concurrent
ingests link each other's copies too.
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
        self.last_row = 0  # the highest store row id `catch_up` has seen
        for doc_id, data in existing:
            self._insert(doc_id, from_bytes(data))

    def _insert(self, doc_id: str, m: MinHash) -> bool:
        if doc_id in self.signatures:
            return False
        self.lsh.insert(doc_id, m)
        self.signatures[doc_id] = m
        return True

    def catch_up(self, rows: Iterable[tuple[int, str, bytes]]) -> None:
        """Index stored (row id, doc_id, signature) rows this index has not seen, e.g. another process's."""
        for row_id, doc_id, data in rows:
            self._insert(doc_id, from_bytes(data))
            self.last_row = max(self.last_row, int(row_id))

    def forget(self, doc_ids: Iterable[str]) -> None:
        """Take articles out again (their batch was rolled back and will be linked afresh)."""
        for doc_id in doc_ids:
            if self.signatures.pop(doc_id, None) is not None:
                self.lsh.remove(doc_id)

    def add(self, doc_id: str, text: str) -> tuple[bytes, tuple[str, float] | None]:
        """Index an article; return its signature and (earlier doc_id, similarity) if it is a near-duplicate."""
        m = signature(text)
        best = self.nearest(doc_id, m)
        self._insert(doc_id, m)
        return to_bytes(m), best

    def link(self, articles: Iterable[tuple[str, str]]) -> tuple[dict[str, tuple[str, float]], dict[str, bytes], list[str]]:
        """Index (doc_id, text) pairs in order: their near-duplicate links, their signatures, and the doc_ids
        newly indexed (for `forget`, should the batch not be written)."""
        links: dict[str, tuple[str, float]] = {}
        signatures: dict[str, bytes] = {}
        added: list[str] = []
        for doc_id, text in articles:
            m = signature(text)
            best = self.nearest(doc_id, m)
            if self._insert(doc_id, m):
                added.append(doc_id)
            signatures[doc_id] = to_bytes(m)
            if best:
                links[doc_id] = best
        return links, signatures, added

    def nearest(self, doc_id: str, m: MinHash) -> tuple[str, float] | None:
        """The indexed article most similar to `m` (at least THRESHOLD), ties to the smallest doc_id;
        the similarity rounded to 3 places for storage (compared unrounded)."""
        best: tuple[str, float] | None = None
        for other in self.lsh.query(m):
            if other == doc_id:
                continue
            sim = float(m.jaccard(self.signatures[other]))
            if sim >= THRESHOLD and (best is None or sim > best[1] or (sim == best[1] and other < best[0])):
                best = (other, sim)
        return (best[0], round(best[1], 3)) if best else None
