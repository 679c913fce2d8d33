"""Property tests: every reader and normaliser takes any bytes or text without crashing, and its
output keeps the invariants of `fuzz/targets.py` (documents have text, rejects a code and a reason,
offsets point at their text). Run longer by hand: SITREP_HYPOTHESIS_EXAMPLES=5000."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.targets import TARGETS

EXAMPLES = int(os.environ.get("SITREP_HYPOTHESIS_EXAMPLES", "60"))
# CI runs a fixed set of examples (derandomized: a red build is a regression); by hand, fresh ones each run
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                    derandomize="SITREP_HYPOTHESIS_EXAMPLES" not in os.environ)
# text shaped like the inputs: markup, JSON, CSV, dates, numbers, separators, non-Latin letters
ALPHABET = st.sampled_from(list("<>/&;\"'{}[],:=\n\r\t \x00-.()#!?") + list("aAzZ0129é’—ا中") +
                           ["<p>", "</p>", "<rss>", "<item>", "<description>", "<!ENTITY ", "<![CDATA[", "\"text\": ",
                            "\n\n\n", "2024-08-05", "Aug. 5, 2024", "on Tuesday", "at least ", "dozens of ",
                            "thousand", "million", "BEIRUT (AP) — ", "Photo: ", "By ", "Kafr ", "al-"])
TEXTS = st.lists(ALPHABET, max_size=200).map("".join)


@pytest.mark.parametrize("target", list(TARGETS))
@SETTINGS
@given(data=st.binary(max_size=2048))
def test_any_bytes(target: str, data: bytes) -> None:
    TARGETS[target](data)


@pytest.mark.parametrize("target", list(TARGETS))
@SETTINGS
@given(text=TEXTS)
def test_input_shaped_text(target: str, text: str) -> None:
    TARGETS[target](text.encode("utf-8"))
