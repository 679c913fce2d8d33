"""Raw article dumps: several scraped articles in one text file.

Articles are separated by runs of two or more blank lines; single blank lines
separate paragraphs inside an article.  A block too small to be an article
(a stray title, a lone chrome line) is joined to the article that follows it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATOR = re.compile(r"\n[ \t\r\f\v]*\n(?:[ \t\r\f\v]*\n)+")
_SENTENCE_END = re.compile(r"[.!?…”\"']\s*$")
MIN_ARTICLE_CHARS = 200


@dataclass(frozen=True)
class Block:
    text: str
    first_line: int  # 0-based line of the input where the block starts


def split_dump(text: str) -> list[Block]:
    """Split a dump into article blocks, in input order."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    pos = 0
    for match in _SEPARATOR.finditer(text):
        _append(blocks, text, pos, match.start())
        pos = match.end()
    _append(blocks, text, pos, len(text))
    return _merge_fragments(blocks)


def _append(blocks: list[Block], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    if chunk.strip():
        lead = len(chunk) - len(chunk.lstrip("\n"))
        blocks.append(Block(chunk.strip("\n"), text.count("\n", 0, start) + lead))


def _is_article(block: Block) -> bool:
    sentences = sum(1 for line in block.text.split("\n") if _SENTENCE_END.search(line) and len(line) > 60)
    return len(block.text) >= MIN_ARTICLE_CHARS and sentences >= 1


def _merge_fragments(blocks: list[Block]) -> list[Block]:
    merged: list[Block] = []
    pending: Block | None = None
    for block in blocks:
        if pending is not None:
            block = Block(pending.text + "\n\n" + block.text, pending.first_line)
            pending = None
        if _is_article(block):
            merged.append(block)
        else:
            pending = block
    if pending is not None:
        if merged:
            last = merged.pop()
            merged.append(Block(last.text + "\n\n" + pending.text, last.first_line))
        else:
            merged.append(pending)
    return merged
