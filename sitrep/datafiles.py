"""The knowledge files of `sitrep/data`, each with a schema that is checked when it is loaded.

Every file is tab-separated (or one word a line), with `#` comment lines.  A schema names the
columns, says which are optional (trailing ones may be left off), which values a column may take,
and which columns form the row's key.  Loading a file that breaks its schema raises a
`DataFileError` naming the file and the line: an unknown column count, a value outside its choices,
a number that is not one, or a key given twice (when the two lines disagree, "the last one wins"
would be a silent bug; when they agree, it is a copy to remove).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import SitrepError


class DataFileError(SitrepError):
    """A data file that breaks its schema."""

    def __init__(self, detail: str):
        super().__init__("E032", detail=detail)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text | int | float
    choices: frozenset[str] = frozenset()
    required: bool = True  # a trailing column that is not required may be left off


@dataclass(frozen=True)
class Schema:
    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that together identify a row; () = the whole row
    header: bool = False  # the first row repeats the column names
    lower_key: bool = False  # keys compare lower-cased ('Fire' and 'fire' are one word)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str] = field(hash=False)

    def __getitem__(self, name: str) -> str:
        return self.values[name]


def _choice(*values: str) -> frozenset[str]:
    return frozenset(values)


TRIGGER_KINDS = _choice("means", "instrument", "act", "event", "harm", "modifier", "cue", "conclude")
WORD = (Column("word"),)
SCHEMAS: dict[str, Schema] = {s.file: s for s in (
    Schema("triggers.tsv", (Column("phrase"), Column("kind", choices=TRIGGER_KINDS), Column("event_type"),
                            Column("sub_event_type"), Column("rank", "int")), key=("phrase",), header=True, lower_key=True),
    Schema("event_types.tsv", (Column("event_type"), Column("sub_event_type"), Column("plover"), Column("cameo")),
           key=("event_type", "sub_event_type"), header=True),
    Schema("type_alternatives.tsv", (Column("sub_event_type"), Column("alternatives")), key=("sub_event_type",)),
    Schema("non_event.tsv", (Column("cue"), Column("scope", choices=_choice("governor", "sentence", "aux", "habit", "mark"))),
           key=("cue", "scope"), lower_key=True),
    Schema("victim_nouns.txt", WORD, lower_key=True),
    Schema("militia_nouns.txt", WORD, lower_key=True),
    Schema("role_nouns.txt", WORD, lower_key=True),
    Schema("time_nouns.txt", WORD, lower_key=True),
    Schema("patron_words.txt", WORD, lower_key=True),
    Schema("chrome.tsv", (Column("action", choices=_choice("cut", "drop")), Column("pattern")), key=("pattern",), header=True),
    Schema("fatality_words.tsv", (Column("term"), Column("kind")), key=("term",), header=True, lower_key=True),
    Schema("number_words.tsv", (Column("word"), Column("value", "int"), Column("kind")), key=("word",), header=True,
           lower_key=True),
    Schema("date_words.tsv", (Column("term"), Column("kind"), Column("value", required=False)), key=("term",), header=True,
           lower_key=True),
    Schema("ethnic_groups.tsv", (Column("name"), Column("aliases")), key=("name",), header=True),
    Schema("force_nouns.tsv", (Column("noun"), Column("kind"), Column("bare", choices=_choice("yes", "no"))),
           key=("noun",), header=True, lower_key=True),
    Schema("countries.tsv", (Column("name"), Column("iso2"), Column("iso3"), Column("aliases", required=False),
                             Column("demonyms", required=False), Column("the", required=False)),
           key=("iso2",), header=True),
    Schema("actors.tsv", (Column("name"), Column("inter", "int", choices=_choice(*"12345678")), Column("country", required=False),
                          Column("kind", choices=_choice("group", "class")), Column("aliases"), Column("where", required=False)),
           key=("name", "where"), header=True),
    Schema("country_points.tsv", (Column("iso2"), Column("latitude", "float"), Column("longitude", "float"),
                                  Column("note", required=False)), key=("iso2",)),
    Schema("metonym_cues.tsv", (Column("kind", choices=_choice("verb", "noun", "pattern")), Column("word")), key=("kind", "word"),
           lower_key=True),
    Schema("place_aliases.tsv", (Column("name"), Column("target"),
                                 Column("kind", choices=_choice("name", "demonym"), required=False)), key=("name", "target")),
    Schema("place_context.tsv", (Column("word"), Column("strength", choices=_choice("weak", "strong"))), key=("word",),
           lower_key=True),
    Schema("place_name_variants.tsv", (Column("kind", choices=_choice("word", "article", "joined", "sub")),
                                       Column("from"), Column("to", required=False)), key=("kind", "from")),
    Schema("not_places.tsv", (Column("word"), Column("kind", choices=_choice(
        "weekday", "month", "region", "outlet", "media", "compound", "person", "speech", "org", "body",
        "local"))),
           key=("word",), lower_key=True),
    # a word may be of two kinds ('lake' heads "Lake Chad" and ends "Chad Lake"), but each once
    Schema("place_types.tsv", (Column("word"), Column("kind", choices=_choice(
        "admin1", "admin2", "admin", "settlement", "natural", "facility", "building", "part", "direction", "head"))),
           key=("word", "kind"), lower_key=True),
)}


def _parse(schema: Schema, text: str, where: str) -> list[Row]:
    rows: list[Row] = []
    seen: dict[tuple[str, ...], int] = {}
    names = schema.names
    minimum = sum(1 for c in schema.columns if c.required)
    header_done = not schema.header
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_done:
            if tuple(c.strip() for c in cells) != names:
                raise DataFileError(f"{where}:{n}: the header should be {' | '.join(names)}, not {' | '.join(cells)}")
            header_done = True
            continue
        if not minimum <= len(cells) <= len(names):
            raise DataFileError(f"{where}:{n}: {len(cells)} columns, the schema has {minimum} to {len(names)} "
                                f"({', '.join(names)})")
        values = dict(zip(names, cells))
        for column in schema.columns:
            value = values.get(column.name, "")
            if column.required and not value.strip():
                raise DataFileError(f"{where}:{n}: the '{column.name}' column is empty")
            if not value:
                continue
            if column.choices and value not in column.choices:
                raise DataFileError(f"{where}:{n}: '{column.name}' is {value!r}, not one of {', '.join(sorted(column.choices))}")
            if column.kind in ("int", "float"):
                try:
                    int(value) if column.kind == "int" else float(value)
                except ValueError:
                    raise DataFileError(f"{where}:{n}: '{column.name}' is {value!r}, not a number") from None
        key = tuple(values.get(k, "") for k in (schema.key or names))
        key = tuple(k.lower() for k in key) if schema.lower_key else key
        if key in seen:
            raise DataFileError(f"{where}:{n}: {' / '.join(key)} is already given on line {seen[key]}")
        seen[key] = n
        rows.append(Row(n, values))
    return rows


def read_table(file: str, path: str | Path | None = None) -> list[Row]:
    """The rows of a data file (of `sitrep/data`, or at `path` in the same shape), checked against its schema."""
    schema = SCHEMAS.get(file)
    if schema is None:
        raise DataFileError(f"{file}: no schema is declared for this data file (sitrep/datafiles.py)")
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise DataFileError(f"{path}: cannot read: {exc}") from exc
        return _parse(schema, text, str(path))
    return _cached(file)


@cache
def _cached(file: str) -> list[Row]:
    text = resources.files("sitrep.data").joinpath(file).read_text(encoding="utf-8")
    return _parse(SCHEMAS[file], text, f"sitrep/data/{file}")


def word_set(file: str) -> frozenset[str]:
    """A one-word-a-line file as a set of lower-cased words."""
    return frozenset(r["word"].strip().lower() for r in read_table(file))
