"""The shipped decision model's boosters compiled to native code (sitrep/decide/compiled.py) score as
LightGBM does, are cached whole, and fall back to LightGBM when the compiler fails."""
from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pytest

from sitrep.decide import compiled
from sitrep.decide.model import DEFAULT_MODEL, DecisionModel, load_default
from sitrep.decide.rows import keep_rows

from .test_decide import _propose


def _small_booster(seed: int = 3):  # noqa: ANN202
    import lightgbm

    rng = np.random.default_rng(seed)
    x = rng.random((200, 6))
    y = (x[:, 0] + 0.3 * x[:, 1] > 0.7).astype(float)
    params = {"objective": "binary", "num_leaves": 7, "seed": seed, "deterministic": True, "verbose": -1,
              "num_threads": 1}
    return lightgbm.train(params, lightgbm.Dataset(x, label=y), num_boost_round=8), x


def test_a_compiled_booster_scores_as_lightgbm_and_is_cached_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_COMPILED", str(tmp_path))
    booster, x = _small_booster()
    score = compiled.scorer(booster)
    np.testing.assert_allclose(score(x), booster.predict(x, num_threads=1), rtol=0, atol=1e-12)
    assert [f.suffix for f in tmp_path.iterdir()] == [".o"]  # the code, renamed whole: no partial file left
    again = compiled.scorer(booster)  # from the cache
    np.testing.assert_allclose(again(x[:3]), booster.predict(x[:3], num_threads=1), rtol=0, atol=1e-12)
    assert len(score(x[:0])) == 0


def test_a_booster_the_compiler_fails_on_is_scored_by_lightgbm(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("SITREP_COMPILED", str(tmp_path))

    def broken(text: str):  # noqa: ANN202
        raise OSError("no space left on device")

    monkeypatch.setattr(compiled, "_compile", broken)
    compiled._fallback.cache_clear()
    booster, x = _small_booster(seed=4)
    with caplog.at_level(logging.WARNING, logger="sitrep.decide.compiled"):
        score = compiled.scorer(booster)
    np.testing.assert_array_equal(score(x), booster.predict(x, num_threads=1))
    assert "no space left on device" in caplog.text


def test_the_shipped_model_decides_the_same_compiled_or_not():
    shipped = load_default()
    if shipped is None:
        pytest.skip("no decision model shipped")
    plain = DecisionModel.load(DEFAULT_MODEL)
    assert shipped.keep.compiled and not plain.keep.compiled
    proposed = _propose("Gunmen attacked a police post in Mopti, Mali, on Monday, killing three officers, and "
                        "troops later clashed with them outside Ségou.", date(2025, 3, 5))
    rows = keep_rows(proposed)
    assert rows
    text = {p.index: {"text_score": 0.0} for p in proposed.proposals}
    np.testing.assert_allclose(shipped.keep.predict_matrix(shipped.keep.reading_matrix(rows, text)),
                               plain.keep.predict_matrix(plain.keep.reading_matrix(rows, text)), rtol=0, atol=1e-12)
    assert [e.to_json() for e in shipped.decide(proposed)] == [e.to_json() for e in plain.decide(proposed)]
    # and it was the compiled code that scored (not LightGBM, fallen back to): every booster's is cached
    for part in (shipped.keep, shipped.slot, shipped.type):
        assert all((compiled.cache_dir() / f"{compiled.cache_key(b.model_to_string())}.o").exists() for b in part.models)
