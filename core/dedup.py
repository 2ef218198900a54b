"""Exact and near-duplicate detection for copy-paste campaigns, and bursts from one source.

A campaign is many residents (or one resident many times) sending the same text with small edits.
Moderators answer it once, as a cluster. Texts are compared on their matching form
(core.screening.normalize_text), so punctuation, spacing and full/half width never separate two copies.
Near duplicates use character 3-gram shingles (Chinese has no spaces to split words on), MinHash signatures
and LSH banding from datasketch, so clustering is roughly linear in the number of texts instead of
comparing every pair.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from core.screening import normalize_text

if TYPE_CHECKING:
    from datasketch import MinHash
    from numpy import ndarray

SHINGLE_SIZE = 3
DEFAULT_THRESHOLD = 0.7
# Below this many characters (matching form) a few shared shingles decide everything ("同意" vs "不同意"), so
# short texts only cluster with exact copies.
MIN_NEAR_DUPLICATE_LENGTH = 10
NUM_PERMUTATIONS = 128
# A query costs as much as the members it finds, so a campaign of 20,000 copies would make clustering
# quadratic. Past this many indexed members a cluster has enough variety to catch new copies; later members
# join it without being indexed themselves.
MAX_INDEXED_PER_CLUSTER = 64
# Candidates whose estimated similarity falls this far (over three standard errors) below the threshold are
# dropped without the exact comparison.
ESTIMATE_MARGIN = 0.15


def _digest(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def fingerprint(text: str) -> str:
    """Return the SHA-256 hex digest of the matching form of `text`: equal for exact duplicates."""
    return _digest(normalize_text(text))


def _shingles(normalized: str) -> set[bytes]:
    """Return the character n-grams of a matching form, as UTF-32 bytes ready for hashing."""
    # UTF-32 gives every character four bytes, so an n-gram is a fixed-width slice of one encoding, and CRC-32
    # (C code, far faster than datasketch's default SHA-1) hashes it without a Python call per n-gram.
    encoded = normalized.encode("utf-32-le")
    width = 4 * SHINGLE_SIZE
    if len(encoded) <= width:
        return {encoded}
    return {encoded[i : i + width] for i in range(0, len(encoded) - width + 4, 4)}


def _jaccard(shingles_a: set[bytes], shingles_b: set[bytes]) -> float:
    return len(shingles_a & shingles_b) / len(shingles_a | shingles_b)


def similarity(a: str, b: str) -> float:
    """Return the Jaccard similarity of the shingles of two texts (1.0 for the same matching form)."""
    return _jaccard(_shingles(normalize_text(a)), _shingles(normalize_text(b)))


class NearDuplicateIndex:
    """Texts added one by one, grouped into clusters of exact and near duplicates.

    A cluster is named by the first item added to it, so adding comments in submission order names each
    campaign by its earliest comment.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERMUTATIONS) -> None:
        # datasketch pulls in scipy (about 70 MB per process); only processes that cluster should pay for it.
        from datasketch import MinHash, MinHashLSH

        self.threshold = threshold
        # Candidates are confirmed exactly below, so a false candidate costs only a comparison while a missed
        # one splits a campaign: weigh misses 9:1, which finds ~92% of pairs at the threshold, not ~44%.
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.1, 0.9))
        self._minhash_type = MinHash
        self._least_equal_hashes = (threshold - ESTIMATE_MARGIN) * num_perm
        # Every signature must use the same permutations; making them once saves redoing it per text.
        self._template = MinHash(num_perm=num_perm)
        # Signature and matching form of each indexed text. The signature's estimate of the similarity (give
        # or take 0.04 at 128 permutations) cheaply drops far-off candidates; the text gives the exact figure
        # that decides.
        self._indexed: dict[Hashable, tuple[ndarray, str]] = {}
        self._indexed_in_cluster: Counter[Hashable] = Counter()  # by cluster root
        self._first_with_fingerprint: dict[str, Hashable] = {}
        self._parent: dict[Hashable, Hashable] = {}
        self._order: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self._order)

    def _root(self, item_id: Hashable) -> Hashable:
        root = item_id
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[item_id] != root:  # path compression keeps later look-ups O(1)
            self._parent[item_id], item_id = root, self._parent[item_id]
        return root

    def _union(self, a: Hashable, b: Hashable) -> Hashable:
        root_a, root_b = self._root(a), self._root(b)
        if root_a == root_b:
            return root_a
        earlier, later = sorted((root_a, root_b), key=self._order.__getitem__)
        self._parent[later] = earlier
        self._indexed_in_cluster[earlier] += self._indexed_in_cluster.pop(later, 0)
        return earlier

    def _signature(self, shingles: set[bytes]) -> MinHash:
        minhash = self._minhash_type(
            num_perm=self._template.num_perm,
            hashfunc=zlib.crc32,
            permutations=self._template.permutations,
            scheme=self._template.scheme,
        )
        minhash.update_batch(shingles)
        return minhash

    def add(self, item_id: Hashable, text: str) -> Hashable | None:
        """Add a text; return the cluster (its first item) it duplicates, or None when it is new."""
        if item_id in self._order:
            raise ValueError(f"item {item_id!r} was already added")
        self._order[item_id] = len(self._order)
        self._parent[item_id] = item_id
        normalized = normalize_text(text)
        exact_copy_of = self._first_with_fingerprint.setdefault(_digest(normalized), item_id)
        if exact_copy_of != item_id:
            # An exact copy adds nothing to the LSH index that its original is not already there for.
            return self._union(exact_copy_of, item_id)
        if len(normalized) < MIN_NEAR_DUPLICATE_LENGTH:
            return None
        shingles = _shingles(normalized)
        signature = self._signature(shingles)
        joined: Hashable | None = None
        for candidate in self._lsh.query(signature):
            if self._root(candidate) == self._root(item_id):
                continue  # already joined through another member; skip the comparison
            candidate_hashes, candidate_text = self._indexed[candidate]
            # The share of equal MinHash values estimates the similarity (as MinHash.jaccard does, minus checks).
            if (candidate_hashes == signature.hashvalues).sum() < self._least_equal_hashes:
                continue
            if _jaccard(shingles, _shingles(candidate_text)) >= self.threshold:
                joined = self._union(candidate, item_id)
        root = self._root(item_id)
        if self._indexed_in_cluster[root] < MAX_INDEXED_PER_CLUSTER:
            self._indexed_in_cluster[root] += 1
            self._indexed[item_id] = (signature.hashvalues, normalized)
            self._lsh.insert(item_id, signature, check_duplication=False)
        return joined

    def cluster_of(self, item_id: Hashable) -> Hashable:
        """Return the cluster (its first item) of an added item."""
        return self._root(item_id)

    def clusters(self) -> dict[Hashable, Hashable]:
        """Return every added item mapped to its cluster; an item with no duplicate maps to itself."""
        return {item_id: self._root(item_id) for item_id in self._order}


def cluster(items: Iterable[tuple[Hashable, str]], threshold: float = DEFAULT_THRESHOLD) -> dict[Hashable, Hashable]:
    """Cluster (id, text) pairs: each id maps to the first id of its cluster, or to itself if unique."""
    index = NearDuplicateIndex(threshold=threshold)
    for item_id, text in items:
        index.add(item_id, text)
    return index.clusters()
