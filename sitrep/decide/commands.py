"""`sitrep eval ...`: the out-of-fold headline, and training the model the product ships with."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import click

from .dataset import PACKAGE, analysis_fingerprint, cache_dir
from .gold import GoldArticle, GoldSet, read_gold, read_gold_folder
from .model import DEFAULT_MODEL


@click.group(name="eval")
def eval_group() -> None:
    """Measure the decision layer out of fold, and train the model sitrep ships with."""


def decision_fingerprint() -> str:
    """A digest of the decision layer's own code and data: a change to it invalidates cached figures."""
    digest = hashlib.sha256()
    for path in sorted((PACKAGE / "decide").glob("*.py")) + [PACKAGE / "data" / "type_alternatives.tsv"]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# Training-only gold written for the project (short items of every sub-event type): trained on in every
# fold, never scored.
PROJECT_EXTRA = PACKAGE.parent / "eval" / "sentences"


def _gold(gold_dir: str, extra: tuple[str, ...], with_reviews: str | None) -> GoldSet:
    """The scored gold, and the training-only gold: the project's own sets and a store's reviews."""
    gold = read_gold(gold_dir)
    scored = {a.doc_id for a in gold.articles}
    for folder in extra:
        gold.extra.extend(a for a in read_gold_folder(Path(folder), Path(folder).name) if a.doc_id not in scored)
    if with_reviews:
        gold.extra.extend(a for a in reviewed_gold(with_reviews) if a.doc_id not in scored)
    return gold


def reviewed_gold(db: str) -> list[GoldArticle]:
    """A store's reviewed articles as gold, written once to the cache (keyed by what was reviewed)."""
    from ..reviewed_gold import write_gold_folder
    from ..store import open_store

    with open_store(db) as store:
        items = store.reviewed_gold()
    digest = hashlib.sha256(json.dumps([i.gold for i in items], sort_keys=True, default=str).encode()).hexdigest()[:16]
    folder = write_gold_folder(items, cache_dir() / f"reviews-{digest}")
    return read_gold_folder(folder, "reviews") if items else []


def _extra_digest(gold: GoldSet) -> str:
    return hashlib.sha256("|".join(f"{a.doc_id}:{json.dumps(a.events, sort_keys=True)}" for a in gold.extra).encode()
                          ).hexdigest()[:16]


EXTRA_OPTION = click.option("--extra", "extra", multiple=True, type=click.Path(exists=True, file_okay=False),
                            default=[str(PROJECT_EXTRA)] if PROJECT_EXTRA.exists() else [], show_default=True,
                            help="Training-only gold folders (trained on in every fold, never scored).")
REVIEWS_OPTION = click.option("--with-reviews", "with_reviews", metavar="DB", default=None,
                              help="Also train on a store's reviewed articles (never scored).")


@eval_group.command()
@click.option("--gold", "gold_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Gold folder: one subfolder per set with gold.jsonl (and articles.jsonl), and score.py.")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option("--rules", is_flag=True, help="Score the rules alone (the baseline), not the model.")
@EXTRA_OPTION
@REVIEWS_OPTION
@click.option("--predictions", type=click.Path(dir_okay=False), default=None,
              help="Write the out-of-fold events (JSONL) to this file.")
@click.option("--no-cache", is_flag=True, help="Recompute even if these figures are cached.")
def crossval(gold_dir: str, folds: int, rules: bool, extra: tuple[str, ...], with_reviews: str | None,
             predictions: str | None, no_cache: bool) -> None:
    """Out-of-fold figures over every gold article: train on k-1 folds, code the k-th, score it with the
    official scorer.  The last line is one JSON object (the headline)."""
    from .crossval import crossval as run_crossval

    gold = _gold(gold_dir, extra, with_reviews)
    key = "-".join([gold.fingerprint(), analysis_fingerprint(), decision_fingerprint(), _file_digest(gold.root / "score.py"),
                    str(folds), "rules" if rules else "model", _extra_digest(gold)])
    cached = cache_dir() / f"crossval-{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"
    if cached.exists() and not no_cache and not predictions:
        result = json.loads(cached.read_text(encoding="utf-8"))
    else:
        cv = run_crossval(gold, folds=folds, rules=rules)
        result = {"folds": [{"fold": f.index, "articles": f.articles, **_headline(f.scores)} for f in cv.folds],
                  "pooled": {**_headline(cv.pooled), **cv.extra}, "articles": len(gold.articles),
                  "extra_articles": len(gold.extra)}
        if predictions:
            with open(predictions, "w", encoding="utf-8") as fh:
                for row in cv.predictions:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(result), encoding="utf-8")
    click.echo(_table(result))
    pooled = result["pooled"]
    headline = {"f1": pooled["f1"], "precision": pooled["precision"], "recall": pooled["recall"],
                "folds": len(result["folds"]), "articles": result["articles"], "tp": pooled["tp"], "fp": pooled["fp"],
                "fn": pooled["fn"], "candidate_recall": pooled["candidate_recall"], "ece": pooled["ece"],
                "matched_field_accuracy": pooled["matched_field_accuracy"], "decider": "rules" if rules else "model"}
    click.echo(json.dumps(headline, sort_keys=True))


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else "-"


def _headline(scores: dict[str, Any]) -> dict[str, Any]:
    keys = ("f1", "precision", "recall", "tp", "fp", "fn", "matched_field_accuracy")
    return {k: scores[k] for k in keys if k in scores}


def _table(result: dict[str, Any]) -> str:
    lines = ["fold  articles  F1     P      R      tp   fp   fn"]
    for f in result["folds"]:
        lines.append(f"{f['fold']:>4}  {f['articles']:>8}  {f['f1']:.3f}  {f['precision']:.3f}  {f['recall']:.3f}  "
                     f"{f['tp']:>3}  {f['fp']:>3}  {f['fn']:>3}")
    p = result["pooled"]
    lines.append(f"pooled {result['articles']:>6}  {p['f1']:.3f}  {p['precision']:.3f}  {p['recall']:.3f}  "
                 f"{p['tp']:>3}  {p['fp']:>3}  {p['fn']:>3}")
    fields = ", ".join(f"{k} {v:.3f}" for k, v in sorted(p["matched_field_accuracy"].items()))
    lines.append(f"matched fields: {fields}")
    lines.append(f"candidate recall {p['candidate_recall']:.3f} (type {p['type_recall']:.3f}, place {p['place_recall']:.3f}); "
                 f"calibration error {p['ece']:.3f}")
    return "\n".join(lines)


@eval_group.command(name="train")
@click.option("--gold", "gold_dir", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", default=str(DEFAULT_MODEL), show_default=True, type=click.Path(dir_okay=False))
@EXTRA_OPTION
@REVIEWS_OPTION
def train_command(gold_dir: str, output: str, extra: tuple[str, ...], with_reviews: str | None) -> None:
    """Train the decision model on every gold article and write it (the committed model is
    `sitrep/models/decision.json.gz`)."""
    from .dataset import gold_proposals
    from .train import TrainingData, train

    gold = _gold(gold_dir, extra, with_reviews)
    proposals = gold_proposals(gold)
    articles = gold.articles + gold.extra
    model = train(articles, TrainingData(articles, proposals, gold.scorer, extra=gold.extra))
    model.meta.update({"gold": gold.fingerprint(), "analysis": analysis_fingerprint(),
                       "command": f"sitrep eval train --gold {gold_dir}", "extra_articles": len(gold.extra)})
    model.save(output)
    size = os.path.getsize(output)
    click.echo(f"trained on {len(articles)} articles; threshold {model.threshold:.3f}; wrote {output} ({size // 1024} KB)",
               err=True)


@click.command()
@click.argument("event_id")
@click.option("--db", default="sitrep.db", show_default=True, help="Store: a SQLite file, or a postgresql:// URL.")
@click.option("--json", "as_json", is_flag=True, help="The record as JSON instead of text.")
def explain(event_id: str, db: str, as_json: bool) -> None:
    """Why EVENT_ID was coded: its trigger, its strongest features, the places and tolls considered, and
    the candidates of its article that were dropped, and why."""
    from ..store import open_reader
    from .explain import ArticleExplanation, render

    with open_reader(db) as store:
        found = store.explanation(event_id)
    if found is None:
        raise click.ClickException(f"{db}: no event {event_id!r} (ids are listed by `sitrep events`)")
    event, body = found
    if body is None:
        click.echo(f"event {event_id} was coded by the rules alone (stored without the decision model): "
                   f"{event['event_type']} / {event['sub_event_type']} at {event['location']}")
        return
    if as_json:
        click.echo(json.dumps({"event": event, "explanation": body}, ensure_ascii=False, default=str))
        return
    if event["report_id"] != event_id:
        click.echo(f"fused event {event_id}: explained by its lead report {event['report_id']}")
    click.echo(render(ArticleExplanation.from_json(body), event["report_id"]))
    click.echo(render(ArticleExplanation.from_json({**body, "events": []})))
