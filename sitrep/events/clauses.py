"""Finding event clauses in a parsed sentence: triggers, their clause, and non-event cues."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from spacy.tokens import Span, Token

from ..fatalities import kills_to_death
from ..words import role_nouns
from .lexicon import Trigger, non_event_cues, triggers, victim_nouns

CLAUSE_DEPS = {"ROOT", "conj", "advcl", "ccomp", "relcl", "parataxis", "xcomp", "acl", "pcomp"}
ATTACK_KINDS = ("means", "event", "harm")
# Verbs whose infinitive complement is asserted, not planned: the phase verbs ("began to loot", "continued to
# shell") and the implicative "managed to" (Karttunen's implicatives; "failed to" asserts the opposite).
ASSERTING_VERBS = frozenset({"begin", "start", "continue", "resume", "proceed", "manage"})


@dataclass(frozen=True)
class TriggerHit:
    trigger: Trigger
    start: int  # token index in the Doc
    end: int
    person_taken: bool = False  # a verb of taking territory whose object is a person: an abduction or an arrest

    def tokens(self, sent: Span) -> list[Token]:
        return [sent.doc[i] for i in range(self.start, self.end)]


@dataclass
class Clause:
    """Triggers that share one clause head in a sentence."""

    head: Token
    hits: list[TriggerHit] = field(default_factory=list)
    excluded: set[int] = field(default_factory=set)  # tokens of nested clauses that are not this one's
    nested_events: set[int] = field(default_factory=set)  # of those, the tokens of other event clauses
    others: set[int] = field(default_factory=set)  # of those, clauses of other events or of the past
    _tokens: list[Token] | None = field(default=None, repr=False)
    _spans: list[tuple[int, int]] = field(default_factory=list, repr=False)
    _excluded_spans: list[tuple[int, int]] | None = field(default=None, repr=False)

    @property
    def kinds(self) -> set[str]:
        return {h.trigger.kind for h in self.hits}

    def best(self, *kinds: str) -> TriggerHit | None:
        found = [h for h in self.hits if h.trigger.kind in kinds]
        return min(found, key=lambda h: (h.trigger.rank, h.start)) if found else None

    def tokens(self) -> list[Token]:
        """The clause head's subtree, minus the other event clauses nested in it (computed once the
        clauses of the sentence are settled)."""
        if self._tokens is None:
            self._tokens = [t for t in self.head.subtree if t.i not in self.excluded]
            self._spans = [(t.idx, t.idx + len(t)) for t in self._tokens]
        return self._tokens

    def excludes_char(self, offset: int) -> bool:
        """The offset is in a nested clause that is not this one's."""
        if self._excluded_spans is None:
            doc = self.head.doc
            self._excluded_spans = [(doc[i].idx, doc[i].idx + len(doc[i])) for i in self.excluded]
        return any(start <= offset < end for start, end in self._excluded_spans)

    def in_other(self, offset: int) -> bool:
        """The offset is in a nested clause of another event, or one that recalls the past
        ("..., since X was killed in Y", "..., following an attack that killed 11 soldiers in Y")."""
        doc = self.head.doc
        return any(doc[i].idx <= offset < doc[i].idx + len(doc[i]) for i in self.others)

    def contains_char(self, offset: int) -> bool:
        self.tokens()
        return any(start <= offset < end for start, end in self._spans)


def lemma(token: Token) -> str:
    return token.lemma_.lower() if token.lemma_ else token.lower_


@lru_cache(maxsize=16_384)  # a pure function of the word, asked for every token of every event sentence
def regular_bases(word: str) -> tuple[str, ...]:
    """The bases a regularly inflected English word may have, for when the lemmatizer errs ('raped' is
    lemmatized 'rap'): -s/-es, -ed/-d and -ing stripped, a final e restored, a doubled consonant undone."""
    out: list[str] = []
    for suffix in ("ing", "ed", "es", "s", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            out.append(stem)
            if suffix in ("ing", "ed"):
                out.append(stem + "e")
                if len(stem) > 3 and stem[-1] == stem[-2]:
                    out.append(stem[:-1])
    return tuple(out)


def forms(token: Token) -> tuple[str, ...]:
    """The token as written (lower-cased), its lemma, then its regular bases: the keys it may match."""
    return tuple(dict.fromkeys((token.lower_, lemma(token), *regular_bases(token.lower_))))


def find_triggers(sent: Span) -> list[TriggerHit]:
    """Longest lexicon matches on lower-cased surface forms (or lemmas, or regular bases) of
    consecutive tokens; of matches as long, the surface form's, so the result never depends on set order."""
    table = triggers()
    hits: list[TriggerHit] = []
    i = sent.start
    while i < sent.end:
        tok = sent.doc[i]
        if kills_to_death(tok):  # 'beat two men to death': a killing, however far its 'to death'
            hits.append(TriggerHit(_killing(), i, i + 1))
            i += 1
            continue
        matched = None
        for key in forms(tok):  # the surface form first: 'shelling' before 'shell'
            for trig in table.get(key, []):
                n = len(trig.words)
                if i + n > sent.end:
                    continue
                words = [sent.doc[j] for j in range(i, i + n)]
                if all(w_lex in forms(t) for w_lex, t in zip(trig.words, words)):
                    if matched is None or len(trig.words) > len(matched.words):
                        matched = trig
        if matched is None or len(matched.words) == 1:
            matched = _phrasal(tok, table) or matched
            if matched is not None and len(matched.words) > 1:
                hits.append(TriggerHit(matched, i, i + 1))  # the verb stands for the phrase
                i += 1
                continue
        if matched and len(matched.words) == 1 and matched.sub_event_type in TERRITORY and _takes_arms(tok):
            # 'seized several weapons and explosives': arms taken are a seizure, a disrupted weapons use (CODING.md)
            hits.append(TriggerHit(_seizing_arms(matched), i, i + 1))
            i += 1
            continue
        if matched and len(matched.words) == 1 and matched.sub_event_type in TERRITORY and _takes_a_person(tok):
            # 'seized two fishermen', 'captured a commander': territory is a place; a person taken is abducted,
            # or arrested by state forces (the coder decides by the taker: CODING.md)
            hits.append(TriggerHit(_taking_a_person(matched), i, i + 1, person_taken=True))
            i += 1
            continue
        if matched and len(matched.words) == 1 and matched.kind == "cue" and matched.sub_event_type == "Attack" and (
                _takes_people(tok)):
            # 'executed six passengers', 'murdered a teacher': a verb of violence done to people is the harm itself
            # (the rules type it by its doers and victims); 'executed the plan', 'tortured logic' are no harm
            hits.append(TriggerHit(replace(matched, kind="harm"), i, i + 1))
            i += 1
            continue
        if matched and _names_a_time(sent.doc[i:i + len(matched.words)]):
            i += len(matched.words)  # 'March 12', 'the March 23 Movement': the month, not a protest march
        elif matched:
            hits.append(TriggerHit(matched, i, i + len(matched.words)))
            i += len(matched.words)
        else:
            i += 1
    return _concluded(sent, hits)


def _object_of(noun: Token, verbs: set[int]) -> bool:
    """`noun` is in the object of one of `verbs` ('signed a truce', 'signed a cessation of hostilities
    agreement'), its passive subject, or the noun a participle of one qualifies ('a deal brokered by')."""
    if any(c.dep_ == "acl" and c.i in verbs for c in noun.children):
        return True
    token = noun
    for _ in range(4):
        if token.dep_ in ("dobj", "nsubjpass") and token.head.i in verbs:
            return True
        if token.dep_ not in ("pobj", "prep", "compound", "conj", "appos") or token.head.i == token.i:
            return False
        token = token.head
    return False


def _concluded(sent: Span, hits: list[TriggerHit]) -> list[TriggerHit]:
    """An Agreement or Change to group/activity cue that a verb of concluding takes as its object ('signed a
    truce', 'exchanged 95 prisoners', 'a deal brokered by the elders', 'imposed a curfew') tells a
    development made: an event (ACLED codes the agreement, not the talk of one).  The verbs themselves
    leave the hits: they tell nothing alone."""
    verbs = {h.start for h in hits if h.trigger.kind == "conclude"}
    out = []
    for hit in hits:
        if hit.trigger.kind == "conclude":
            continue
        if (hit.trigger.kind == "cue" and hit.trigger.sub_event_type in CONCLUDED and verbs
                and _object_of(sent.doc[hit.end - 1], verbs)):
            hit = TriggerHit(replace(hit.trigger, kind="event"), hit.start, hit.end, hit.person_taken)
        out.append(hit)
    return out


TERRITORY = frozenset({"Non-state actor overtakes territory", "Government regains territory"})


def _taken(tok: Token) -> list[Token]:
    """What a verb takes: its objects, or its passive subjects ('two fishermen were seized'); none for a noun."""
    return [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")] if tok.pos_ == "VERB" else []


def _takes_a_person(tok: Token) -> bool:
    """The verb takes a person: a name, a word for people or civilians, a role ('a commander'), a '-man'
    compound ('fishermen', 'gunmen')."""
    people = victim_nouns() | role_nouns()
    return any(o.ent_type_ == "PERSON" or lemma(o) in people
               or (o.pos_ == "NOUN" and o.lower_.endswith(("man", "men")) and len(o) > 4)  # not 'Yemen'
               for o in _taken(tok))


def _takes_people(tok: Token) -> bool:
    """The verb takes a person (`_takes_a_person`), or a number of people: 'executed six', 'six of them', 'six
    of the passengers' (a bare count is of people after a verb that is done to people)."""
    return _takes_a_person(tok) or any(o.like_num or (o.pos_ == "NUM") for o in _taken(tok))


# generic words for arms (the lexicon's weapons, 'rockets', 'mines', are its means and instruments)
ARMS = frozenset({"weapon", "arm", "explosive", "ammunition", "munition", "firearm"})


def _takes_arms(tok: Token) -> bool:
    """The verb takes arms: a weapon of the lexicon or a word for arms."""
    objects = _taken(tok)
    objects += [c for o in objects for c in o.children if c.dep_ in ("compound", "conj")]  # 'rocket launchers'
    return any(lemma(o) in ARMS or _is_means(o) for o in objects)


@lru_cache(maxsize=64)
def _read_as(trigger: Trigger, word: str) -> Trigger:
    """The lexicon's event trigger `word` ('abduct', 'confiscate'), as the words of `trigger` matched."""
    base = next(t for t in triggers()[word] if t.words == (word,))
    return replace(base, kind="event", words=trigger.words, phrase=trigger.phrase)


def _seizing_arms(trigger: Trigger) -> Trigger:
    return _read_as(trigger, "confiscate")


def _taking_a_person(trigger: Trigger) -> Trigger:
    return _read_as(trigger, "abduct")


# particles the parser may read as a preposition or an adverb after an object: 'drove them out of X'
DIRECTIONAL_PARTICLES = frozenset({"out", "back", "away", "off", "down"})


def _phrasal(tok: Token, table: dict[str, list[Trigger]]) -> Trigger | None:
    """A phrasal verb whose particle stands after its object ('drove the fighters out', 'took the town
    back'): the verb and its particle (the parser's `prt`) are the lexicon's two-word phrase."""
    if tok.pos_ != "VERB":
        return None
    particles = {c.lower_ for c in tok.children if c.i > tok.i + 1 and (
        c.dep_ == "prt" or (c.dep_ in ("prep", "advmod") and c.lower_ in DIRECTIONAL_PARTICLES))}
    if not particles:
        return None
    for key in forms(tok):
        for trig in table.get(key, []):
            if len(trig.words) == 2 and trig.words[0] == key and trig.words[1] in particles:
                return trig
    return None


@lru_cache(maxsize=1)
def _killing() -> Trigger:
    return next(t for t in triggers()["kill"] if t.words == ("kill",))


def _names_a_time(words: Span) -> bool:
    """Every word of the match is written as a name (a month's is capitalised) inside a date or a time the
    parser read as one: it names when, not what happened ('March 12', not the 'march' of 'the March 8 march')."""
    return all(t.ent_type_ in ("DATE", "TIME") and t.text[:1].isupper() for t in words)


def clause_head(token: Token) -> Token:
    """The verb heading the clause a token belongs to."""
    current = token
    for _ in range(12):
        if current.pos_ in ("VERB", "AUX") and current.dep_ in CLAUSE_DEPS:
            return current
        if current.head is current:
            return current
        current = current.head
    return current


# the developments a declaration makes (ACLED): an agreement reached, a measure imposed
CONCLUDED = frozenset({"Agreement", "Change to group/activity"})
NON_VIOLENT_TYPES = frozenset({"Strategic developments", "Protests"})
# prepositions that set an event before or after the clause's own: 'imposed a curfew after clashes'
SEQUENCE_PREPOSITIONS = frozenset({"after", "following", "before"})


def _split_sequence(clause: Clause, sent: Span, clauses: dict[int, Clause]) -> None:
    """A clause whose own event is a development or a protest ('imposed a curfew', 'signed a truce',
    'marched') and that names a violent event after a preposition of sequence ('after overnight
    clashes', 'after a week of gunfights') tells two events: the violent one heads a clause of its own
    (its noun), so it neither types the clause nor takes its place.  Not 'killed after an air strike':
    a harm is caused by the event it follows, and is part of it."""
    sequenced = [h for h in clause.hits if _earlier_or_later_event(sent.doc[h.end - 1]) is not None]
    own = [h for h in clause.hits if h not in sequenced]
    if not sequenced or not own or any(h.trigger.event_type not in NON_VIOLENT_TYPES for h in own):
        return
    clause.hits = own
    for hit in sequenced:
        noun = sent.doc[hit.end - 1]
        clauses.setdefault(noun.i, Clause(noun)).hits.append(hit)


def _earlier_or_later_event(token: Token) -> Token | None:
    """The event noun itself when a preposition of sequence hangs it on its clause ('after overnight
    clashes', 'after a week of gunfights'); not 'during clashes': what happens during an event is part of it."""
    if token.pos_ != "NOUN":
        return None
    noun = token
    while noun.dep_ == "conj" and noun.head.i != noun.i:
        noun = noun.head  # 'after clashes and riots'
    if noun.dep_ == "pobj" and noun.head.i != noun.i and noun.head.lower_ == "of":
        noun = noun.head.head  # 'after a week of gunfights'
    if noun.dep_ == "pobj" and noun.head.lower_ in SEQUENCE_PREPOSITIONS and noun.head.dep_ == "prep":
        return token
    return None


def group_clauses(sent: Span, hits: list[TriggerHit]) -> list[Clause]:
    """The sentence's event clauses, then the clauses that tell no attack and hang from none (a cue
    alone, a verb of use alone): the rules never code those, the decision model weighs them."""
    clauses: dict[int, Clause] = {}
    for hit in hits:
        head = clause_head(hit.tokens(sent)[-1])
        clauses.setdefault(head.i, Clause(head)).hits.append(hit)
    for clause in list(clauses.values()):
        _split_sequence(clause, sent, clauses)
    kept, orphans = _attach_orphans(_fold_prepositional_means(list(clauses.values())))
    _settle(sent, kept, kept)
    _settle(sent, orphans, kept + orphans)
    return kept + orphans


def _settle(sent: Span, clauses: list[Clause], peers: list[Clause]) -> None:
    """Each clause's excluded tokens: the peer clauses nested in it, and nested clauses with none of
    its triggers."""
    for clause in clauses:
        own = {t.i for h in clause.hits for t in h.tokens(sent)}
        for other in peers:
            if other is not clause and clause.head in other.head.ancestors:
                clause.nested_events |= {t.i for t in other.head.subtree}  # `other` is nested in `clause`
        clause.excluded |= clause.nested_events
        for tok in clause.head.subtree:
            # a nested clause with none of this clause's triggers ("hills overlooking X", "cutting off X")
            if tok is not clause.head and tok.pos_ in ("VERB", "AUX") and tok.dep_ in CLAUSE_DEPS \
                    and not own & {t.i for t in tok.subtree}:
                clause.excluded |= {t.i for t in tok.subtree}


def _fold_prepositional_means(clauses: list[Clause]) -> list[Clause]:
    """'Two men were killed in shelling in X': a means parsed as the verb of a preposition's clause is
    the means of the clause the preposition hangs from."""
    out = list(clauses)
    for clause in clauses:
        head = clause.head
        if head.dep_ != "pcomp" or not clause.kinds <= {"means"}:
            continue
        host = next((o for o in out if o is not clause and "harm" in o.kinds and clause_head(head.head).i == o.head.i), None)
        if host is not None:
            host.hits.extend(clause.hits)
            out.remove(clause)
    return out


def _attach_orphans(clauses: list[Clause]) -> tuple[list[Clause], list[Clause]]:
    """A clause holding only act verbs, instruments or cues joins the clause it hangs from, if any; so
    does a participle of result ('..., killing seven militants') hanging from an attack clause.  The
    attack clauses, and the orphans that joined none."""
    attack = [c for c in clauses if (c.kinds & set(ATTACK_KINDS) or _armed(c)) and not _result_participle(c, clauses)]
    alone = []
    for clause in clauses:
        if clause in attack:
            continue
        for target in attack:
            if clause.head in target.head.ancestors and _earlier_or_later_event(target.head) is not None:
                continue  # 'imposed a curfew after clashes': the curfew is not the clashes' cue
            if target.head in clause.head.ancestors or clause.head in target.head.ancestors:
                target.hits.extend(clause.hits)
                break
        else:
            alone.append(clause)
    return [c for c in clauses if c in attack], alone


def _result_participle(clause: Clause, clauses: list[Clause]) -> bool:
    head = clause.head
    result = (head.tag_ == "VBG" and head.dep_ in ("advcl", "xcomp", "conj")) or (
        head.dep_ == "relcl" and _is_means(head.head))  # "an airstrike …, which resulted in the killing of"
    if not result or not clause.kinds <= {"harm", "act"}:  # "…, killing seven", "… which resulted in the killing"
        return False
    return any(other is not clause and other.head in head.ancestors and (other.best("means") or _armed(other))
               for other in clauses)


def _is_means(token: Token) -> bool:
    return any(t.kind in ("means", "instrument") and len(t.words) == 1 and t.words[0] in (lemma(token), token.lower_)
               for t in triggers().get(lemma(token), []) + triggers().get(token.lower_, []))


def _armed(clause: Clause) -> bool:
    """An attack told by its means: "fired rockets" (an act with an instrument), or an instrument used
    as the clause's own verb ("forces shelled X")."""
    if "instrument" not in clause.kinds:
        return False
    return "act" in clause.kinds or any(
        h.trigger.kind == "instrument" and h.end - h.start == 1 and h.start == clause.head.i
        and clause.head.pos_ == "VERB" for h in clause.hits)


def is_event_clause(clause: Clause) -> bool:
    kinds = clause.kinds
    return bool(kinds & {"means", "event", "harm", "modifier"}) or ("instrument" in kinds and "act" in kinds)


def non_event_reason(sent: Span, clause: Clause) -> str | None:
    """Why this clause reports no event (threat, plan, denial, negation, modality), or None."""
    cues = non_event_cues()
    sent_lemmas = {lemma(t) for t in sent}
    if sent_lemmas & cues.get("sentence", frozenset()):
        return "diplomacy"
    head = clause.head
    habits = cues.get("habit", frozenset())
    chain = [head, *list(head.ancestors)[:3]]
    if any(lemma(t) in habits for t in clause.tokens()) or any(
            lemma(c) in habits for a in chain for c in a.children if c.dep_ in ("advmod", "amod")):
        return "habitual"
    verb = head  # an asserting verb's infinitive is asserted with it: "began to loot" is looting done
    while verb.dep_ == "xcomp" and verb.head is not verb and lemma(verb.head) in ASSERTING_VERBS:
        if any(c.dep_ == "neg" for c in verb.head.children):
            return "negated"  # "did not begin to loot"
        verb = verb.head
    if verb.tag_ == "VB" and verb.dep_ in ("xcomp", "ccomp", "acl") and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):  # not "fired tear gas to disperse"
        return "infinitive: planned or intended, not reported as done"
    for verb in [head, *list(head.ancestors)[:2]]:
        for child in verb.children:
            if child.dep_ == "mark" and lemma(child) in cues.get("mark", frozenset()):
                return f"background '{child.text}'"
    for child in head.children:
        if child.dep_ == "neg":
            return "negated"
        if child.dep_ == "aux" and lemma(child) in cues.get("aux", frozenset()):
            return f"modal '{child.text}'"
    if head.dep_ in ("xcomp", "ccomp", "advcl") and head.head is not head:  # "they would hold a march to protest"
        for child in head.head.children:  # a modal scopes over the clauses its verb governs
            if child.dep_ == "aux" and lemma(child) in cues.get("aux", frozenset()):
                return f"modal '{child.text}'"
    for hit in clause.hits:  # "no protest had taken place": the event word itself is denied
        if any(c.dep_ == "det" and c.lower_ == "no" for c in sent.doc[hit.end - 1].children):
            return "negated"
    trigger_ids = {t.i for h in clause.hits for t in h.tokens(sent)}
    if lemma(head) in cues.get("governor", frozenset()) and head.i not in trigger_ids:
        return f"object of '{head.text}'"  # "prepare for an attack", "threatened a strike"
    for anc in governors(head):
        if lemma(anc) in cues.get("governor", frozenset()):
            return f"under '{anc.text}'"
    return None


def governors(head: Token, most: int = 3) -> list[Token]:
    """The verbs and nouns that govern `head`, nearest first.  A conjunct is its head's sibling, not its
    dependent ('stopped a bus and executed six': the killing is told as done, not as stopped), so the walk
    passes over coordination to what governs both."""
    out: list[Token] = []
    token = head
    while len(out) < most and token.head.i != token.i:
        sibling = token.dep_ == "conj"
        token = token.head
        if not sibling:
            out.append(token)
    return out


def present_perfect(head: Token) -> bool:
    """'has struck', 'have killed', 'has managed to recapture': background unless the clause dates it."""
    verbs = [head, head.head] if head.dep_ in ("xcomp", "ccomp") else [head]
    return any(v.tag_ == "VBN" and any(c.dep_ == "aux" and lemma(c) == "have" and c.tag_ in ("VBZ", "VBP")
                                       for c in v.children) for v in verbs)
