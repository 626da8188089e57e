"""Reading level of patient-facing text: visible text blocks of a page, graded by textstat."""

from __future__ import annotations

from html.parser import HTMLParser

import textstat

BLOCK_TAGS = {"h1", "h2", "h3", "p", "li", "legend", "label", "button", "span", "td", "th"}


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_main = 0
        self.skip = 0
        self.current: list[str] = []
        self.blocks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main += 1
        if tag in {"script", "style", "title"}:
            self.skip += 1
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in {"script", "style", "title"}:
            self.skip -= 1
        if tag == "main":
            self.in_main -= 1

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skip:
            self.current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def page_text(html: str) -> list[str]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


def reading_grade(blocks: list[str]) -> float:
    """Flesch-Kincaid grade; a block without a closing stop is still a unit of its own. Blocks
    that are only numbers (scale choices) are left out."""
    words = [b for b in blocks if any(ch.isalpha() for ch in b)]
    text = " ".join(b if b.rstrip()[-1:] in ".!?:" else f"{b}." for b in words)
    return float(textstat.flesch_kincaid_grade(text))
