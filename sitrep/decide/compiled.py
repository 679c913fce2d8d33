"""The shipped decision model's boosters compiled to native code (lleaves, over LLVM), for speed.

LightGBM walks its trees in a generic loop; lleaves compiles a booster's trees into one function, which
gives the same scores (to the last bits of a float64) about six times faster.  The boosters' scoring is
a third of an article's time after its parse (`bench/breakdown.py`).  Compiling a booster takes
seconds, so its code is cached on disk (`cache_dir`), named by a hash of the booster's text, the
compiler's versions and the CPU it was compiled for; `scripts/setup.sh` compiles the shipped model once
(`python -m sitrep.decide.compiled`).  Where lleaves is missing or fails, LightGBM scores (the same
figures, slower), and the log says why, once.

Boosters trained in memory (`sitrep eval train`, `crossval`) are scored by LightGBM: compiling each of
them would cost more than it saves.
"""
from __future__ import annotations

import hashlib
import logging
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
Scorer = Callable[[np.ndarray], np.ndarray]


def cache_dir() -> Path:
    """Env `SITREP_COMPILED`, else `<sys.prefix>/share/sitrep/boosters` (beside the gazetteer)."""
    env = os.environ.get("SITREP_COMPILED")
    return Path(env) if env else Path(sys.prefix) / "share" / "sitrep" / "boosters"


def lightgbm_scorer(model: Any) -> Scorer:
    """Scores rows with a lightgbm.Booster's own predict, on one thread."""
    return lambda x: np.asarray(model.predict(x, num_threads=1), dtype=np.float64)


def scorer(model: Any) -> Scorer:
    """Scores rows with `model` (a lightgbm.Booster), by its compiled code, else by LightGBM."""
    try:
        compiled = _compile(model.model_to_string())
    except Exception as exc:  # noqa: BLE001 - the compiler is an optimisation: any failure falls back to LightGBM
        _fallback(f"{type(exc).__name__}: {exc}")
        return lightgbm_scorer(model)

    def score(x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        return np.asarray(compiled.predict(np.ascontiguousarray(x, dtype=np.float64), n_jobs=1), dtype=np.float64)

    return score


@cache
def _fallback(reason: str) -> None:
    """Says, once for each reason, that LightGBM scores in the compiler's place."""
    log.warning("the decision model is scored by LightGBM, not compiled code (%s)", reason)


def cache_key(text: str) -> str:
    """The name of a booster's compiled code: its text, the compiler's versions, the CPU compiled for."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    machine = "|".join([platform.machine(), llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()])
    versions = f"lleaves {metadata.version('lleaves')}, llvmlite {metadata.version('llvmlite')}"
    return hashlib.sha1("\0".join([text, versions, machine]).encode("utf-8")).hexdigest()


def _compile(text: str) -> Any:
    """The lleaves model of a booster's text, from the cache or compiled into it (written whole, then
    renamed: two processes compiling at once, or one killed midway, never leave a partial file)."""
    import lleaves

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = cache_key(text)
    cached = folder / f"{key}.o"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "booster.txt"
        source.write_text(text, encoding="utf-8")
        model = lleaves.Model(model_file=str(source))
        if cached.exists():
            model.compile(cache=str(cached))
        else:
            log.info("compiling a booster of the decision model to %s (once: seconds)", cached)
            part = folder / f"{key}.{os.getpid()}.part"
            model.compile(cache=str(part))
            os.replace(part, cached)
    return model


def main() -> None:
    """Compile the shipped model's boosters into the cache (run by `scripts/setup.sh`)."""
    from .model import load_default

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model = load_default()
    if model is None:
        print("no decision model: nothing to compile")
        return
    parts = (model.keep, model.slot, model.type)
    for part in parts:
        part.scorers  # noqa: B018 - compiles what the cache lacks (a failure falls back, and is logged)
    boosters = [b for part in parts for b in part.models]
    try:
        current = {f"{cache_key(b.model_to_string())}.o" for b in boosters}
    except ImportError as exc:
        print(f"decision model: not compiled ({exc}); LightGBM scores it")
        return
    stale = [f for f in cache_dir().glob("*.o") if f.name not in current]  # an earlier model's code
    for f in stale:
        f.unlink(missing_ok=True)
    ready = sum(1 for name in current if (cache_dir() / name).exists())
    print(f"decision model: {ready} of {len(boosters)} boosters compiled in {cache_dir()}"
          f" ({len(stale)} stale files removed)")


if __name__ == "__main__":
    main()
