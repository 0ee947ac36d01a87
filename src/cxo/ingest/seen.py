"""Which rows of a streamed import may repeat an earlier key: a Bloom filter over key hashes.

Duplicate keys are only known once the whole file has been validated, but a rejected
duplicate needs its original text in the quarantine. Rather than reading the file a second
time, each group's key hashes are checked against the keys seen so far: a row whose key was
(probably) seen before keeps its text while it is being validated. A Bloom filter has no
false negatives, so every later occurrence of a key is flagged; ~3.7 % of the other rows are
flagged too at 10M distinct keys, ~0.4 % at 1M (harmless: their text is kept, then ignored).
When the source says how many rows it has (Parquet, XLSX), the filter grows with it: 16 bits
per row, up to 2^31 bits (256 MB) — at 100M keys 2^28 bits would flag ~31 % of the rows at the
end of the file (their text kept, their keys grouped), 2^31 bits ~4.5 %.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BITS_LOG2 = 28
"""2^28 bits = 32 MB. One probe: ~3.7 % false positives at 10M keys, ~0.4 % at 1M (memory
traffic, not arithmetic, is the cost here, so one probe beats three)."""
MAX_BITS_LOG2 = 31
"""The largest filter: 2^31 bits = 256 MB (for sources of 2^27 ≈ 134M rows and more)."""
BITS_PER_KEY = 16
_MIX = np.uint64(0x9E3779B97F4A7C15)


def bits_log2(expected: int | None) -> int:
    """log2 of the filter size for ``expected`` keys: at least BITS_LOG2, at most MAX."""
    if not expected or expected <= 0:
        return BITS_LOG2
    return max(BITS_LOG2, min(MAX_BITS_LOG2, int(expected * BITS_PER_KEY - 1).bit_length()))


class SeenKeys:
    """An approximate set of 64-bit key hashes (no false negatives).

    ``expected``: about how many keys will be added (None: unknown, the 32 MB default).
    """

    def __init__(self, expected: int | None = None) -> None:
        self.bits_log2 = bits_log2(expected)
        self._mask = np.uint64((1 << self.bits_log2) - 1)
        self._bits = np.zeros(1 << (self.bits_log2 - 3), dtype=np.uint8)

    def _probes(self, hashes: np.ndarray[Any, Any]) -> list[np.ndarray[Any, Any]]:
        mixed = hashes.astype(np.uint64, copy=False) * _MIX  # Fibonacci hashing: top bits
        return [(mixed >> np.uint64(64 - self.bits_log2)) & self._mask]

    def check_and_add(self, hashes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Flag each hash (probably) seen in earlier calls, then add all of ``hashes``.

        Repeats *within* ``hashes`` are the caller's to flag (DuckDB does it in the query
        that computes the hashes).
        """
        probes = self._probes(hashes)
        seen = np.ones(len(hashes), dtype=bool)
        for idx in probes:
            bit = (idx & np.uint64(7)).astype(np.uint8)
            seen &= ((self._bits[idx >> np.uint64(3)] >> bit) & 1).astype(bool)
        for idx in probes:
            byte = idx >> np.uint64(3)
            bit = (idx & np.uint64(7)).astype(np.uint8)
            for b in range(8):
                # Repeated indexes write the same value, so plain fancy assignment is exact.
                at = byte[bit == b]
                self._bits[at] |= np.uint8(1 << b)
        return seen
