"""The decision model: which proposed readings are events, of what sub-type, and how sure it is.

Two gradient-boosted classifiers (LightGBM) and a calibration map, stored together in one JSON file
(`sitrep/models/decision.json.gz`, written by `sitrep eval train`):

* **keep** scores each reading of a proposal (an event type at a candidate place): is there an
  event of this type at this place?  Readings of the same type at the same place form one *slot*
  (ACLED's unit within an article); a slot's score is its best reading's.
* **type** scores each sub-event type a proposal may be.
* **calibration** maps a slot's score to the probability that it is a real event (isotonic
  regression fitted out of fold on the training articles); the event's `confidence` is that
  probability, and slots under the `threshold` chosen out of fold are dropped, with the reason.

Deciding an article needs only its proposals (`ArticleProposals`), never the parse.  The shipped model's
boosters are scored by their compiled code (`compiled.py`: the same scores, faster).
"""
from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from ..actors import ActorDictionary
from ..errors import SitrepError
from ..events.features import CEDED, TAKEN
from ..events.lexicon import event_types
from ..events.merge import fold_protest_arrests, fold_remote_harm
from ..events.proposals import ArticleProposals, PlaceOption, Proposal
from ..geography import Spot, contains, distance_km, place_words, same_place
from ..records import Event, PlaceMention
from .compiled import Scorer, lightgbm_scorer, scorer
from .rows import KeepRow, event_type_of, keep_rows, type_rows
from .text import TextModel

log = logging.getLogger(__name__)
MODEL_DIR = Path(__file__).resolve().parents[1] / "models"
DEFAULT_MODEL = MODEL_DIR / "decision.json.gz"
FORMAT = 2
TEXT_FEATURE = "text_score"  # the sentence model's log-odds, a feature of every reading
# Readings the reading model's first booster scores below this are scored by it alone (`Booster.predict_screened`)
SCREEN = 0.01


@dataclass
class Booster:
    """LightGBM boosters (one, or several trained with different seeds and averaged) with the feature
    names they read, in order."""

    features: list[str]
    models: list[Any]  # lightgbm.Booster
    compiled: bool = False  # scored by the models' compiled code (`compiled.scorer`): the shipped model's
    _index: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _scorers: list[Scorer] | None = field(default=None, repr=False, compare=False)
    _prefixed: dict[str, dict[str, int]] = field(default_factory=dict, repr=False, compare=False)
    _signatures: dict[tuple[str, ...], list[int]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def scorers(self) -> list[Scorer]:
        """One function per model that scores rows (the same scores, compiled or not)."""
        if self._scorers is None or len(self._scorers) != len(self.models):
            self._scorers = [scorer(m) if self.compiled else lightgbm_scorer(m) for m in self.models]
        return self._scorers

    def predict_matrix(self, x: np.ndarray) -> np.ndarray:
        return np.mean([score(x) for score in self.scorers], axis=0)

    def predict_screened(self, x: np.ndarray, floor: float) -> np.ndarray:
        """The mean of the boosters, for the rows the first booster scores at `floor` or above; the first
        booster's score for the others. A reading its first booster puts below the floor is not near any
        decision, and the seeds' average only steadies the readings near one: most of an article's readings
        (a clause at every place of the article) are far below it, and are read once, not once a seed."""
        first, *others = self.scorers
        scores = first(x)
        near = np.flatnonzero(scores >= floor)
        if others and len(near):
            rest = x[near]
            scores[near] = (scores[near] + sum(score(rest) for score in others)) / len(self.models)
        return scores

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-feature contributions to the log-odds (the last column is the bias), averaged."""
        return np.mean([np.asarray(m.predict(x, pred_contrib=True, num_threads=1)) for m in self.models], axis=0)

    @property
    def index(self) -> dict[str, int]:
        if self._index is None or len(self._index) != len(self.features):
            self._index = {name: i for i, name in enumerate(self.features)}
        return self._index

    def prefixed_index(self, prefix: str) -> dict[str, int]:
        """The column of each feature the booster reads under `prefix`, by the feature's own name."""
        if prefix not in self._prefixed:
            self._prefixed[prefix] = {name[len(prefix):]: i for name, i in self.index.items() if name.startswith(prefix)}
        return self._prefixed[prefix]

    def vector(self, features: dict[str, float], prefix: str = "") -> np.ndarray:
        """The features as a row (`prefix`: each read under its name so prefixed)."""
        out = np.zeros(len(self.features) + 1, dtype=np.float64)
        out[self._columns(features, prefix)] = list(features.values())
        return out[:-1]

    def _columns(self, features: dict[str, float], prefix: str = "") -> list[int]:
        """The column of each feature, in order; -1 (a spare last column, cut off) for a feature the
        booster does not read."""
        return list(map((self.prefixed_index(prefix) if prefix else self.index).get, features, repeat(-1)))

    def _row_columns(self, features: dict[str, float], prefix: str = "") -> list[int]:
        """`_columns` of a reading's or a slot's own features, kept by their names: these few names come in
        a few orders, met again row after row."""
        signature = (prefix, *features)
        columns = self._signatures.get(signature)
        if columns is None:
            columns = self._signatures[signature] = self._columns(features, prefix)
        return columns

    def matrix(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        out = np.zeros((len(rows), len(self.features) + 1), dtype=np.float64)
        for r, row in enumerate(rows):
            out[r, self._columns(row)] = list(row.values())
        return np.ascontiguousarray(out[:, :-1])

    def reading_matrix(self, rows: Sequence[KeepRow], extra: dict[int, dict[str, float]]) -> np.ndarray:
        """The readings' matrix built by blocks: each proposal's and each place option's features are
        placed once, then each reading adds its own (and `extra`, by proposal index)."""
        proposals: dict[int, int] = {}  # proposal index -> its row in `blocks[0]`
        options: dict[int, int] = {}  # id of a place option -> its row in `blocks[1]`
        blocks: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        of_proposal, of_option = np.empty(len(rows), dtype=np.intp), np.empty(len(rows), dtype=np.intp)
        own_rows: list[int] = []
        own_columns: list[int] = []
        own_values: list[float] = []
        for r, row in enumerate(rows):
            p = row.proposal.index
            if p not in proposals:
                proposals[p] = len(blocks[0])
                blocks[0].append(self.vector({**row.proposal.features, **extra.get(p, {})}))
            o = id(row.option)
            if o not in options:
                options[o] = len(blocks[1])
                blocks[1].append(self.vector(row.option.features))
            of_proposal[r], of_option[r] = proposals[p], options[o]
            own_rows.extend(repeat(r, len(row.own)))
            own_columns.extend(self._row_columns(row.own))
            own_values.extend(row.own.values())
        width = len(self.features)
        if not rows:
            return np.zeros((0, width), dtype=np.float64)
        out = np.zeros((len(rows), width + 1), dtype=np.float64)
        out[:, :-1] = np.array(blocks[0])[of_proposal] + np.array(blocks[1])[of_option]  # (the two sets of names are apart)
        out[own_rows, own_columns] = own_values  # a reading's own features replace, as they are its own
        return np.ascontiguousarray(out[:, :-1])

    def block_matrix(self, rows: Sequence[tuple[Any, dict[str, float]]]) -> np.ndarray:
        """Rows of a block's features (a proposal's: each placed once) and a row's own (replacing)."""
        blocks: dict[int, np.ndarray] = {}
        out = np.zeros((len(rows), len(self.features) + 1), dtype=np.float64)
        for r, (block, own) in enumerate(rows):
            if id(block) not in blocks:
                blocks[id(block)] = self.vector(block.features)
            out[r, :-1] = blocks[id(block)]
            out[r, self._row_columns(own)] = list(own.values())
        return np.ascontiguousarray(out[:, :-1])

    def slot_matrix(self, slots: Sequence[Slot], summaries: Sequence[dict[str, float]]) -> np.ndarray:
        """`slot_features` as a matrix, built by blocks: the best reading's proposal and place option are
        each placed once however many slots they are the best of, then its own features, then the slot's
        summary (each replacing, as the features' dict does)."""
        width = len(self.features)
        blocks: dict[int, np.ndarray] = {}  # id of a proposal or option -> its prefixed row
        out = np.zeros((len(slots), width + 1), dtype=np.float64)
        for r, (slot, summary) in enumerate(zip(slots, summaries)):
            best = slot.best
            for block in (best.proposal, best.option):
                if id(block) not in blocks:
                    blocks[id(block)] = self.vector(block.features, BEST)
            out[r, :-1] = blocks[id(best.proposal)] + blocks[id(best.option)]  # (the two sets of names are apart)
            out[r, self._row_columns(best.own, BEST)] = list(best.own.values())
            out[r, self._row_columns(summary)] = list(summary.values())
        return np.ascontiguousarray(out[:, :-1])

    def predict(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        return self.predict_matrix(self.matrix(rows))

    def to_json(self) -> dict[str, Any]:
        return {"features": self.features, "models": [m.model_to_string() for m in self.models]}

    @classmethod
    def from_json(cls, row: dict[str, Any], *, compiled: bool = False) -> Booster:
        import lightgbm

        return cls(list(row["features"]), [lightgbm.Booster(model_str=m) for m in row["models"]], compiled)


@dataclass
class Calibration:
    """A monotone map from a slot's raw score to a probability (isotonic, as fitted)."""

    x: list[float]
    y: list[float]

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        if not self.x:
            return scores
        return np.interp(scores, self.x, self.y)


@dataclass
class Slot:
    """One candidate event of an article: an event type at a place, with the readings that propose it."""

    event_type: str
    key: str
    rows: list[KeepRow]
    scores: list[float]
    probability: float = 0.0
    kept: bool = False
    why: str = ""
    rivals: set[str] = field(default_factory=set)  # other event types the same event was proposed as
    coded_as: str = ""  # the event type its event was coded as, once kept (`DecisionModel.event_of`)

    @cached_property
    def best(self) -> KeepRow:
        return self.rows[int(np.argmax(self.scores))]

    @cached_property
    def told(self) -> KeepRow:
        """The reading whose sentence names the slot's place, the likeliest such (the event's evidence);
        the best reading when no sentence names it."""
        named = [i for i, r in enumerate(self.rows) if r.option.relation != "article"]
        return self.rows[max(named, key=lambda i: self.scores[i])] if named else self.best

    @cached_property
    def score(self) -> float:
        """The best reading's score (asked once the slot's readings are all grouped)."""
        return max(self.scores)

    @property
    def option(self) -> PlaceOption:
        return self.best.option


@dataclass
class Decision:
    """An article decided: the events kept, and every slot considered with why it was kept or dropped."""

    events: list[Event]
    slots: list[Slot]
    sub_types: dict[int, dict[str, float]] = field(default_factory=dict)  # proposal index -> sub-type scores


@dataclass
class DecisionModel:
    keep: Booster
    slot: Booster
    type: Booster
    text: TextModel
    calibration: Calibration
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------ deciding
    def decide(self, proposed: ArticleProposals) -> list[Event]:
        return self.decide_article(proposed).events

    def decide_explained(self, proposed: ArticleProposals) -> tuple[list[Event], dict[str, Any]]:
        """The events, and the record of why (kept with the article: `sitrep explain`)."""
        from .explain import explain_article

        decision = self.decide_article(proposed)
        return decision.events, explain_article(self, decision, proposed.doc_id).to_json()

    def decide_article(self, proposed: ArticleProposals) -> Decision:
        rows = keep_rows(proposed)
        if not rows:
            return Decision([], [])
        text = {p.index: {TEXT_FEATURE: self.text.score(p.evidence)} for p in proposed.proposals}
        slots = group_slots(rows, self.keep.predict_screened(self.keep.reading_matrix(rows, text), SCREEN))
        scores = self.slot.predict_matrix(self.slot.slot_matrix(slots, slot_summaries(slots)))
        probabilities = self.calibration(scores)
        for slot, p in zip(slots, probabilities):
            slot.probability = float(p)
        select(slots, self.threshold)
        sub_types = self.sub_type_scores([s for s in slots if s.kept])
        events = sorted((self.event_of(slot, sub_types) for slot in slots if slot.kept),
                        key=lambda e: (e.evidence_start, e.event_type))
        return Decision(fold_remote_harm(fold_protest_arrests(events)), slots, sub_types)

    def sub_type_scores(self, slots: list[Slot]) -> dict[int, dict[str, float]]:
        proposals = {r.proposal.index: r.proposal for s in slots for r in s.rows}
        rows = [(index, row) for index, proposal in sorted(proposals.items()) for row in type_rows(proposal)]
        scores = self.type.predict_matrix(self.type.block_matrix([(row.proposal, row.own) for _, row in rows]))
        out: dict[int, dict[str, float]] = {}
        for (index, row), score in zip(rows, scores):
            out.setdefault(index, {})[row.sub_event_type] = float(score)
        return out

    def event_of(self, slot: Slot, sub_types: dict[int, dict[str, float]]) -> Event:
        """The slot as an ACLED event: its best reading's clause, at the slot's place, of the sub-type
        its readings score highest."""
        best = slot.told
        proposal = best.proposal
        subs = {sub for et, sub in event_types() if et == slot.event_type or et in slot.rivals}
        votes: dict[str, float] = {}
        named = [(r, s) for r, s in zip(slot.rows, slot.scores) if r.option.relation != "article"]
        for row, score in named or list(zip(slot.rows, slot.scores)):
            for sub, s in sub_types.get(row.proposal.index, {}).items():
                if sub in subs:
                    votes[sub] = max(votes.get(sub, 0.0), s * score)
        sub_event_type = max(sorted(votes), key=lambda k: votes[k]) if votes else proposal.sub_event_type
        event_type = event_type_of(sub_event_type) if votes else slot.event_type
        if event_type == "Protests" and any(r.proposal.features.get("crowd_violence") for r, _ in named):
            # protesters are non-violent people (CODING.md): a demonstration whose crowd does violence itself
            # ("protesters set fire to ...", "demonstrators stoned police") is a riot, whatever the police did;
            # any of the reports that tell it at its place may say so (one event, told in several sentences)
            event_type, sub_event_type = "Riots", "Violent demonstration"
            slot.why += "; its crowd does violence itself: a riot, not a protest (CODING.md)"
        elif event_type == "Explosions/Remote violence" and proposal.features.get("weapon_disrupted") and not (
                proposal.fatalities):
            # a weapon stopped before its use (intercepted, defused, seized, destroyed in a controlled blast) that
            # killed nobody is a non-violent act: Strategic developments (CODING.md: interceptions, defusals, seizures)
            event_type, sub_event_type = "Strategic developments", "Disrupted weapons use"
            slot.why += "; its weapon was stopped before use and killed nobody: disrupted weapons use (CODING.md)"
        elif sub_event_type in TAKEN and proposal.ceded and not proposal.fatalities:
            # ground taken where the sentence tells it given up (a withdrawal, a handover) and no fighting: forces
            # moving into an area without fighting is a non-violent transfer of territory (CODING.md)
            event_type, sub_event_type = "Strategic developments", CEDED
            slot.why += "; the ground was given up, not fought for: a non-violent transfer of territory (CODING.md)"
        slot.coded_as = event_type
        event = draft_at(proposal, best.option)
        event = replace(event, event_type=event_type, sub_event_type=sub_event_type, confidence=round(slot.probability, 3))
        kinds = event_types().get((event_type, sub_event_type))
        event.plover, event.cameo = (kinds.plover, kinds.cameo) if kinds else (None, None)
        fill_from_readings(event, slot)
        if event_type == "Riots" and (not event.actor1 or event.inter1 == PROTESTERS):
            # a violent demonstration's crowd are rioters, not protesters (ACLED's inter codes 5 and 6: CODING.md)
            event.actor1, event.inter1 = ActorDictionary.load().class_named(RIOTERS, event.country), RIOTERS
        return event

    # ------------------------------------------------------------ storage
    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "keep": self.keep.to_json(), "slot": self.slot.to_json(), "type": self.type.to_json(),
                "text": self.text.to_json(),
                "calibration": {"x": self.calibration.x, "y": self.calibration.y},
                "threshold": self.threshold, "meta": self.meta}

    def save(self, path: str | Path) -> None:
        """As JSON, gzip-compressed when the name ends in .gz (with no timestamp: the same model, the
        same bytes)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        data = (json.dumps(self.to_json(), sort_keys=True) + "\n").encode("utf-8")
        tmp.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path, *, compiled: bool = False) -> DecisionModel:
        """`compiled`: score by the boosters' compiled code, cached on disk (`compiled.py`)."""
        path = Path(path)
        try:
            data = path.read_bytes()
            row = json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
            if row.get("format") != FORMAT:
                raise ValueError(f"format {row.get('format')!r}, this sitrep reads format {FORMAT}")
            keep, slot, sub_type = (Booster.from_json(row[name], compiled=compiled) for name in ("keep", "slot", "type"))
            return cls(keep, slot, sub_type,
                       TextModel.from_json(row["text"]),
                       Calibration(list(row["calibration"]["x"]), list(row["calibration"]["y"])),
                       float(row["threshold"]), dict(row.get("meta") or {}))
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            raise SitrepError("E031", path=str(path), detail=f"{type(exc).__name__}: {exc}") from exc


def group_slots(rows: list[KeepRow], scores: np.ndarray) -> list[Slot]:
    """Readings of one event type at one place form one slot, in the order first proposed."""
    slots: dict[tuple[str, str], Slot] = {}
    for row, score in zip(rows, scores):
        key = (row.event_type, row.option.key)
        if key not in slots:
            slots[key] = Slot(row.event_type, row.option.key, [], [])
        slots[key].rows.append(row)
        slots[key].scores.append(float(score))
    return list(slots.values())


def slot_features(slots: list[Slot]) -> list[dict[str, float]]:
    """What a slot's readings say together, and how it compares with the article's other slots
    (`slot_summaries`), with the best reading's own features (prefixed `b_`)."""
    prefixed: dict[int, dict[str, float]] = {}  # id of a proposal or place option -> its features, prefixed `b_`

    def best_features(row: KeepRow) -> dict[str, float]:
        """The best reading's features, prefixed (`KeepRow.features`, by blocks: a proposal or an option is
        the best of several slots)."""
        for block in (row.proposal, row.option):
            if id(block) not in prefixed:
                prefixed[id(block)] = {f"{BEST}{k}": v for k, v in block.features.items()}
        return {**prefixed[id(row.proposal)], **prefixed[id(row.option)], **{f"{BEST}{k}": v for k, v in row.own.items()}}

    return [{**best_features(slot.best), **summary} for slot, summary in zip(slots, slot_summaries(slots))]


BEST = "b_"  # the prefix of the best reading's features among a slot's


def slot_summaries(slots: list[Slot]) -> list[dict[str, float]]:
    """What a slot's readings say together, and how it compares with the article's other slots: its
    best and mean reading scores, how many clauses and sentences propose it, whether another type
    at the same place or the same type at another place scores higher, whether a slot of the same
    type at a place that holds it (or that it holds) scores higher."""
    best_at_place: dict[str, list[float]] = {}
    best_of_type: dict[str, list[float]] = {}
    of_type: dict[str, list[int]] = {}
    for n, slot in enumerate(slots):
        best_at_place.setdefault(slot.key, []).append(slot.score)
        best_of_type.setdefault(slot.event_type, []).append(slot.score)
        of_type.setdefault(slot.event_type, []).append(n)
    for scores in (*best_at_place.values(), *best_of_type.values()):
        scores.sort(reverse=True)
    rank_here, rank_type = ({group: _first_ranks(scores) for group, scores in by.items()}
                            for by in (best_at_place, best_of_type))
    proposal_best: dict[int, float] = {}
    for slot in slots:
        for row, score in zip(slot.rows, slot.scores):
            proposal_best[row.proposal.index] = max(proposal_best.get(row.proposal.index, 0.0), score)
    nested_scores: list[list[float]] = [[] for _ in slots]  # the scores of the slots of its type nested with each
    for same_type in of_type.values():
        for a, i in enumerate(same_type):
            for j in same_type[a + 1:]:
                if nested(slots[i].option, slots[j].option):  # (nesting goes both ways)
                    nested_scores[i].append(slots[j].score)
                    nested_scores[j].append(slots[i].score)
    strong = float(sum(1 for o in slots if o.score >= 0.5))
    out = []
    for slot, nested_here in zip(slots, nested_scores):
        best = slot.best
        read = slot.scores
        proposals = {r.proposal.index for r in slot.rows}
        here = best_at_place[slot.key]
        kind = best_of_type[slot.event_type]
        out.append({
            "s_max": slot.score, "s_mean": float(np.mean(read)), "s_sum": float(np.sum(read)),
            "s_rows": float(len(slot.rows)), "s_proposals": float(len(proposals)),
            "s_sentences": float(len({r.proposal.sentence for r in slot.rows})),
            "s_title": float(any(r.proposal.piece == "title" for r in slot.rows)),
            "s_rules_kept": float(len({r.proposal.index for r in slot.rows if r.proposal.kept_by_rules})),
            "s_rank_here": float(rank_here[slot.key][slot.score]), "s_gap_here": slot.score - _best_other(here, slot.score),
            "s_rank_type": float(rank_type[slot.event_type][slot.score]),
            "s_gap_type": slot.score - _best_other(kind, slot.score),
            "s_share_of_proposal": slot.score / max(proposal_best.get(best.proposal.index, 0.0), 1e-6),
            "s_nested_better": float(any(x > slot.score for x in nested_here)),
            "s_nested_gap": slot.score - max(nested_here, default=0.0),
            "s_article_slots": float(len(slots)),
            "s_article_strong": strong,
        })
    return out


def _first_ranks(scores: list[float]) -> dict[float, int]:
    """Each score's first place in the list (sorted, highest first)."""
    ranks: dict[float, int] = {}
    for n, x in enumerate(scores):
        ranks.setdefault(x, n)
    return ranks


def _best_other(scores: list[float], score: float) -> float:
    """The highest of the scores (sorted, highest first) that differ from `score`; 0 when none does."""
    return next((x for x in scores if x != score), 0.0)


SPECIFIC_MARGIN = 0.2


def select(slots: list[Slot], threshold: float) -> None:
    """Keep the slots at or over the threshold, best first.  A slot of the same kind at a place that
    holds, is held by, or lies a few kilometres from a kept slot's place is the same event told
    twice: the most specific place the text names wins when its probability is close (CODING.md), else
    the likelier.  And one clause reports one event: a slot whose best reading's clause already
    stands, at the same place, as a kept event of another type goes; so does a slot only the article's
    other places give (`placed_elsewhere`), and a clause's reading at another place of its sentence when it
    stands at a place its own words name (`_own_and_context`)."""
    kept: list[Slot] = []
    for slot in sorted(slots, key=lambda s: (-s.probability, s.key, s.event_type)):
        if slot.probability < threshold:
            slot.why = f"probability {slot.probability:.2f} under the threshold {threshold:.2f}"
            continue
        if placed_elsewhere(slot):
            slot.why = "only the article names this place: each clause read here has a place of its own"
            continue
        clause = next((k for k in kept if k.key == slot.key and k.best.proposal.index == slot.best.proposal.index), None)
        if clause is not None:
            slot.why = f"its clause is already the {clause.event_type} event here"
            clause.rivals.add(slot.event_type)  # its type is weighed when the event's sub-type is chosen
            continue
        told = next((k for k in kept if same_kind(k.event_type, slot.event_type) and _own_and_context(k, slot)), None)
        if told is not None:
            if slot.best.option.relation == "clause":  # (the likelier was the context's place: this one replaces it)
                told.kept = False
                told.why = f"its clause is the event at {_where(slot)}, the place its own words name"
                kept.remove(told)
            else:
                slot.why = f"its clause is the event at {_where(told)}, the place its own words name"
                continue
        twin = next((k for k in kept if same_kind(k.event_type, slot.event_type) and nested(k.option, slot.option)), None)
        if twin is not None:
            if specificity(slot.option) > specificity(twin.option) and slot.probability >= twin.probability - SPECIFIC_MARGIN:
                twin.kept = False
                twin.why = f"the same event as the one at {_where(slot)}, more precisely placed"
                kept.remove(twin)
            else:
                slot.why = f"the same event as the one at {_where(twin)}"
                if twin.event_type != slot.event_type:
                    twin.rivals.add(slot.event_type)
                continue
        slot.kept = True
        slot.why = f"probability {slot.probability:.2f}"
        kept.append(slot)


def _own_and_context(a: Slot, b: Slot) -> bool:
    """One clause read at the place its own words name and at another place of its sentence ("in X, gunmen
    attacked Y village"): one event, at the clause's place, unless the two stand in one list ("in X and Y")."""
    if a.best.proposal.index != b.best.proposal.index:
        return False
    relations = {a.best.option.relation, b.best.option.relation}
    listed = max(a.best.option.features.get("list_size", 0.0), b.best.option.features.get("list_size", 0.0)) > 1
    return relations == {"clause", "sentence"} and not listed


def placed_elsewhere(slot: Slot) -> bool:
    """Every reading puts the event at this place only because the article names it somewhere, while
    its clause's sentence names places of its own or the story has a place to fall back on (the place the
    story is at): the event is where its text says (CODING.md), not at any place the article names."""
    return all(r.option.relation == "article" and any(o.relation in ("clause", "sentence", "fallback")
                                                      for o in r.proposal.places) for r in slot.rows)


DEMONSTRATIONS = {"Protests", "Riots"}


def same_kind(a: str, b: str) -> bool:
    """Two event types that can be one event: the same type, or a demonstration that turned to a riot
    (ACLED codes a demonstration at one place and day once, by its most violent reading)."""
    return a == b or {a, b} <= DEMONSTRATIONS


def _where(slot: Slot) -> str:
    return slot.option.place.name or slot.option.place.text


def specificity(option: PlaceOption) -> int:
    """0 a country, 1 a province, 2 a district, 3 a town, village or a named place the gazetteer lacks."""
    code = option.place.feature_code or ""
    if code.startswith("PCL"):
        return 0
    if code == "ADM1":
        return 1
    if code.startswith("ADM") or option.place.feature_class == "A":
        return 2
    return 3


NEAR_KM = 10.0


def _spot(option: PlaceOption) -> Spot:
    spot = option.__dict__.get("_spot")
    if spot is None:
        spot = option.__dict__["_spot"] = Spot.of_mention(option.place)
    return spot


def nested(a: PlaceOption, b: PlaceOption) -> bool:
    """For one event type, the same event told at two levels of precision: one place is the other or
    holds it (geography's `same_place` and `contains`), or a name the gazetteer lacks, or an area, was
    placed a few kilometres from a known place.  Two known towns side by side are two places (CODING.md)."""
    sa, sb = _spot(a), _spot(b)
    unknown = (sa.geonameid is None) + (sb.geonameid is None)
    if unknown == 2 and not sa.names & sb.names:
        # two names the gazetteer lacks, each placed at the point of a known place nearby: the shared point is
        # borrowed, not theirs ('X, Y and Z villages' near one town are three villages)
        km = distance_km(sa, sb)
        return bool(sa.country) and sa.country == sb.country and km is not None and km <= NEAR_KM and (
            _one_address(a.place, b.place))
    if same_place(sa, sb) or contains(sa, sb) or contains(sb, sa):
        return True
    if not sa.country or sa.country != sb.country:
        return False
    borrowed = unknown == 1 or (unknown == 0 and min(specificity(a), specificity(b)) < 3)
    km = distance_km(sa, sb)
    if unknown == 2:  # two names the gazetteer lacks: one place only where the text writes them as one address
        return km is not None and km <= NEAR_KM and _one_address(a.place, b.place)
    return borrowed and km is not None and km <= NEAR_KM


ADDRESS_GAP = 4  # characters between the parts of an address: "X, Y", "X in Y", "X of Y"


ADMIN_KINDS = ("admin1", "admin2", "admin")


def _one_address(a: PlaceMention, b: PlaceMention) -> bool:
    """'X village, Y district': two names written one after the other, finest first, the second an
    admin unit by its own words, name one place at two levels (the second holds the first).  Not a
    list ('X, Y and Z villages'), whose names are places of one level."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    if not 0 <= second.start - first.end <= ADDRESS_GAP:
        return False
    words = place_words()
    tail = second.text.lower().split()
    return any(words.kind(" ".join(tail[-n:])) in ADMIN_KINDS for n in (1, 2, 3) if len(tail) > n)


def draft_at(proposal: Proposal, option: PlaceOption) -> Event:
    """The proposal's event at the option's place: the rules' draft for that place where they made one
    (its toll share), else their first draft moved there."""
    place = option.place
    for draft in proposal.drafts:
        if draft.location_text == place.text and draft.geonameid == place.geonameid:
            return replace(draft)
    base = replace(proposal.drafts[0]) if proposal.drafts else Event(proposal.doc_id, proposal.event_type,
                                                                     proposal.sub_event_type)
    base.fatalities = proposal.fatalities
    base.country, base.admin1, base.admin2 = place.country, place.admin1, place.admin2
    base.location, base.location_text = place.name or place.text, place.text
    base.latitude, base.longitude = place.latitude, place.longitude
    base.geo_precision, base.geonameid = place.geo_precision, place.geonameid
    return base


def fill_from_readings(event: Event, slot: Slot) -> None:
    """What the told reading leaves empty (actors, date, toll) comes from the slot's other readings, the
    other clauses of its own sentence first ("shells struck the market in X, killing nine": the killing
    is the shelling's), then the likeliest readings of the article.  A toll comes from a clause that
    tells this place before one told of another place."""
    told = slot.told
    credible = [i for i in range(len(slot.rows)) if slot.scores[i] >= 0.5 * slot.score
                or slot.rows[i].proposal.evidence_start == told.proposal.evidence_start]
    order = sorted(credible, key=lambda i: (slot.rows[i].proposal.evidence_start != told.proposal.evidence_start,
                                            -slot.scores[i]))
    for i in order:
        draft = slot.rows[i].proposal.drafts[0] if slot.rows[i].proposal.drafts else None
        if draft is None:
            continue
        if not event.actor1 and draft.actor1:
            event.actor1, event.inter1 = draft.actor1, draft.inter1
        if not event.actor2 and draft.actor2 and draft.actor2 != event.actor1:
            event.actor2, event.inter2 = draft.actor2, draft.inter2
        if not event.event_date and draft.event_date:
            event.event_date, event.time_precision, event.date_text = draft.event_date, draft.time_precision, draft.date_text
    tellers = sorted(order, key=lambda i: (slot.rows[i].proposal.evidence_start != told.proposal.evidence_start,
                                           slot.rows[i].option.relation == "article", -slot.scores[i]))
    for i in tellers:
        p = slot.rows[i].proposal
        if not event.fatalities and p.fatalities and p.drafts:
            event.fatalities, event.fatalities_text = p.fatalities, p.drafts[0].fatalities_text


RIOTERS, PROTESTERS = 5, 6  # ACLED's inter codes (CODING.md)


@lru_cache(maxsize=1)
def load_default() -> DecisionModel | None:
    """The model shipped in `sitrep/models/`, or None when there is none (the rules decide)."""
    if not DEFAULT_MODEL.exists():
        log.info("no decision model at %s: the rules decide", DEFAULT_MODEL)
        return None
    return DecisionModel.load(DEFAULT_MODEL, compiled=True)
