"""Where one worker's time goes on the throughput corpus: each spaCy component, and each stage after the parse.

Run by hand (not in CI):

    .venv/bin/python bench/breakdown.py [--articles 150] [--workdir /tmp/sitrep-bench]

`bench/throughput.py` gives the ratio of the full path to bare `nlp.pipe` (issue 12 asks for 0.8); this
script says what the rest of the path costs beside the parse, on the same corpus, in one process:

1. the parse, and what leaving out each component saves (`nlp.select_pipes`);
2. after the parse, per article: places, the clause analysis and the decision (of which the decision
   model's boosters, counted and timed: compiled code, `sitrep/decide/compiled.py`, or LightGBM), quotes;
3. the ratio the full path would reach were each post-parse stage free, the figure a speed-up must move.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import build_corpus  # noqa: E402  (the same corpus as the throughput benchmark)

from sitrep.pipeline import Pipeline, PipelineOptions, analysable_text, clean_documents  # noqa: E402
from sitrep.quotes import find_quotes  # noqa: E402
from sitrep.readers import read_inputs  # noqa: E402
from sitrep.records import Article  # noqa: E402


class Clock:
    """Seconds spent per named stage, and calls, summed over the run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            self.calls[name] += 1

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        """Time every call of `owner.attribute` (a method of a class, or of a library's class) as `name`."""
        original: Callable[..., Any] = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)


def _parse_seconds(pipeline: Pipeline, texts: list[str], repeats: int = 2) -> float:
    """The fastest of `repeats` parses of the texts (the least disturbed by whatever else runs)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        list(pipeline.nlp.pipe(texts, batch_size=32))
        best = min(best, time.perf_counter() - start)
    return best


def parse_costs(pipeline: Pipeline, texts: list[str]) -> tuple[float, dict[str, float]]:
    """The parse's seconds, and the seconds each component's absence saves (an estimate: a component
    left out also changes what the later ones are given)."""
    full = _parse_seconds(pipeline, texts)
    saved = {}
    for name in pipeline.nlp.pipe_names:
        with pipeline.nlp.select_pipes(disable=[name]):
            saved[name] = full - _parse_seconds(pipeline, texts)
    return full, saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/sitrep-bench"))
    args = ap.parse_args()

    shards = build_corpus(args.workdir / "corpus-breakdown", args.articles)
    articles = [a for a in clean_documents(read_inputs(map(str, shards))) if isinstance(a, Article)][:args.articles]
    pipeline = Pipeline(PipelineOptions(explain=False))  # as `sitrep extract` runs it
    coder = pipeline.coder
    assert coder is not None and coder.decider is not None, "no decision model: train one first"
    texts = [analysable_text(a) for a in articles]
    pipeline.analyse(articles[0], pipeline.nlp(texts[0]))  # every table and model loaded before the clock

    parse, saved = parse_costs(pipeline, texts)
    docs = list(pipeline.nlp.pipe(texts, batch_size=32))
    words = sum(len(t.split()) for t in texts)

    from sitrep.decide.model import Booster

    clock = Clock()
    for method in ("predict_matrix", "predict_screened"):  # (one does not call the other)
        clock.wrap(Booster, method, "decision model (boosters)")
    post = 0.0
    for article, doc in zip(articles, docs):
        start = time.perf_counter()
        with clock.stage("places"):
            places = pipeline.places.resolve(article, doc)
        with clock.stage("clause analysis and decision"):
            coder.code(article, doc, places)
        with clock.stage("quotes"):
            find_quotes(article, doc)
        post += time.perf_counter() - start

    print(f"{len(articles)} articles, {words} words, one process")
    print(f"parse  {parse:7.2f} s  ({words / parse:,.0f} words/s, bare nlp.pipe)")
    for name, s in saved.items():
        print(f"   without {name:<18} saves {s:6.2f} s ({s / parse:5.1%} of the parse)")
    print(f"after the parse  {post:7.2f} s  ({post / parse:.2f} x the parse)")
    for name in ("places", "clause analysis and decision", "decision model (boosters)", "quotes"):
        s = clock.seconds[name]
        inside = "   of which " if name.startswith("decision model") else ""
        print(f"   {inside}{name:<32} {s:6.2f} s  {clock.calls[name]:6d} calls  "
              f"(ratio were it free: {parse / (parse + post - s):.2f})")
    print(f"full / bare words/s: {parse / (parse + post):.2f} (target 0.8: the rest of the path may cost "
          f"{0.25 * parse:.2f} s beside this parse)")


if __name__ == "__main__":
    main()
