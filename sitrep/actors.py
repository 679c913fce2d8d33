"""Actor dictionary: names in the news -> ACLED actors (canonical name, inter code, country).

Knowledge lives in data files under ``sitrep/data``:

* ``actors.tsv``      named actors and generic classes ("gunmen", "civilians") with aliases;
* ``countries.tsv``   country names, ISO codes, other names and demonyms;
* ``force_nouns.tsv`` nouns that name state forces after a demonym ("Iraqi warplanes");
* ``ethnic_groups.tsv`` + ``militia_nouns.txt``  ethnic militias ("Fulani herders").

Users extend the actor list with files of the same shape as ``actors.tsv``, passed to
:meth:`ActorDictionary.load` or named in the ``SITREP_ACTORS`` environment variable
(``os.pathsep``-separated).

Matching is token based (spaCy ``PhraseMatcher``), built once per vocabulary.  Precedence,
when mentions overlap: the longer mention wins; on equal length a named group beats a
demonym + force noun, which beats an ethnic militia, a bare force noun ("the army") and
finally a generic class noun ("gunmen").

"Security forces" are coded as the military by default (``security_as="military"``), as
ACLED usually does outside protest settings; pass ``security_as="police"`` for protests.
"""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from sitrep.records import Actor

DATA_DIR = Path(__file__).parent / "data"
ENV_VAR = "SITREP_ACTORS"
COUNTRY_SLOT = "{country}"
INTER_CODES = range(1, 9)
SecurityAs = Literal["military", "police"]

# Ranks for overlap resolution: lower wins among mentions of equal length.
FORMER = frozenset({"former", "retired"})
_RANK = {"group": 0, "state": 1, "ethnic": 2, "bare": 3, "class": 4, "subject": 5}
# Parts of speech that may stand between a demonym and its force noun ("Iraqi F-16 jets").
_BRIDGE_POS = {"ADJ", "NOUN", "PROPN", "NUM", "PART", "PUNCT", ""}
_BRIDGE_MAX = 3
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "agent"}


class ActorDataError(ValueError):
    """A data file of the actor dictionary is malformed."""


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Country:
    name: str
    iso2: str
    iso3: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    article: str = ""  # 'the' for 'the United States'

    @property
    def in_text(self) -> str:
        """The name as running text uses it: 'the United States', 'Iraq'."""
        return f"{self.article} {self.name}" if self.article else self.name


@dataclass(frozen=True)
class ActorEntry:
    """One row of actors.tsv."""

    name: str
    inter: int
    country: str | None
    kind: Literal["group", "class"]
    aliases: tuple[str, ...]
    where: frozenset[str] = frozenset()

    def applies_in(self, country: str | None) -> bool:
        return not self.where or (country is not None and country in self.where)

    def canonical(self, country: str | None) -> str:
        return fill_country(self.name, country)


@dataclass(frozen=True)
class ForceNoun:
    noun: str
    kind: Literal["military", "police", "security"]
    bare: bool


@dataclass(frozen=True)
class _Hit:
    """A phrase-matcher hit: token range in the doc and what it is."""

    start: int
    end: int
    cat: str  # G group, D country/demonym, F force noun, C class, E ethnic, M militia noun
    key: str


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    rank: int
    actor_name: str
    inter: int
    country: str | None


def fill_country(template: str, country: str | None) -> str:
    """'Civilians ({country})' -> 'Civilians (Iraq)', or 'Civilians' when the country is unknown."""
    if COUNTRY_SLOT not in template:
        return template
    if country:
        return template.replace(COUNTRY_SLOT, country)
    return re.sub(r"\s*\(\{country\}\)", "", template).replace(COUNTRY_SLOT, "").strip()


def state_forces_name(country: Country | str | None, kind: str) -> str:
    """'Military Forces of Iraq', 'Police Forces of the United States'; bare 'Military Forces' if unknown."""
    noun = "Police Forces" if kind == "police" else "Military Forces"
    if country is None:
        return noun
    return f"{noun} of {country.in_text if isinstance(country, Country) else country}"


# ---------------------------------------------------------------- reading data


def _rows(path: Path, schema: str | None = None) -> Iterable[tuple[int, dict[str, str]]]:
    """Rows of a '#'-commented TSV with a header line, checked against its schema (sitrep/datafiles.py):
    a package file by its own name, a user's file by the schema of the file it extends."""
    from .datafiles import DataFileError, read_table

    package = path.parent == DATA_DIR
    try:
        rows = read_table(schema or path.name, None if package else path)
    except DataFileError as exc:
        raise ActorDataError(exc.reason) from exc
    for row in rows:
        yield row.line, {k: v.strip() for k, v in row.values.items()}


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


def read_countries(path: Path = DATA_DIR / "countries.tsv") -> list[Country]:
    countries = []
    for n, row in _rows(path):
        if not row.get("name") or not row.get("iso2"):
            raise ActorDataError(f"{path}:{n}: a country needs 'name' and 'iso2'")
        countries.append(Country(row["name"], row["iso2"], row.get("iso3", ""),
                                 _split(row.get("aliases", "")), _split(row.get("demonyms", "")),
                                 row.get("the", "")))
    return countries


def read_actor_entries(path: Path) -> list[ActorEntry]:
    entries = []
    for n, row in _rows(path, "actors.tsv"):
        try:
            inter = int(row.get("inter", ""))
        except ValueError as exc:
            raise ActorDataError(f"{path}:{n}: 'inter' must be an integer 1-8, got {row.get('inter')!r}") from exc
        if inter not in INTER_CODES:
            raise ActorDataError(f"{path}:{n}: 'inter' must be 1-8, got {inter}")
        kind = row.get("kind") or "group"
        if kind not in ("group", "class"):
            raise ActorDataError(f"{path}:{n}: 'kind' must be 'group' or 'class', got {kind!r}")
        name = row.get("name", "")
        if not name:
            raise ActorDataError(f"{path}:{n}: an actor needs a 'name'")
        aliases = _split(row.get("aliases", "")) or (name,)
        entries.append(ActorEntry(name, inter, row.get("country") or None, kind,  # type: ignore[arg-type]
                                  aliases, frozenset(_split(row.get("where", "")))))
    return entries


def read_force_nouns(path: Path = DATA_DIR / "force_nouns.tsv") -> list[ForceNoun]:
    nouns = []
    for n, row in _rows(path):
        kind = row.get("kind", "")
        if kind not in ("military", "police", "security"):
            raise ActorDataError(f"{path}:{n}: 'kind' must be military, police or security, got {kind!r}")
        nouns.append(ForceNoun(row["noun"], kind, row.get("bare", "no") == "yes"))  # type: ignore[arg-type]
    return nouns


def read_ethnic_groups(path: Path = DATA_DIR / "ethnic_groups.tsv") -> dict[str, str]:
    """alias -> ACLED name of the ethnic group."""
    groups: dict[str, str] = {}
    for _, row in _rows(path):
        for alias in _split(row.get("aliases", "")) or (row["name"],):
            groups[alias] = row["name"]
    return groups


def read_word_list(path: Path) -> list[str]:
    from .datafiles import read_table

    return [r["word"].strip() for r in read_table(path.name, None if path.parent == DATA_DIR else path)]


def _env_paths() -> tuple[Path, ...]:
    value = os.environ.get(ENV_VAR, "")
    return tuple(Path(p) for p in value.split(os.pathsep) if p.strip())


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(alias) <= 8


def _variants(alias: str) -> set[str]:
    """Spelling variants a phrase appears in: straight and curly apostrophes."""
    return {alias, alias.replace("'", "\u2019"), alias.replace("\u2019", "'")}


# ---------------------------------------------------------------- the dictionary


class ActorDictionary:
    """Canonical ACLED actors for the names the news uses.  Build with :meth:`load`."""

    def __init__(self, entries: list[ActorEntry], countries: list[Country], forces: list[ForceNoun],
                 ethnic: dict[str, str], militia_nouns: list[str]) -> None:
        self.entries = entries
        self.countries = countries
        self.forces = {f.noun.lower(): f for f in forces}
        self.ethnic = ethnic
        self.militia_nouns = militia_nouns
        self._country_by_word: dict[str, Country] = {}
        for c in countries:
            for word in (c.name, *c.aliases, *c.demonyms):
                self._country_by_word.setdefault(word if _is_acronym(word) else word.lower(), c)
        self._by_name = {c.name: c for c in countries}
        self._matchers: dict[int, tuple[Vocab, PhraseMatcher]] = {}
        self._tokenizer: Language | None = None
        self._fuzzy_aliases = {a.lower(): i for i, e in enumerate(entries)
                               if e.kind == "group" and not e.where
                               for a in e.aliases if len(a) >= 5 and not _is_acronym(a)}

    # ------------------------------------------------------------ loading

    def class_named(self, inter: int, country: str | None) -> str | None:
        """The dictionary's actor class of this inter code, in `country` ('Rioters (Kenya)' for 5), if it has one."""
        name = next((e.name for e in self.entries if e.kind == "class" and e.inter == inter and not e.where), None)
        return fill_country(name, country) if name else None

    @classmethod
    def load(cls, extra_paths: Iterable[Path] = ()) -> ActorDictionary:
        """The dictionary of the packaged data plus ``extra_paths`` and ``$SITREP_ACTORS`` (cached)."""
        paths = tuple(Path(p).resolve() for p in (*extra_paths, *_env_paths()))
        return _load_cached(paths)

    # ------------------------------------------------------------ countries

    def country(self, word: str) -> Country | None:
        """The country a name, other name or demonym denotes ('Iraqi' -> Iraq, 'U.S.' -> United States)."""
        word = word.strip()
        return self._country_by_word.get(word) or self._country_by_word.get(word.lower())

    def country_named(self, name: str) -> Country | None:
        return self._by_name.get(name)

    # ------------------------------------------------------------ public API

    def normalise(self, text: str, *, country: str | None = None,
                  security_as: SecurityAs = "military") -> Actor | None:
        """The ACLED actor that ``text`` names, or None.

        ``country`` is the country where the event happens (fills 'Civilians (<country>)',
        'Islamic State (<country>)', bare 'the army'); a demonym in the text decides the
        country of state forces ('Iraqi warplanes' -> Military Forces of Iraq).
        """
        if not text or not text.strip():
            return None
        doc = self._tokenize(text)
        mentions = self.find_actors(doc, country=country, security_as=security_as)
        if mentions:
            return max(mentions, key=lambda a: ((a.end or 0) - (a.start or 0), -(a.start or 0)))
        return self._whole_text_actor(text, country)

    def find_actors(self, doc_or_span: Doc | Span, *, country: str | None = None,
                    security_as: SecurityAs = "military") -> list[Actor]:
        """Actor mentions in a Doc or Span, in text order, with character offsets into the Doc."""
        doc = doc_or_span.doc if isinstance(doc_or_span, Span) else doc_or_span
        lo, hi = (doc_or_span.start, doc_or_span.end) if isinstance(doc_or_span, Span) else (0, len(doc))
        hits = [h for h in self._hits(doc_or_span) if lo <= h.start and h.end <= hi and not _only_a_patron(doc, h)]
        mentions = self._mentions(doc, hits, country, security_as)
        chosen = _resolve_overlaps(mentions)
        return [Actor(m.actor_name, m.inter, m.country, doc[m.start:m.end].text,
                      doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1].text)) for m in chosen]

    # ------------------------------------------------------------ matching

    def _tokenize(self, text: str) -> Doc:
        if self._tokenizer is None:
            import spacy  # local: only normalise() on raw text needs a tokenizer

            self._tokenizer = spacy.blank("en")
        return self._tokenizer.make_doc(text)

    def _matcher(self, vocab: Vocab) -> PhraseMatcher:
        cached = self._matchers.get(id(vocab))
        if cached is not None and cached[0] is vocab:
            return cached[1]
        matcher = _Builder(self, vocab).build()
        self._matchers[id(vocab)] = (vocab, matcher)
        return matcher

    def _hits(self, doc_or_span: Doc | Span) -> list[_Hit]:
        matcher = self._matcher(doc_or_span.vocab)
        strings = doc_or_span.vocab.strings
        hits = []
        for match_id, start, end in matcher(doc_or_span):
            cat, _, key = strings[match_id].partition("|")
            hits.append(_Hit(start, end, cat, key))
        return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))

    def _mentions(self, doc: Doc, hits: list[_Hit], country: str | None,
                  security_as: SecurityAs) -> list[_Mention]:
        by_start: dict[int, list[_Hit]] = {}
        for h in hits:
            by_start.setdefault(h.start, []).append(h)
        out: list[_Mention] = []
        for h in hits:
            if h.cat == "G":
                out.extend(self._group_mention(doc, h, by_start, country))
            elif h.cat == "D":
                out.extend(self._state_mention(doc, h, by_start, security_as))
            elif h.cat == "F":
                out.extend(self._force_mentions(doc, h, by_start, country, security_as))
            elif h.cat == "E":
                out.extend(self._ethnic_mention(doc, h, by_start, country))
            elif h.cat == "C":
                out.extend(self._class_mention(doc, h, by_start, hits, country))
        return [self._as_former(doc, m) for m in out]

    def _as_former(self, doc: Doc, m: _Mention) -> _Mention:
        """'a former soldier', 'a retired police officer', 'ex-soldiers': who has left the state's forces is a
        civilian (ACLED codes people by what they are when the event happens: CODING.md's armed vs unarmed)."""
        if m.inter != 1:
            return m
        root = doc[m.start:m.end].root
        before = [t.lower_ for t in doc[max(0, m.start - 2):m.start]]
        former = any(c.dep_ == "amod" and c.lower_ in FORMER for c in root.children) or (
            bool(before) and before[-1] in FORMER) or before == ["ex", "-"]
        civilians = self.class_named(7, m.country) if former else None
        return replace(m, actor_name=civilians, inter=7) if civilians else m

    def _group_mention(self, doc: Doc, h: _Hit, by_start: dict[int, list[_Hit]],
                       country: str | None) -> list[_Mention]:
        entry = self.entries[int(h.key)]
        if not entry.applies_in(country):
            return []
        end = h.end
        # absorb a following member noun: "ISIS terrorists", "Hezbollah fighters"
        for nxt in by_start.get(end, []):
            if nxt.cat in ("C", "F", "M") and self._is_member_noun(nxt):
                end = max(end, nxt.end)
        slot_country, end = self._bracketed_country(doc, end, country)
        actor_country = slot_country if COUNTRY_SLOT in entry.name else entry.country
        return [_Mention(h.start, end, _RANK["group"], entry.canonical(slot_country), entry.inter, actor_country)]

    def _is_member_noun(self, h: _Hit) -> bool:
        if h.cat == "M":
            return True
        if h.cat == "C":
            return self.entries[int(h.key)].inter in (2, 3)
        return h.cat == "F" and h.key in ("forces", "fighters", "militants")

    def _bracketed_country(self, doc: Doc, end: int, country: str | None) -> tuple[str | None, int]:
        """'Islamic State (Iraq)': a country in brackets after a name overrides the event country."""
        if end < len(doc) and doc[end].text == "(":
            for width in (1, 2, 3):
                close = end + 1 + width
                if close < len(doc) and doc[close].text == ")":
                    named = self.country(doc[end + 1:close].text)
                    if named is not None:
                        return named.name, close + 1
        return country, end

    def _state_mention(self, doc: Doc, h: _Hit, by_start: dict[int, list[_Hit]],
                       security_as: SecurityAs) -> list[_Mention]:
        """Demonym or country name followed by a force noun: 'Iraqi warplanes', "Israel's army"."""
        state = self.country(h.key)
        if state is None:
            return []
        pos = h.end
        for _ in range(_BRIDGE_MAX + 1):
            forces = [f for f in by_start.get(pos, []) if f.cat == "F"]
            if forces:
                f = max(forces, key=lambda x: x.end)
                kind = self._force_kind(f.key, security_as)
                return [_Mention(h.start, f.end, _RANK["state"], state_forces_name(state, kind), 1, state.name)]
            if pos >= len(doc) or not _bridge_token(doc[pos]) or by_start.get(pos):
                break
            pos += 1
        return self._subject_mention(doc, h, state)

    def _subject_mention(self, doc: Doc, h: _Hit, state: Country) -> list[_Mention]:
        """A country name as the subject of a verb stands for its forces: 'Israel struck ...'."""
        root = doc[h.start:h.end].root
        is_name = doc[h.start:h.end].text in (state.name, *state.aliases)
        as_agent = root.dep_ == "pobj" and root.head.dep_ == "agent"
        if is_name and (root.dep_ in _SUBJECT_DEPS or as_agent):
            return [_Mention(h.start, h.end, _RANK["subject"], state_forces_name(state, "military"), 1, state.name)]
        return []

    def _force_kind(self, noun: str, security_as: SecurityAs) -> str:
        kind = self.forces[noun].kind
        return security_as if kind == "security" else kind

    def _force_mentions(self, doc: Doc, h: _Hit, by_start: dict[int, list[_Hit]], country: str | None,
                        security_as: SecurityAs) -> list[_Mention]:
        """'the armed forces of Ukraine'; a bare 'the army' / 'police' -> the event country's forces."""
        kind = self._force_kind(h.key, security_as)
        of = h.end
        if of < len(doc) and doc[of].lower_ == "of":
            nxt = of + 1 + int(of + 1 < len(doc) and doc[of + 1].lower_ == "the")
            for d in by_start.get(nxt, []):
                state = self.country(d.key) if d.cat == "D" else None
                if state is not None:
                    return [_Mention(h.start, d.end, _RANK["state"], state_forces_name(state, kind), 1, state.name)]
        last = doc[h.end - 1]
        if self.forces[h.key].bare and not (last.dep_ == "amod" and last.pos_ == "ADJ" and last.head.i >= h.end):
            # (not the adjective of "military infrastructure"; but "an army base" is the army's)
            home = self.country_named(country) if country else None
            return [_Mention(h.start, h.end, _RANK["bare"], state_forces_name(home or country, kind), 1, country)]
        return []

    def _ethnic_mention(self, doc: Doc, h: _Hit, by_start: dict[int, list[_Hit]],
                        country: str | None) -> list[_Mention]:
        """'Fulani herders', 'suspected Fulani militants' -> Fulani Ethnic Militia (<country>)."""
        for pos in (h.end, h.end + 1):
            for m in by_start.get(pos, []):
                if m.cat == "M" and (pos == h.end or _bridge_token(doc[h.end])):
                    name = fill_country(f"{self.ethnic[h.key]} Ethnic Militia ({COUNTRY_SLOT})", country)
                    return [_Mention(h.start, m.end, _RANK["ethnic"], name, 4, country)]
        return []

    def _class_mention(self, doc: Doc, h: _Hit, by_start: dict[int, list[_Hit]], hits: list[_Hit],
                       country: str | None) -> list[_Mention]:
        entry = self.entries[int(h.key)]
        if not entry.applies_in(country):
            return []
        slot_country, end = self._bracketed_country(doc, h.end, country)
        start = h.start
        before = [d for d in hits if d.cat == "D" and d.end == h.start and self.country(d.key)]
        if before:  # 'Nigerian bandits': the demonym belongs to the mention, and names the country if unknown
            start = before[0].start
            slot_country = slot_country or self.country(before[0].key).name  # type: ignore[union-attr]
        return [_Mention(start, end, _RANK["class"], entry.canonical(slot_country), entry.inter, slot_country)]

    def _whole_text_actor(self, text: str, country: str | None) -> Actor | None:
        """A bare country name or demonym ('Israel', 'Iraqi'), else a close spelling of a group alias."""
        state = self.country(text)
        if state is not None:
            return Actor(state_forces_name(state, "military"), 1, state.name, text, 0, len(text))
        best = process.extractOne(text.lower().strip(), list(self._fuzzy_aliases), scorer=fuzz.ratio,
                                  score_cutoff=90)
        if best is None:
            return None
        entry = self.entries[self._fuzzy_aliases[best[0]]]
        return Actor(entry.canonical(country), entry.inter, entry.country or country, text, 0, len(text))


def patron_words() -> frozenset[str]:
    """Participles that make the name before a hyphen a patron ('X-backed'): data/patron_words.txt."""
    from .words import word_list

    return word_list("patron_words.txt")


def _only_a_patron(doc: Doc, hit: _Hit) -> bool:
    """'the al-Qaeda-linked group JNIM', 'Iran-backed Houthis', 'RSF-held town': the name qualifies
    another actor (or a place), it is not the one acting."""
    end = hit.end
    return end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in patron_words()


_POSSESSIVE = ("'s", "\u2019s")  # "Iraq's", "Iraq’s"


def _bridge_token(tok: Token) -> bool:
    if tok.is_punct and tok.text not in ("-", *_POSSESSIVE):
        return False
    if tok.is_stop and tok.lower_ not in _POSSESSIVE:
        return False
    return tok.pos_ in _BRIDGE_POS


def _resolve_overlaps(mentions: list[_Mention]) -> list[_Mention]:
    taken: set[int] = set()
    chosen = []
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.rank, m.start)):
        span = set(range(m.start, m.end))
        if span & taken:
            continue
        taken |= span
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


class _Builder:
    """Builds the PhraseMatcher of one vocabulary from the dictionary's data."""

    def __init__(self, actors: ActorDictionary, vocab: Vocab) -> None:
        self.actors = actors
        self.vocab = vocab
        self.lower = PhraseMatcher(vocab, attr="LOWER")
        self.exact = PhraseMatcher(vocab, attr="ORTH")

    def build(self) -> PhraseMatcher:
        a = self.actors
        for i, entry in enumerate(a.entries):
            cat = "G" if entry.kind == "group" else "C"
            self._add(f"{cat}|{i}", entry.aliases)
            if entry.kind == "group" and COUNTRY_SLOT not in entry.name:
                self._add(f"G|{i}", (entry.name,))
        for c in a.countries:
            for word in (c.name, *c.aliases, *c.demonyms):
                self._add(f"D|{word}", (word,))
        for noun in a.forces:
            self._add(f"F|{noun}", (noun,))
        for alias in a.ethnic:
            self._add(f"E|{alias}", (alias,))
        self._add("M|", a.militia_nouns)
        return _Union(self.lower, self.exact)  # type: ignore[return-value]

    def _add(self, key: str, phrases: Iterable[str]) -> None:
        tok = self.actors._tokenize
        for phrase in phrases:
            target = self.exact if _is_acronym(phrase) else self.lower
            docs = [Doc(self.vocab, words=[t.text for t in tok(v)]) for v in _variants(phrase)]
            target.add(key, docs)


class _Union:
    """Two phrase matchers (case-folded and exact) used as one."""

    def __init__(self, *matchers: PhraseMatcher) -> None:
        self.matchers = matchers

    def __call__(self, doclike: Doc | Span) -> list[tuple[int, int, int]]:
        return [m for matcher in self.matchers for m in matcher(doclike)]


@functools.lru_cache(maxsize=8)
def _load_cached(extra: tuple[Path, ...]) -> ActorDictionary:
    entries = read_actor_entries(DATA_DIR / "actors.tsv")
    for path in extra:
        entries = read_actor_entries(path) + entries  # user rows come first and win ties
    return ActorDictionary(entries, read_countries(), read_force_nouns(), read_ethnic_groups(),
                           read_word_list(DATA_DIR / "militia_nouns.txt"))
