"""The README keeps up with the code: every CLI command (and every option of it) is in its command table."""
from __future__ import annotations

import re

import click

from sitrep.cli import main

from .conftest import ROOT


def command_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `sitrep "))


def test_every_command_is_in_the_readme_table() -> None:
    table = command_table()
    listed = set(re.findall(r"^\| `sitrep ([a-z-]+)", table, flags=re.MULTILINE))
    assert listed == set(main.commands), (sorted(set(main.commands) - listed), sorted(listed - set(main.commands)))


def test_the_options_analysts_need_are_in_the_table() -> None:
    """Each option of the store and review commands is named in the command's row."""
    table = command_table()
    for name in ("review", "export-reviews", "events", "ingest", "extract"):
        command = main.commands[name]
        rows = [line for line in table.splitlines() if line.startswith(f"| `sitrep {name} ")]
        assert rows, name
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in ("help", "fetch", "batch_size", "verbose", "fmt",
                                                                       "output", "limit", "as_json"):
                assert any(opt in " ".join(rows) for opt in param.opts), (name, param.opts)
