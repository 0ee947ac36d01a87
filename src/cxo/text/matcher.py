"""Fast token-level matching of code-frame patterns.

Patterns (see ``codeframe.yaml``) are split into word specs: exact lemmas (dict lookup),
prefix ``abc*`` and suffix ``*abc`` wildcards (dict lookups per distinct length), infix
``*abc*`` (substring tests) and ``*`` (any word). Each distinct token is resolved once to the
set of specs it satisfies (cached); phrases are then checked token by token within a clause,
allowing up to ``GAP`` other words between their words (``NEG_GAP`` after a negator). German
compounds arrive followed by their parts (``rechnungsbetrag rechnung betrag``); the parts
belong to the word they were split from and do not count as words in between, and ``*`` (any
word) steps over to the next word.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from cxo.text.lemmas import compound_parts

GAP = 2
NEG_GAP = 1
"""After a negator a phrase's next word must follow within one word ("kein stabiles Netz"):
a negation reaches its own object, not a word further on ("No complaints, great service" is
not "no service")."""
ANY = "*"
_CACHE_LIMIT = 400_000


class PatternSet:
    """A compiled list of ``(label, pattern)`` pairs."""

    def __init__(
        self,
        items: Sequence[tuple[str, str]],
        *,
        is_negator: Callable[[str], bool] | None = None,
        lemma_of: Callable[[str], str] | None = None,
        neg_token: str = "neg",
    ) -> None:
        self._exact: dict[str, set[int]] = defaultdict(set)
        self._prefix: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._suffix: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._infix: list[tuple[str, int]] = []
        self._any: int | None = None
        spec_ids: dict[str, int] = {}
        # phrase: (label, [spec ids])
        self.phrases: list[tuple[str, tuple[int, ...]]] = []

        def spec(word: str) -> int:
            key = word
            if key in spec_ids:
                return spec_ids[key]
            sid = len(spec_ids)
            spec_ids[key] = sid
            core = word.strip("*")
            if core == "":
                self._any = sid
            elif word.startswith("*") and word.endswith("*"):
                self._infix.append((core, sid))
            elif word.endswith("*"):
                self._prefix[len(core)][core].add(sid)
            elif word.startswith("*"):
                self._suffix[len(core)][core].add(sid)
            else:
                self._exact[core].add(sid)
                if lemma_of is not None:
                    lem = lemma_of(core)
                    if lem and lem != core:
                        self._exact[lem].add(sid)
            return sid

        for label, pattern in items:
            words = str(pattern).lower().split()
            if not words:
                continue
            ids = []
            for w in words:
                if w == neg_token or (is_negator is not None and is_negator(w.strip("*"))):
                    ids.append(spec(neg_token))
                else:
                    ids.append(spec(w))
            self.phrases.append((label, tuple(ids)))
        self._by_first: dict[int, list[int]] = defaultdict(list)
        for pid, (_, phrase) in enumerate(self.phrases):
            self._by_first[phrase[0]].append(pid)
        self._neg = spec_ids.get(neg_token)
        self._pre_lengths = sorted(self._prefix)
        self._suf_lengths = sorted(self._suffix)
        self._cache: dict[str, frozenset[int]] = {}

    def specs_of(self, token: str) -> frozenset[int]:
        """Ids of the word specs ``token`` satisfies (cached)."""
        got = self._cache.get(token)
        if got is not None:
            return got
        out: set[int] = set()
        ex = self._exact.get(token)
        if ex:
            out |= ex
        n = len(token)
        for length in self._pre_lengths:
            if length > n:
                break
            hit = self._prefix[length].get(token[:length])
            if hit:
                out |= hit
        for length in self._suf_lengths:
            if length > n:
                break
            hit = self._suffix[length].get(token[-length:])
            if hit:
                out |= hit
        for core, sid in self._infix:
            if core in token:
                out.add(sid)
        if self._any is not None:
            out.add(self._any)
        res = frozenset(out)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[token] = res
        return res

    def word_index(self, tokens: Sequence[str]) -> list[int]:
        """For each token the number of the word it belongs to (compound parts share it)."""
        out: list[int] = []
        word = -1
        i, n = 0, len(tokens)
        while i < n:
            word += 1
            out.append(word)
            parts = compound_parts(tokens[i])  # cached in cxo.text.lemmas
            k = len(parts)
            if k and tuple(tokens[i + 1 : i + 1 + k]) == parts:
                out.extend([word] * k)
                i += k
            i += 1
        return out

    def find(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        """All ``(label, start, end)`` matches in one clause's tokens (end exclusive)."""
        if not tokens:
            return []
        specs = [self.specs_of(t) for t in tokens]
        out: list[tuple[str, int, int]] = []
        by_first = self._by_first
        phrases = self.phrases
        any_id = self._any
        n = len(tokens)
        words: list[int] | None = None
        for i, s in enumerate(specs):
            for sid in s:
                cands = by_first.get(sid)
                if not cands:
                    continue
                for pid in cands:
                    label, ids = phrases[pid]
                    if len(ids) == 1:
                        out.append((label, i, i + 1))
                        continue
                    if words is None:
                        words = self.word_index(tokens)
                    pos = i
                    ok = True
                    for k, want in enumerate(ids[1:]):
                        nxt = -1
                        gap = NEG_GAP if ids[k] == self._neg else GAP
                        limit = words[pos] + 1 + gap
                        for j in range(pos + 1, n):
                            if words[j] > limit:
                                break
                            if want == any_id and words[j] == words[pos]:
                                continue  # `*` is a word, not a part of the current one
                            if want in specs[j]:
                                nxt = j
                                break
                        if nxt < 0:
                            ok = False
                            break
                        pos = nxt
                    if ok:
                        out.append((label, i, pos + 1))
        return out
