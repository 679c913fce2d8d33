"""Gold sets for training and out-of-fold evaluation, and the official scorer that judges them.

A gold folder (`../shared/eval`) holds one subfolder per set; every subfolder with a `gold.jsonl`
joins by itself.  A set's input is its `articles.jsonl`, or, for articles whose gold row names a
`file` (the seed set: a raw dump), that file relative to the folder beside the gold folder
(`../shared/samples/...`).  The scorer is the gold folder's own `score.py`, imported, never copied.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import SitrepError


class GoldError(SitrepError):
    """A gold folder that cannot be used (no scorer, a set without input, a malformed line)."""

    def __init__(self, detail: str):
        super().__init__("E030", detail=detail)


@dataclass
class GoldArticle:
    """One hand-coded article: its gold events and where its text is read from."""

    doc_id: str
    set_name: str
    cluster: str
    events: list[dict[str, Any]]
    source: Path  # the input file that holds the article
    published: str | None = None

    @property
    def required(self) -> list[dict[str, Any]]:
        return [e for e in self.events if not e.get("optional")]

    @property
    def country(self) -> str:
        """The article's country for balancing folds: the most common country of its events."""
        counts = Counter(e.get("country") or "" for e in (self.required or self.events))
        return counts.most_common(1)[0][0] if counts else ""


@dataclass
class GoldSet:
    """Every gold article under a gold folder, in a stable order, and the official scorer."""

    root: Path
    articles: list[GoldArticle]
    extra: list[GoldArticle] = field(default_factory=list)  # training-only gold (reviews), never scored as held out

    @property
    def scorer(self) -> ModuleType:
        return load_scorer(self.root)

    def inputs(self) -> list[Path]:
        """The input files that hold the articles, each once, in order."""
        return list(dict.fromkeys(a.source for a in self.articles + self.extra))

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for path in self.inputs():
            digest.update(str(path.name).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}:{n}: not JSON: {exc}") from exc
    return rows


def read_gold_folder(folder: Path, set_name: str | None = None) -> list[GoldArticle]:
    """The gold articles of one set folder (`gold.jsonl`, with `articles.jsonl` or dump files beside)."""
    gold_path = folder / "gold.jsonl"
    articles_path = folder / "articles.jsonl"
    out = []
    for n, row in enumerate(_read_jsonl(gold_path), 1):
        if "id" not in row or not isinstance(row.get("events", []), list):
            raise GoldError(f"{gold_path}:{n}: a gold row needs an 'id' and a list of 'events'")
        if row.get("file"):
            source = (folder.parent.parent / row["file"]).resolve()
        elif articles_path.exists():
            source = articles_path.resolve()
        else:
            raise GoldError(f"{gold_path}:{n}: no articles.jsonl beside it and no 'file' naming the input")
        if not source.exists():
            raise GoldError(f"{gold_path}:{n}: the input {source} does not exist")
        out.append(GoldArticle(str(row["id"]), set_name or folder.name, str(row.get("cluster") or row["id"]),
                               row.get("events") or [], source, row.get("published")))
    return out


def read_gold(root: str | Path) -> GoldSet:
    """Every set under the gold folder (each subfolder with a gold.jsonl), sorted by name."""
    root = Path(root)
    if not (root / "score.py").exists():
        raise GoldError(f"{root}: no score.py (the official scorer) in the gold folder")
    folders = sorted(p.parent for p in root.glob("*/gold.jsonl"))
    if not folders:
        raise GoldError(f"{root}: no set folder with a gold.jsonl")
    articles = [a for folder in folders for a in read_gold_folder(folder)]
    seen: set[str] = set()
    for a in articles:
        if a.doc_id in seen:
            raise GoldError(f"{root}: article id {a.doc_id!r} is in two gold sets")
        seen.add(a.doc_id)
    return GoldSet(root.resolve(), articles)


@lru_cache(maxsize=4)
def load_scorer(root: Path) -> ModuleType:
    """The official scorer, imported from the gold folder."""
    path = root / "score.py"
    spec = importlib.util.spec_from_file_location("sitrep_official_score", path)
    if spec is None or spec.loader is None:
        raise GoldError(f"{path}: cannot import the scorer")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
