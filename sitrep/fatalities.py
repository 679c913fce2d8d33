"""How many were killed: number parsing and fatality mentions from spaCy's dependency parse.

Conventions (ACLED, see shared/eval/CODING.md), all readings the lowest credible one:

* "at least 10" -> 10; "more than 40" / "over 40" -> 40 (the stated bound: ACLED does not
  guess above a reported floor); "up to 10", "nearly 40", "about 40" -> the stated figure;
  "10 to 15", "10-15", "between 10 and 15" -> 10.
* "dozens" 12, "scores" 40, "hundreds" 100, "several"/"many" 10 (ACLED's plural of unknown
  size), "a family of six" 6, "a civilian" 1 (data: ``data/number_words.tsv``).
* The injured are never counted ("killed two and wounded five" -> 2); "killed or wounded"
  is not a death count.  Counts joined in one clause add up ("killing one senior leader and
  three other subordinates" -> 4); parts of a counted figure ("including two children") do not.
* A figure over a long span ("250 killed over the past month") is flagged ``aggregate``;
  a running toll that rose ("the death toll rose to four") is flagged ``update``.

Trigger words live in ``data/fatality_words.tsv``.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Span, Token

DATA_DIR = Path(__file__).parent / "data"

_QUALIFIERS = re.compile(
    r"^(at least|at most|more than|fewer than|less than|no fewer than|no less than|over|nearly|almost|"
    r"about|around|approximately|roughly|some|up to|as many as|as few as|an estimated|estimated|"
    r"a total of|total of|a further|another|further|other|only|just|between|reportedly|a reported|"
    r"the|some|upwards of|close to|well over|in excess of)\s+"
)
_GROUP_OF = re.compile(r"^(?:an? |the )?(?:family|group|total|toll|couple|pair|party|crowd) of (.+)$")
_DIGITS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(hundred|thousand|million|k)\b)?")
_SINGULAR_PRONOUNS = {"he", "she", "him", "her"}
_SINGULAR_DETS = {"a", "an", "one", "the", "this", "that", "another", "each"}
_VICTIM_DEPS = ("dobj", "nsubjpass")
MAX_DIGITS = 9
_NUM_SCALE = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "k": 1000}


class FatalityDataError(ValueError):
    """A data file of the fatality lexicon is malformed."""


@dataclass(frozen=True)
class FatalityMention:
    """A reported number of dead, with the words it came from (character offsets into the Doc)."""

    count: int
    text: str
    start: int
    end: int
    about: str | None = None  # who died, as written ("Five ISIS terrorists"), where the text says
    update: bool = False  # a running toll that replaces earlier figures ("the death toll rose to four")
    aggregate: bool = False  # a figure over a long span ("over the past month"): not one event


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, frozenset[str]]  # kind -> lemmas
    periods: tuple[re.Pattern[str], ...]
    numbers: dict[str, tuple[int, str]]  # word -> (value, kind)

    def has(self, kind: str, lemma: str) -> bool:
        return lemma in self.words.get(kind, frozenset())


# ---------------------------------------------------------------- data


def _read_tsv(path: Path) -> list[list[str]]:
    """The rows of a data file (header left out), checked against its schema (sitrep/datafiles.py)."""
    from .datafiles import SCHEMAS, DataFileError, read_table

    try:
        rows = read_table(path.name, None if path.parent == DATA_DIR else path)
    except DataFileError as exc:
        raise FatalityDataError(str(exc)) from exc
    names = SCHEMAS[path.name].names
    return [[r.values.get(c, "") for c in names] for r in rows]


@functools.cache
def lexicon() -> _Lexicon:
    words: dict[str, set[str]] = {}
    periods = []
    for n, row in enumerate(_read_tsv(DATA_DIR / "fatality_words.tsv"), 1):
        if len(row) != 2:
            raise FatalityDataError(f"fatality_words.tsv row {n}: expected 'term<TAB>kind', got {row!r}")
        term, kind = row
        if kind == "period":
            periods.append(re.compile(term, re.IGNORECASE))
        else:
            words.setdefault(kind, set()).add(term.lower())
    numbers = {}
    for n, row in enumerate(_read_tsv(DATA_DIR / "number_words.tsv"), 1):
        try:
            numbers[row[0].lower()] = (int(row[1]), row[2])
        except (IndexError, ValueError) as exc:
            raise FatalityDataError(f"number_words.tsv row {n}: expected 'word<TAB>value<TAB>kind', got {row!r}") from exc
    return _Lexicon({k: frozenset(v) for k, v in words.items()}, tuple(periods), numbers)


# ---------------------------------------------------------------- numbers


def _fold(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.strip(" \t\n.,;:!?()\"'").split())


def parse_number(text: str) -> int | None:
    """The lowest credible count a phrase states: 'five' 5, 'at least 10' 10, 'dozens' 12, '1,200' 1200.

    Returns None when the phrase states no number.
    """
    s = _fold(text)
    while True:
        stripped = _QUALIFIERS.sub("", s, count=1)
        if stripped == s:
            break
        s = stripped
    group = _GROUP_OF.match(s)
    if group:
        return parse_number(group.group(1))
    numbers = lexicon().numbers
    if s in numbers:
        return numbers[s][0]
    digits = _DIGITS.match(s)
    if digits:
        figure = digits.group(1).replace(",", "")
        if len(figure) > MAX_DIGITS or len(digits.group(2) or "") > MAX_DIGITS:
            return None  # no credible toll has more digits than this: not a count
        value = int(figure)
        if digits.group(3):
            whole = float(f"{value}.{digits.group(2) or 0}")
            return int(whole * _NUM_SCALE[digits.group(3)])
        return value
    return _parse_number_words(s) or _parse_vague_prefix(s)


def _parse_number_words(s: str) -> int | None:
    """'twenty-five', 'one hundred and twenty', 'two thousand': number words from the start of s."""
    numbers = lexicon().numbers
    total = current = 0
    consumed = False
    for word in re.split(r"[\s-]+", s):
        value, kind = numbers.get(word, (None, ""))
        if word == "and" and consumed:
            continue
        if kind == "unit" and value is not None:
            current += value
        elif kind == "scale" and value is not None:
            current = max(current, 1) * value
            if value >= 1000:
                total, current = total + current, 0
        else:
            break
        consumed = True
    return total + current if consumed else None


def _parse_vague_prefix(s: str) -> int | None:
    """'dozens of people' -> 12: the longest vague quantity that opens the phrase (not a bare 'a')."""
    best: tuple[int, int] | None = None
    for phrase, (value, kind) in lexicon().numbers.items():
        if kind != "vague" or phrase in ("a", "an", "no"):
            continue
        opens = s == phrase or s.startswith(phrase + " ")
        if opens and (best is None or len(phrase) > best[0]):
            best = (len(phrase), value)
    return best[1] if best else None


# ---------------------------------------------------------------- mentions


def find_fatalities(sent: Span) -> list[FatalityMention]:
    """Reported deaths in a sentence (or any Span) of a parsed Doc, in text order."""
    lex = lexicon()
    mentions: list[FatalityMention] = []
    counted: set[int] = set()  # victim tokens already counted, so "killed ... dead" counts once
    for tok in sent:
        found = _mention_at(tok, lex)
        if found is None:
            continue
        victims, count_tokens, update = found
        key = {v.i for v in victims}
        if key & counted:
            continue
        count = _sum_counts(victims, lex)
        if count is None:
            continue
        counted |= key
        mentions.append(_make_mention(tok, victims, count_tokens, count, update, lex))
    return sorted(mentions, key=lambda m: m.start)


def _mention_at(tok: Token, lex: _Lexicon) -> tuple[list[Token], list[Token], bool] | None:
    """(victim heads, tokens of the figure, update?) when tok reports deaths."""
    lemma = tok.lemma_.lower()
    if lex.has("kill", lemma) and (tok.pos_ == "VERB" or tok.tag_ == "VBN") and not _mixed_with_injured(tok, lex):
        return _with_conjuncts(_kill_victims(tok), lex), [], False
    if lex.has("die", lemma) and tok.pos_ == "VERB":
        return _with_conjuncts([c for c in tok.children if c.dep_ == "nsubj"], lex), [], False
    verb = _harmed_to_death(tok)
    if verb is not None:
        return _with_conjuncts(_kill_victims(verb), lex), [], False
    if lex.has("dead", lemma) and tok.pos_ == "ADJ" and not _mixed_with_injured(tok, lex):
        return _with_conjuncts(_dead_victims(tok), lex), [], False
    if lex.has("toll", lemma):
        return _toll_figure(tok, lex)
    nominal = lex.has("death", lemma) or lex.has("kill", lemma)  # "the killing of 23 persons"
    if nominal and tok.pos_ in ("NOUN", "PROPN") and tok.dep_ != "compound":
        return _with_conjuncts(_death_noun_victims(tok), lex), [], False
    return None


def _harmed_to_death(tok: Token) -> Token | None:
    """The verb that the "death" of a resultative "to death" completes, when it kills (`kills_to_death`)."""
    if tok.lemma_.lower() != "death" or tok.dep_ != "pobj" or tok.head.lower_ != "to":
        return None
    verb = tok.head.head
    return verb if kills_to_death(verb) else None


def kills_to_death(verb: Token) -> bool:
    """A verb of bodily harm completed by "to death" ('beat two men to death', 'were stabbed to death'):
    the resultative phrase makes the harm a killing, of the verb's object or passive subject. Not a
    judgement ('sentenced to death') nor a figure of speech ('scared to death'): the verbs are listed
    (fatality_words.tsv, kind to_death)."""
    if verb.pos_ != "VERB" or not lexicon().has("to_death", verb.lemma_.lower()):
        return False
    return any(c.dep_ == "prep" and c.lower_ == "to" and any(g.dep_ == "pobj" and g.lemma_.lower() == "death"
                                                               for g in c.children) for c in verb.children)


def _kill_victims(verb: Token) -> list[Token]:
    victims = [c for c in verb.children if c.dep_ in _VICTIM_DEPS]
    if not victims and verb.dep_ in ("acl", "amod"):  # "13 people killed", "the killed soldiers"
        victims = [verb.head]
    if not victims and verb.tag_ == "VBN" and not any(c.dep_ == "aux" for c in verb.children):
        victims = [c for c in verb.children if c.dep_ == "nsubj"]  # headline: "Ten killed in attack"
    return [_antecedent(v, verb) for v in victims]


def _antecedent(victim: Token, verb: Token) -> Token:
    """'people who were killed': the relative pronoun stands for the noun the clause modifies."""
    if victim.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
        return verb.head
    return victim


def _dead_victims(adj: Token) -> list[Token]:
    """'left 13 people dead', 'were shot dead', 'one dead', '13 dead in attack'."""
    if adj.dep_ in ("oprd", "acomp", "xcomp", "ccomp", "advcl", "conj"):
        verb = adj.head
        for dep in ("dobj", "nsubjpass", "nsubj"):
            found = [c for c in verb.children if c.dep_ == dep]
            if found:
                return found[:1]
        return []
    if adj.dep_ == "amod":
        return [adj.head]
    return [c for c in adj.children if c.dep_ == "nsubj"]


def _death_noun_victims(noun: Token) -> list[Token]:
    """'seven deaths', 'the lives of seven people', 'the bodies of 12 villagers'."""
    if any(c.dep_ == "nummod" for c in noun.children):
        return [noun]
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            return [c for c in prep.children if c.dep_ == "pobj"]
    return []


def _toll_figure(toll: Token, lex: _Lexicon) -> tuple[list[Token], list[Token], bool] | None:
    """'the death toll rose to four' (update), 'a toll of 20', 'put the toll at more than 40'."""
    for prep in toll.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            figures = [c for c in prep.children if c.dep_ == "pobj"]
            if figures:
                return figures, [], False
    verb = toll.head
    figures = []
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ in ("to", "at"):
            objects = [p for p in c.children if p.dep_ == "pobj"]
            # a misparse leaves 'to' without its object ("rose to four and 80 other people were injured")
            figures += objects or [verb.doc[c.i + 1]] if c.i + 1 < len(verb.doc) else objects
        elif c.dep_ in ("attr", "dobj", "npadvmod") and c.i != toll.i:
            figures.append(c)
    figures = [f for f in figures if _is_number(f, lex)]
    if not figures:
        return None
    return figures[:1], [], lex.has("update", verb.lemma_.lower())


def _mixed_with_injured(tok: Token, lex: _Lexicon) -> bool:
    """'killed or wounded', 'dead or injured': a casualty figure, not a death count."""
    for other in tok.conjuncts:
        between = tok.doc[min(tok.i, other.i):max(tok.i, other.i)]
        if lex.has("injury", other.lemma_.lower()) and any(t.lower_ == "or" for t in between):
            return True
    return False


def _with_conjuncts(victims: list[Token], lex: _Lexicon) -> list[Token]:
    """'one senior leader and three other subordinates': all conjoined victims, not the injured."""
    out = []
    for v in victims:
        out.append(v)
        for c in v.conjuncts:
            if c.i > v.i and c.pos_ in ("NOUN", "PROPN", "NUM", "PRON") and not _is_injured(c, lex):
                out.append(c)
    return out


def _is_injured(tok: Token, lex: _Lexicon) -> bool:
    near = [*tok.children, tok.head] + ([tok.doc[tok.i + 1]] if tok.i + 1 < len(tok.doc) else [])
    return any(lex.has("injury", t.lemma_.lower()) for t in near if t.i > tok.i or t.dep_ == "amod")


def _is_number(tok: Token, lex: _Lexicon) -> bool:
    return tok.like_num or tok.pos_ == "NUM" or tok.lower_ in lex.numbers


def _sum_counts(victims: Sequence[Token], lex: _Lexicon) -> int | None:
    counts = [c for c in (_count_of(v, lex) for v in victims) if c is not None]
    return sum(counts) if counts else None


def _count_of(victim: Token, lex: _Lexicon) -> int | None:
    """How many a victim phrase counts: 'at least 10', 'seven people', 'a family of six', 'a civilian'."""
    if _under_part(victim, lex):
        return None
    if _is_number(victim, lex) and victim.pos_ in ("NUM", "NOUN", "PRON", "ADJ", "PROPN", "X"):
        return parse_number(_left_text(victim))
    for c in victim.children:
        if c.dep_ in ("nummod", "quantmod") or (c.dep_ == "amod" and c.like_num):
            return parse_number(_left_text(c, upto=c.right_edge))
    for prep in victim.children:  # 'a family of six', 'dozens of civilians'
        if prep.dep_ == "prep" and prep.lower_ == "of":
            vague = parse_number(victim.text)
            if vague is not None and victim.lower_ not in ("a", "an"):
                return vague
            if victim.lemma_.lower() in ("family", "group", "total", "couple", "pair"):
                return next((n for n in (_count_of(p, lex) for p in prep.children if p.dep_ == "pobj") if n), None)
    vague = parse_number(victim.text)
    if vague is not None and lex.numbers.get(victim.lower_, (0, ""))[1] == "vague":
        return vague
    return _singular_count(victim)


def _singular_count(victim: Token) -> int | None:
    """A singular noun phrase, a pronoun or a person's name is one dead: 'a civilian', 'him'."""
    if victim.lower_ in _SINGULAR_PRONOUNS:
        return 1
    if victim.ent_type_ == "PERSON":
        return 1
    if victim.tag_ == "NN" and any(c.dep_ in ("det", "poss") and (c.dep_ == "poss" or c.lower_ in _SINGULAR_DETS)
                                   for c in victim.children):
        return 1
    return None


def _under_part(tok: Token, lex: _Lexicon) -> bool:
    """Inside 'including two children' / 'among them': part of a figure counted elsewhere."""
    head = tok.head
    return tok.dep_ == "pobj" and lex.has("part", head.lower_)


def _left_text(tok: Token, upto: Token | None = None) -> str:
    """The words of tok's phrase up to tok (or `upto`): 'at least 10', 'more than 40', 'twenty - five'."""
    end = (upto or tok).i + 1
    return tok.doc[tok.left_edge.i:end].text


def _make_mention(trigger: Token, victims: Sequence[Token], count_tokens: Iterable[Token], count: int,
                  update: bool, lex: _Lexicon) -> FatalityMention:
    doc = trigger.doc
    tokens = [trigger, *victims, *count_tokens]
    first = min(t.left_edge.i if t in victims else t.i for t in tokens)
    last = max(t.i for t in tokens)
    span = doc[first:last + 1]
    return FatalityMention(count, span.text, span.start_char, span.end_char, _about(victims),
                           update, _is_aggregate(trigger, lex))


def _about(victims: Sequence[Token]) -> str | None:
    nouns = [v for v in victims if v.pos_ in ("NOUN", "PROPN") and not v.like_num]
    if not nouns:
        return None
    v = nouns[0]
    return v.doc[v.left_edge.i:v.i + 1].text


def _is_aggregate(trigger: Token, lex: _Lexicon) -> bool:
    clause = trigger
    while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
        clause = clause.head
    text = clause.doc[clause.left_edge.i:clause.right_edge.i + 1].text
    return any(p.search(text) for p in lex.periods)


# ---------------------------------------------------------------- combining


def lowest_credible(mentions: Iterable[FatalityMention]) -> int:
    """One figure for one event from several reports of it.

    Aggregates are ignored; the latest update of a toll replaces earlier figures; otherwise
    conflicting figures give the lowest (police: nine, residents: more than 40 -> 9).  0 when
    no death is reported.
    """
    usable = [m for m in mentions if not m.aggregate]
    if not usable:
        return 0
    updates = [m for m in usable if m.update]
    if updates:
        return max(updates, key=lambda m: m.start).count
    return min(m.count for m in usable)
