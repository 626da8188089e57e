"""Write the table of registered sources into docs/clinical-sources.md (between markers).

Run after adding a source: `.venv/bin/python scripts/sources_doc.py`. A test checks the table is
current, so the documentation and the registry the results cite cannot drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from spinepath.clinical.sources import all_sources

DOC = Path(__file__).resolve().parent.parent / "docs" / "clinical-sources.md"
START = "<!-- sources-table:start -->"
END = "<!-- sources-table:end -->"
CONFIDENCE = {"P": "primary", "S": "secondary", "U": "unverified"}


def sources_table() -> str:
    rows = ["| id | source | edition | confidence |", "|---|---|---|---|"]
    for source in all_sources():
        citation = source.citation.replace("|", "\\|")
        link = f" <{source.url}>" if source.url else ""
        rows.append(
            f"| `{source.id}` | {citation}{link} | {source.edition} | "
            f"{CONFIDENCE[source.confidence]} |"
        )
    return "\n".join(rows)


def render(document: str) -> str:
    before, _, rest = document.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{sources_table()}\n{END}{after}"


def main() -> int:
    DOC.write_text(render(DOC.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
