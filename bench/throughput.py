"""Throughput and memory of `sitrep extract`, against bare spaCy `nlp.pipe` on the same model.

Run by hand (not in CI):

    .venv/bin/python bench/throughput.py [--articles 2000] [--workdir /tmp/sitrep-bench]

It builds a corpus from the dev set and the sample (paragraphs recombined across
articles, fresh ids, so no two articles are the same text and nothing can be
skipped as a duplicate), written as JSONL shards of 250 articles, and prints:

1. for 1 and 2 worker processes: articles/s and words/s of bare `nlp.pipe` and of
   the full extract path (read, clean, parse, places, events, quotes), and their ratio.
   Both run in warmed process pools (models loaded before the clock starts) fed by the
   same streaming chunker, so the figures compare the work, not the start-up;
2. the peak memory (resident set of the whole process tree, sampled) of
   `sitrep extract --workers 2` over 1,000 and over 5,000 articles.

Targets (issue 7): full >= 0.8 x bare words/s with 1 worker; 2 workers >= 1.6 x 1 worker;
peak memory for 5,000 <= 1.2 x for 1,000.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitrep.nlp import load_nlp
from sitrep.parallel import ParallelExtractor, chunked, ordered_window
from sitrep.pipeline import PipelineOptions, clean_documents
from sitrep.readers import read_inputs
from sitrep.records import Article, Extraction

SHARED = ROOT.parent / "shared"
SOURCES = [SHARED / "samples" / "000_88aa7ddcd16cc528.txt", SHARED / "eval" / "dev" / "articles.jsonl"]
SHARD = 250
CHUNK = 32


# ---------------------------------------------------------------- corpus
def build_corpus(folder: Path, n_articles: int, seed: int = 7) -> list[Path]:
    """JSONL shards of `n_articles` recombined articles; reused when already built."""
    folder.mkdir(parents=True, exist_ok=True)
    shards = [folder / f"shard-{i:03d}.jsonl" for i in range((n_articles + SHARD - 1) // SHARD)]
    if all(s.exists() for s in shards):
        return shards
    sources = [a for a in clean_documents(read_inputs(map(str, SOURCES))) if isinstance(a, Article)]
    pool = [p.text for a in sources for p in a.paragraphs if len(p.text.split()) >= 8]
    rng = random.Random(seed)
    records = (_recombine(i, rng.choice(sources), pool, rng) for i in range(n_articles))
    for shard, chunk in zip(shards, chunked(records, SHARD)):
        shard.write_text("".join(json.dumps(r) + "\n" for r in chunk), encoding="utf-8")
    return shards


def _recombine(i: int, lead: Article, pool: list[str], rng: random.Random) -> dict[str, object]:
    """The lead article's first paragraphs, then paragraphs drawn from every article, shuffled."""
    own = [p.text for p in lead.paragraphs][:2]
    drawn = rng.sample(pool, k=min(len(pool), rng.randint(3, 8)))
    return {"id": f"bench-{i:05d}", "outlet": lead.outlet, "url": f"https://bench.example/{i}",
            "published": lead.published.isoformat() if lead.published else None,
            "title": lead.title, "text": "\n\n".join(own + drawn)}


def corpus_words(shards: list[Path]) -> tuple[int, int]:
    articles = words = 0
    for shard in shards:
        for line in shard.open(encoding="utf-8"):
            articles += 1
            words += len(json.loads(line)["text"].split())
    return articles, words


# ---------------------------------------------------------------- bare nlp.pipe, in a pool like the full path's
def _load_bare() -> None:
    load_nlp()


def _bare_chunk(texts: list[str]) -> int:
    return sum(len(doc) for doc in load_nlp().pipe(texts, batch_size=CHUNK))


def _texts(shards: list[Path]) -> Iterator[str]:
    for shard in shards:
        for line in shard.open(encoding="utf-8"):
            yield json.loads(line)["text"]


def time_bare(shards: list[Path], workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its workers) to parse the corpus."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_load_bare) as pool:
        list(pool.map(_bare_chunk, [["Warm up."]] * workers * 2))  # every worker loaded before the clock
        start, cpu = time.perf_counter(), tree_cpu()
        for _, future in ordered_window(chunked(_texts(shards), CHUNK), lambda c: pool.submit(_bare_chunk, c),
                                        workers * 3):
            future.result()
        return time.perf_counter() - start, tree_cpu() - cpu


def tree_cpu() -> float:
    """CPU seconds (user + system) used so far by this process and its live children."""
    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return total


# ---------------------------------------------------------------- the full extract path
def time_full(shards: list[Path], workers: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process and its workers, events) to extract the corpus."""
    # as `sitrep extract` runs it: the events, without the record of why (that only `ingest` stores)
    with ParallelExtractor(workers=workers, options=PipelineOptions(explain=False), chunk_size=CHUNK) as pool:
        warm = [Article(doc_id=f"warm-{i}", text="Warm up.", pieces=[], source="-") for i in range(workers * 2)]
        list(pool.extract(warm))
        start, cpu = time.perf_counter(), tree_cpu()
        events = sum(len(r.events) for r in pool.run(map(str, shards)) if isinstance(r, Extraction))
        return time.perf_counter() - start, tree_cpu() - cpu, events


# ---------------------------------------------------------------- peak memory of the CLI
def peak_rss(args: list[str], interval: float = 0.1) -> tuple[float, float]:
    """(peak MiB of the process tree's summed RSS, wall seconds) of a command."""
    start = time.perf_counter()
    proc = psutil.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(_rss(p) for p in tree))
        except psutil.NoSuchProcess:
            pass
        time.sleep(interval)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited with {proc.returncode}")
    return peak / 2**20, time.perf_counter() - start


def _rss(p: psutil.Process) -> int:
    try:
        return int(p.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


# ---------------------------------------------------------------- report
@dataclass
class Rate:
    articles: int
    words: int
    seconds: float
    cpu: float

    def line(self, name: str) -> str:
        return (f"{name:<28} {self.articles / self.seconds:8.1f} articles/s {self.words / self.seconds:10.0f} words/s"
                f"   ({self.seconds:.1f} s wall, {self.cpu:.1f} s CPU, {self.words / self.cpu:.0f} words per CPU-s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/sitrep-bench"))
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--memory-only", action="store_true")
    opts = ap.parse_args()

    shards_all = build_corpus(opts.workdir / "corpus", max(5000, opts.articles))
    shards = shards_all[: opts.articles // SHARD]
    n, words = corpus_words(shards)
    print(f"machine: {psutil.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
    print(f"corpus: {n} articles, {words} words ({words / n:.0f} words/article), {len(shards)} shards")
    if not opts.memory_only:
        report_throughput(shards, n, words)
    if not opts.skip_memory:
        report_memory(shards_all, opts.workdir)


def report_throughput(shards: list[Path], n: int, words: int) -> None:
    rates: dict[tuple[str, int], Rate] = {}
    for workers in (1, 2):
        rates["bare", workers] = Rate(n, words, *time_bare(shards, workers))
        print(rates["bare", workers].line(f"bare nlp.pipe, {workers} worker(s)"), flush=True)
        seconds, cpu, events = time_full(shards, workers)
        rates["full", workers] = Rate(n, words, seconds, cpu)
        print(rates["full", workers].line(f"full extract, {workers} worker(s)") + f"  {events} events", flush=True)
    for workers in (1, 2):
        ratio = rates["bare", workers].seconds / rates["full", workers].seconds
        by_cpu = rates["bare", workers].cpu / rates["full", workers].cpu
        print(f"full / bare words/s, {workers} worker(s): {ratio:.2f} by wall clock, {by_cpu:.2f} by CPU time"
              + ("   (target >= 0.80)" if workers == 1 else ""))
    for kind in ("bare", "full"):
        print(f"{kind}: 2 workers / 1 worker: {rates[kind, 1].seconds / rates[kind, 2].seconds:.2f}   (target >= 1.60)")


def report_memory(shards_all: list[Path], workdir: Path) -> None:
    peaks = {}
    for size in (1000, 5000):
        folder = workdir / f"corpus-{size}"
        folder.mkdir(exist_ok=True)
        for shard in shards_all[: size // SHARD]:
            link = folder / shard.name
            if not link.exists():
                os.link(shard, link)  # a hard link: the reader rejects symlinks that leave the folder
        peaks[size], wall = peak_rss([sys.executable, "-m", "sitrep", "extract", str(folder), "--workers", "2",
                                      "-o", "/dev/null"])
        print(f"peak RSS, sitrep extract --workers 2, {size} articles: {peaks[size]:.0f} MiB"
              f"  ({wall:.0f} s, {size / wall:.1f} articles/s)", flush=True)
    print(f"peak 5000 / peak 1000: {peaks[5000] / peaks[1000]:.2f}   (target <= 1.20)")


if __name__ == "__main__":
    main()
