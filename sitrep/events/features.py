"""What the parse says of a proposed event clause, as named numbers for the decision model.

Three kinds of feature, each a small function of the parse and the article:
* the clause's own (`clause_features`): its trigger and their kinds, tense, modality, negation,
  reporting-verb depth, the rules' reasons to drop it, its toll and date, its actors, where it stands
  in the article (headline, caption, lead);
* each candidate place's (`place_options`): how it relates to the clause (the rules' choice, elsewhere
  in the sentence, the article's fallback, elsewhere in the article), its preposition, distance to the
  trigger, precision, kind and agreement with the article's geography;
* the article's (`article_features`): how often the clause's trigger and type recur, whether an
  earlier proposal told the same kind of event.

Names are stable strings: the model keeps the list it was trained on (`sitrep/decide/`).
"""
from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..geography import Spot, contains
from ..places import place_words
from ..records import PlaceMention
from .clauses import Clause, lemma, present_perfect
from .lexicon import event_types
from .proposals import PlaceOption, Proposal

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from ..timeexpr import DateRef

HEAD_TAGS = ("VBD", "VBN", "VBZ", "VBP", "VBG", "VB", "NN", "NNS", "NNP")
HEAD_DEPS = ("ROOT", "conj", "advcl", "ccomp", "relcl", "xcomp", "acl", "pcomp", "pobj", "dobj", "nsubj", "nsubjpass")
KINDS = ("means", "instrument", "act", "harm", "event", "modifier")
MODALS = {"will", "would", "could", "may", "might", "should", "must", "can", "shall"}
SAY_LEMMAS = {"say", "report", "tell", "confirm", "announce", "state", "add", "claim", "accuse", "allege",
              "according", "quote", "cite", "describe", "write", "post", "tweet"}
PREPOSITIONS = ("in", "at", "near", "from", "to", "on", "into", "of", "outside", "across", "around", "toward",
                "towards", "between", "against", "over", "inside", "off")
FEATURE_CLASSES = ("A", "P", "H", "T", "L", "S", "V", "R")
# The rules' reasons to drop a clause, by the words they start with (a reason's tail names the word).
REASON_KEYS = {
    "no event word": "no_event_word", "diplomacy": "diplomacy", "habitual": "habitual", "infinitive": "infinitive",
    "background": "background_mark", "negated": "negated", "modal": "modal", "object of": "object_of",
    "under": "under_governor", "a vague word": "vague_battle", "present perfect": "perfect_undated",
    "three or more": "roundup", "no type": "untyped", "only an aggregate": "aggregate", "history": "history",
    "an earlier year": "old_year",
}
MAX_CHARS = 2000


def reason_key(reason: str) -> str:
    """The stable key of one of the rules' reasons ('modal' for "modal 'could'")."""
    return next((key for prefix, key in REASON_KEYS.items() if reason.startswith(prefix)), "other")


def _one_hot(out: dict[str, float], prefix: str, value: str | None, vocabulary: tuple[str, ...]) -> None:
    out[f"{prefix}_{value if value in vocabulary else 'other'}"] = 1.0


def _say_depth(head: Token) -> int:
    """Reporting verbs above the clause ('officials said ... that X attacked'): how deep it is reported."""
    return sum(1 for a in head.ancestors if lemma(a) in SAY_LEMMAS)


def _quoted(text: str, sent: Span, offset: int) -> bool:
    """An odd number of quote marks before the offset in its sentence: inside a direct quote."""
    before = text[sent.start_char:offset]
    return before.count('"') % 2 == 1 or before.count("\u201c") > before.count("\u201d")


def clause_features(ctx: Any, sent: Span, clause: Clause, proposal: Proposal, trigger_token: Token, all_fatal: list,
                    sentence_date: DateRef | None) -> dict[str, float]:
    """The clause's own features (see the module docstring)."""
    head = clause.head
    out: dict[str, float] = {}
    _one_hot(out, "head_tag", head.tag_, HEAD_TAGS)
    _one_hot(out, "head_dep", head.dep_, HEAD_DEPS)
    _one_hot(out, "trigger_pos", trigger_token.pos_, ("NOUN", "VERB", "PROPN", "ADJ"))
    out["trigger_is_head"] = float(trigger_token.i == head.i)
    children = list(head.children)
    out["passive"] = float(any(c.dep_ == "auxpass" for c in children))
    out["perfect"] = float(present_perfect(head))
    out["past_perfect"] = float(any(c.dep_ == "aux" and c.lower_ == "had" for c in children))
    out["modal"] = float(any(c.dep_ == "aux" and c.lower_ in MODALS for c in children))
    out["negated"] = float(any(c.dep_ == "neg" for c in children))
    out["to_infinitive"] = float(any(c.dep_ == "aux" and c.lower_ == "to" for c in children))
    out["conditional"] = float(any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for a in [head, *head.ancestors]
                                   for c in a.children))
    out["say_depth"] = float(_say_depth(head))
    out["according_to"] = float(any(t.lower_ == "according" for t in sent))
    out["quoted"] = float(_quoted(ctx.article.text, sent, proposal.trigger_start))
    out["question"] = float(sent.text.rstrip().endswith("?"))
    for reason in proposal.reasons:
        out[f"reason_{reason_key(reason)}"] = 1.0
    out["n_reasons"] = float(len(proposal.reasons))
    kinds = Counter(h.kind for h in proposal.hits)
    for kind in KINDS:
        out[f"kind_{kind}"] = float(kinds.get(kind, 0))
    out["n_hits"] = float(len(proposal.hits))
    out["best_rank"] = float(min((h.rank for h in proposal.hits), default=10))
    out["typed"] = float(proposal.typed)
    fatal = [f for f in all_fatal if not f.aggregate]
    out["toll"] = math.log1p(proposal.fatalities)
    out["toll_in_sentence"] = math.log1p(max((f.count for f in fatal), default=0))
    out["toll_in_clause"] = float(any(clause.contains_char(f.start) for f in fatal))
    out["toll_aggregate"] = float(any(f.aggregate for f in all_fatal))
    out["toll_update"] = float(any(f.update for f in fatal))
    published = ctx.article.published
    out["no_published"] = float(published is None)
    out["date_in_sentence"] = float(sentence_date is not None)
    out["date_from_context"] = float(sentence_date is None and ctx.last_date is not None)
    if sentence_date is not None and published is not None and sentence_date.date is not None:
        out["days_before"] = float(min(max((published - sentence_date.date).days, -30), 400))
    else:
        out["days_before"] = -1.0
    out["years_in_sentence"] = float(sum(1 for t in sent if t.ent_type_ == "DATE" and t.like_num and len(t.text) == 4))
    for n, actor in (("1", proposal.actor1), ("2", proposal.actor2)):
        out[f"actor{n}_inter"] = float(actor.inter) if actor else 0.0
        out[f"actor{n}_unidentified"] = float(bool(actor and actor.name.startswith("Unidentified")))
    out["n_tokens"] = float(len(sent))
    out["sentence"] = float(proposal.sentence)
    out["piece_title"] = float(proposal.piece == "title")
    out["piece_caption"] = float(proposal.piece == "caption")
    out["lead"] = float(_in_lead(ctx, sent.start_char))
    out["n_sentence_places"] = float(sum(1 for o in proposal.places if o.relation in ("clause", "sentence")))
    out["n_clause_places"] = float(sum(1 for o in proposal.places if o.relation == "clause"))
    out["weak"] = float(proposal.weak)
    out["unplaced"] = float(proposal.unplaced)
    return out


def sentence_type_features(proposal: Proposal, hits: list[Any], crowd_violence: bool = False,
                           weapon_disrupted: bool = False) -> None:
    """The sub-event types the whole sentence's words name, not only the clause's: the crowd that 'set a
    bus on fire' in another clause makes the march a violent one; 'after clashes' beside a curfew.  And
    whether the sentence's crowd does violence itself (`crowd_does_violence`), and whether its weapon is
    stopped rather than used (`weapon_disrupted`)."""
    subs = [sub for _, sub in event_types()]
    for hit in hits:
        sub = hit.trigger.sub_event_type
        if sub in subs:
            proposal.features[f"sent_sub_{subs.index(sub)}"] = 1.0
    proposal.features["crowd_violence"] = float(crowd_violence)
    proposal.features["weapon_disrupted"] = float(weapon_disrupted)


CEDED = "Non-violent transfer of territory"
TAKEN = frozenset({"Non-state actor overtakes territory", "Government regains territory"})
# Words of a sentence that tell no fighting however they are read: the territorial ones themselves ('took
# control'), and the types that are no violence (protests, the non-violent developments).
PEACEFUL_TYPES = frozenset({"Protests", "Strategic developments"})


def territory_ceded(sent: Span, hits: list[Any]) -> bool:
    """Ground taken in a sentence that tells how it was given up rather than fought for: a side withdrew,
    pulled out, abandoned or handed it over, and no word of the sentence tells fighting, a weapon used or
    harm, unless denied ("without a fight", "no shots were fired").  "Troops moved into the town after the
    rebels withdrew" is a non-violent transfer of territory: forces move into an area without fighting
    (CODING.md); the taking is a battle only where one is told."""
    if not any(h.trigger.sub_event_type == CEDED for h in hits):
        return False
    doc = sent.doc
    for hit in hits:
        trig = hit.trigger
        if trig.sub_event_type in TAKEN or trig.event_type in PEACEFUL_TYPES or trig.kind == "modifier":
            continue
        if not _denied(doc[hit.end - 1]):
            return False
    return True


def _denied(token: Token) -> bool:
    """The word is said not to have happened: governed by 'without' ("without a fight", "without firing a
    shot"), negated ("did not fight"), or its noun, or its verb's subject or object, determined by 'no' ("no
    shots were fired", "there was no fighting")."""
    if token.head.lower_ == "without" and token.dep_ in ("pobj", "pcomp"):
        return True
    if any(c.dep_ == "neg" for c in token.children):
        return True
    nouns = [token, *(c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"))]
    return any(c.dep_ == "det" and c.lower_ == "no" for n in nouns for c in n.children)


# Verbs that stop a weapon before or instead of its use (ACLED's Disrupted weapons use: interceptions,
# defusals, seizures and finds of arms): with a weapon as their object, or as the subject of their passive.
# A verb that uses a weapon ("detonate", "shoot") is no disruption: "shot down" is caught by its particle, a
# bomb "detonated in a controlled explosion" by its own check.
DISRUPTING = {"intercept", "defuse", "seize", "confiscate", "recover", "find", "discover", "uncover", "destroy",
              "dismantle", "neutralise", "neutralize", "foil", "thwart", "deactivate", "disarm", "capture",
              "impound", "hand", "down"}  # ('downed a drone': shot it down)
# The general words for arms (a weapon's own name is an instrument or means trigger).
ARMS = {"weapon", "arm", "arms", "explosive", "explosives", "ammunition", "munition", "rifle", "gun", "firearm",
        "pistol", "bomb", "device"}
WEAPON_KINDS = ("instrument", "means")


def weapon_disrupted(sent: Span, hits: list[Any]) -> bool:
    """A weapon in the sentence is stopped, not used: the object of a verb that intercepts, defuses, seizes
    or finds it ("troops seized rifles and explosives", "the missile was intercepted", "two devices
    found by the road were destroyed in a controlled blast").  The line ACLED draws between Disrupted
    weapons use and the attack it prevented (CODING.md)."""
    doc = sent.doc
    if any(t.lower_ == "controlled" and t.dep_ == "amod" and lemma(t.head) in ("explosion", "detonation", "blast")
           for t in sent):
        return True  # bomb disposal: "destroyed in a controlled explosion"
    nouns = [doc[h.end - 1] for h in hits if h.trigger.kind in WEAPON_KINDS]
    nouns += [t for t in sent if t.pos_ == "NOUN" and lemma(t) in ARMS]
    for noun in nouns:
        while noun.dep_ == "conj" and noun.head is not noun:  # "rifles and explosives"
            noun = noun.head
        if noun.dep_ in ("dobj", "nsubjpass") or (noun.dep_ == "pobj" and noun.head.lower_ == "of"
                                                  and noun.head.head.pos_ == "NOUN"):
            verb = noun.head if noun.dep_ != "pobj" else noun.head.head  # "the seizure of weapons"
            if lemma(verb) in DISRUPTING or any(c.dep_ == "prt" and c.lower_ == "down" for c in verb.children):
                return True
            if noun.dep_ == "pobj" and lemma(verb) in ("seizure", "interception", "recovery", "discovery", "cache"):
                return True
        # "devices found near a post": the weapon qualified by a participle of finding
        if any(c.dep_ == "acl" and lemma(c) in DISRUPTING for c in noun.children):
            return True
    return False


# Strategic developments that are violence done by whoever does them (ACLED: looting and destruction).
VIOLENT_DEVELOPMENTS = {"Looting/property destruction"}
SUBJECT_DEPS = ("nsubj", "csubj")


def crowd_does_violence(sent: Span, hits: list[Any], crowd: frozenset[str]) -> bool:
    """A crowd (protesters, demonstrators, rioters, a mob) is the doer of a violent act in the sentence:
    the subject of its verb ("protesters set fire to the office", "demonstrators hurled stones and
    attacked the police"), its passive agent ("stormed by protesters"), the crowd the act qualifies
    ("stone-throwing demonstrators"), or a side of the fighting ("clashes between protesters and
    police").  ACLED's line between a demonstration met with force (Protests) and a violent one
    (Riots) is whether the demonstrators themselves do violence (CODING.md); a crowd acted upon
    ("police beat protesters", "protesters were arrested") is no doer."""
    doc = sent.doc
    crowd = crowd | CROWD_NOUNS
    for hit in hits:
        trig = hit.trigger
        if trig.kind == "modifier" or trig.event_type in ("Protests", "-") or (
                trig.event_type == "Strategic developments" and trig.sub_event_type not in VIOLENT_DEVELOPMENTS):
            continue
        if _crowd_does(doc[hit.start], crowd, harm=trig.kind == "harm"):
            return True
    return _called_violent(sent, crowd)


# A gathering of people that is no actor's name (so not in the actor dictionary's protester and rioter
# classes: "a crowd" may be the victims of an attack) but is a crowd when it does violence itself: "a crowd
# stormed the police post" is mob violence (ACLED's Riots), "gunmen fired on a crowd" is not (no doer).
CROWD_NOUNS = frozenset({"crowd", "crowds", "throng", "throngs"})
VIOLENT_WORDS = frozenset({"violent", "riotous", "unruly"})
BECOMING = frozenset({"turn", "become", "grow", "get"})


def _called_violent(sent: Span, crowd: frozenset[str]) -> bool:
    """The text calls the demonstration itself violent: "a violent protest", "violent demonstrators", "the
    march turned violent". ACLED's Riots are violent demonstrations (CODING.md); the word qualifies the
    crowd or its gathering, not the police ("a violent crackdown on protesters" is no violent crowd)."""
    for token in sent:
        if token.lower_ not in VIOLENT_WORDS:
            continue
        if token.dep_ == "amod" and _is_crowd(token.head, crowd):
            return True
        if token.dep_ in ("acomp", "oprd", "attr") and lemma(token.head) in BECOMING | {"be"} and any(
                c.dep_ in SUBJECT_DEPS and _is_crowd(c, crowd) for c in token.head.children):
            return True
    return False


def _is_crowd(token: Token, crowd: frozenset[str]) -> bool:
    return token.lower_ in crowd or lemma(token) in crowd or any(
        c.dep_ == "conj" and (c.lower_ in crowd or lemma(c) in crowd) for c in token.children)


def _crowd_does(token: Token, crowd: frozenset[str], *, harm: bool = False) -> bool:
    """`harm`: the word is a verb of harm ("kill", "injure"), which takes its victim as object; with none, its
    subject is the victim (a headline's passive without its auxiliary: "Protesters killed as troops open fire")."""
    if token.dep_ in ("amod", "compound") and _is_crowd(token.head, crowd):
        return True  # "stone-throwing demonstrators", "rioting youths"
    sides = list(token.children)
    if token.dep_ == "nsubj":  # "clashes broke out between protesters and police"
        sides += [c for c in token.head.children if c.i > token.i]
    for prep in sides:  # "clashes between protesters and police", "clashes with rioters"
        if prep.dep_ == "prep" and prep.lower_ in ("between", "with", "by"):
            if any(o.dep_ == "pobj" and _is_crowd(o, crowd) for o in prep.children):
                return True
    verb = token if token.pos_ in ("VERB", "AUX") else token.head if token.dep_ in ("dobj", "pobj", "attr") else None
    if verb is not None and verb.dep_ == "prep":  # "set fire to ...": the object of the verb's preposition
        verb = verb.head
    subjects: tuple[str, ...] = SUBJECT_DEPS
    while verb is not None:
        for child in verb.children:
            if child.dep_ in subjects and _is_crowd(child, crowd) and not (
                    harm and verb is token and not any(c.dep_ == "dobj" for c in verb.children)):
                return True
            if child.dep_ == "agent" and any(o.dep_ == "pobj" and _is_crowd(o, crowd) for o in child.children):
                return True
        if verb.dep_ == "xcomp" and verb.head is not verb:
            # the understood subject of a verb's complement is its governor's ("protesters began to loot
            # shops"), or the passive subject of a verb of perception ("the crowd was seen to attack ...")
            subjects = (*SUBJECT_DEPS, "nsubjpass")
            verb = verb.head
        else:
            verb = verb.head if verb.dep_ == "conj" and verb.head is not verb else None  # a shared subject
    return False


def _in_lead(ctx: Any, offset: int) -> bool:
    return any(p.start <= offset < p.end for p in ctx.lead)


# ---------------------------------------------------------------- places
MAX_ARTICLE_OPTIONS = 8


def place_options(ctx: Any, sent: Span, clause: Clause, rule_places: list[PlaceMention],
                  chosen: list[PlaceMention]) -> list[PlaceOption]:
    """The places the clause's event could be at: the rules' choice, the sentence's other places, the
    article's fallback, and the article's other places (the nearest first), one option per place."""
    options: list[PlaceOption] = []
    seen: set[str] = set()

    def add(place: PlaceMention, relation: str) -> None:
        option = PlaceOption(place, relation)
        if option.key in seen or not (place.name or place.text):
            return
        seen.add(option.key)
        option.features = _place_features(ctx, sent, clause, place, relation)
        options.append(option)

    for place in rule_places:
        add(place, "clause")
    for place in ctx.places:
        if sent.start_char <= place.start < sent.end_char and place.name:
            add(place, "sentence")
    for place in chosen:
        if place not in rule_places:
            add(place, "fallback")
    others = sorted((p for p in ctx.places if p.name and not sent.start_char <= p.start < sent.end_char),
                    key=lambda p: abs(p.start - sent.start_char))
    before = len(options)
    for place in others:
        if len(options) - before >= MAX_ARTICLE_OPTIONS:
            break
        add(place, "article")
    _relations(ctx.article.text, options)
    _lists(sent, options)
    return options


def _list_head(sent: Span, place: PlaceMention) -> Token | None:
    """The first conjunct of the coordination the place's name stands in ("A, B and C": A; "A, B and C
    villages": A), else its own head."""
    span = sent.doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return None
    token = span.root
    if token.dep_ == "compound" and place_words().kind(token.head.lower_):
        token = token.head  # "A, B and C villages": the kind word heads the last name, and stands in the list
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    return token


def _lists(sent: Span, options: list[PlaceOption]) -> None:
    """How many places of the sentence stand in one list with each option ("bases in A, B and C", "towns
    like A, B and C reported clashes"): each listed place may be an event of its own."""
    heads = {id(o): _list_head(sent, o.place) for o in options if o.relation != "article"}
    groups = Counter(h.i for h in heads.values() if h is not None)
    for option in options:
        head = heads.get(id(option))
        size = groups[head.i] if head is not None else 0
        option.features["list_size"] = float(size)


def specificity(place: PlaceMention) -> int:
    """0 a country, 1 a province, 2 a district, 3 a town, village or a named place the gazetteer lacks."""
    code = place.feature_code or ""
    if code.startswith("PCL"):
        return 0
    if code == "ADM1":
        return 1
    if code.startswith("ADM") or place.feature_class == "A":
        return 2
    return 3


def _relations(text: str, options: list[PlaceOption]) -> None:
    """How each option stands to the others of its sentence: holds one, is held, is the finest."""
    local = [o for o in options if o.relation != "article"]
    spots = [Spot.of_mention(o.place) for o in options]
    local_spots = [(o.place, spot) for o, spot in zip(options, spots) if o.relation != "article"]
    finest = max((specificity(o.place) for o in local), default=0)
    for option, spot in zip(options, spots):
        place = option.place
        option.features["specificity"] = float(specificity(place))
        option.features["finest_in_sentence"] = float(option in local and specificity(place) == finest)
        option.features["holds_other"] = float(any(other is not place and contains(spot, at)
                                                   for other, at in local_spots))
        option.features["held_by_other"] = float(any(other is not place and contains(at, spot)
                                                     for other, at in local_spots))
        option.features["same_country_options"] = float(sum(1 for o in local if o.place.country == place.country))
        after = text[place.end:place.end + 24].lower().split()
        kind = place_words().kind(after[0].strip(".,;:")) if after else None
        if kind:
            option.features[f"kind_after={kind}"] = 1.0


def _preposition(doc: Any, place: PlaceMention) -> str | None:
    """The preposition the place's phrase hangs from ('in X', 'near the town of X'), if any."""
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return None
    token = span.root
    for _ in range(4):
        if token.dep_ == "pobj" and token.head.pos_ == "ADP":
            return token.head.lower_
        if token.head is token:
            return None
        token = token.head
    return None


def _place_features(ctx: Any, sent: Span, clause: Clause, place: PlaceMention, relation: str) -> dict[str, float]:
    out: dict[str, float] = {}
    out[f"rel_{relation}"] = 1.0
    out["geo_precision"] = float(place.geo_precision or 3)
    _one_hot(out, "fclass", place.feature_class, FEATURE_CLASSES)
    code = place.feature_code or ""
    out["is_country"] = float(code.startswith("PCL"))
    out["is_adm1"] = float(code == "ADM1")
    out["is_adm2"] = float(code == "ADM2")
    out["resolved"] = float(place.geonameid is not None)
    out["focus_country"] = float(bool(place.country) and place.country == ctx.country)
    out["country_share"] = ctx.shares.get(place.country or "", 0.0)
    name = (place.name or place.text).lower()
    same = ctx.places_named.get(name, [])
    out["mentions"] = float(len(same))
    out["in_title"] = float(any(t.start <= p.start < t.end for p in same for t in ctx.titles))
    out["in_lead"] = float(any(_in_lead(ctx, p.start) for p in same))
    out["first_mention"] = float(min((p.start for p in same), default=place.start)) / max(len(ctx.article.text), 1)
    in_sentence = sent.start_char <= place.start < sent.end_char
    if in_sentence:
        distance = place.start - clause.head.idx
        out["char_distance"] = float(max(min(distance, MAX_CHARS), -MAX_CHARS))
        out["abs_distance"] = math.log1p(abs(distance))
        out["in_clause"] = float(clause.contains_char(place.start))
        out["in_other_clause"] = float(clause.in_other(place.start))
        out["excluded"] = float(clause.excludes_char(place.start))
        prep = _preposition(sent.doc, place)
        _one_hot(out, "prep", prep or "none", (*PREPOSITIONS, "none"))
        out["sentence_distance"] = 0.0
    else:
        out["char_distance"] = float(MAX_CHARS if place.start > sent.start_char else -MAX_CHARS)
        out["abs_distance"] = math.log1p(abs(place.start - sent.start_char))
        out["prep_away"] = 1.0
        nearest = min((abs(p.start - sent.start_char) for p in same), default=MAX_CHARS * 10)
        out["sentence_distance"] = math.log1p(nearest)
    out["role_metonym"] = float(place.role == "metonym")
    out[f"source_{place.source}"] = 1.0
    out["dateline_name"] = float(bool(ctx.article.dateline_place) and
                                 (ctx.article.dateline_place or "").lower() == (place.text or "").lower())
    return out


# ---------------------------------------------------------------- the article
def country_shares(places: list[PlaceMention]) -> dict[str, float]:
    """Share of the article's literal place mentions in each country."""
    counts = Counter(p.country for p in places if p.country and p.role == "literal")
    total = sum(counts.values())
    return {c: n / total for c, n in sorted(counts.items())} if total else {}


def article_features(ctx: Any, proposals: list[Proposal]) -> None:
    """Features that need the whole article: recurrence of the trigger and the type, earlier reports."""
    triggers = Counter(p.trigger.lower() for p in proposals)
    types = Counter(p.event_type for p in proposals)
    in_sentence: dict[int, Counter[str]] = {}
    for p in proposals:  # the event words of each sentence, by the type they name
        in_sentence.setdefault(p.sentence, Counter()).update(h.event_type for h in p.hits if h.event_type != "-")
    kept = Counter(p.event_type for p in proposals if not p.reasons)
    seen: Counter[str] = Counter()
    # the story's crowd turns violent, or its weapon is stopped, somewhere in it ("a missile was fired at
    # the city" and, two sentences on, "it was intercepted")
    story = {name: float(any(p.features.get(name) for p in proposals)) for name in ("crowd_violence", "weapon_disrupted")}
    for p in proposals:
        for name, value in story.items():
            p.features[f"article_{name}"] = value
        p.features["trigger_count"] = float(triggers[p.trigger.lower()])
        p.features["type_count"] = float(types[p.event_type])
        p.features["type_kept_count"] = float(kept[p.event_type])
        p.features["type_earlier"] = float(seen[p.event_type])
        p.features["n_proposals"] = float(len(proposals))
        p.features["relative_sentence"] = p.sentence / max(ctx.n_sentences, 1)
        for event_type, n in in_sentence[p.sentence].items():  # "protesters ... set fire", "clashed ... killed"
            p.features[f"sentence_words={event_type}"] = float(n)
        seen[p.event_type] += 1
