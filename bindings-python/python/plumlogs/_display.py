"""Notebook display (``_repr_html_``) of records, record lists, parse results and
listings: counts and the first rows as a table, always bounded.

The native classes' ``_repr_html_`` call these. Fields come from each record's
``to_dict()`` (core's canonical form), so nothing here knows a record's fields.
Whatever the input, the HTML holds at most ``ROWS`` records, ``PROBLEMS`` problems
and ``CELL`` characters per value.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["CELL", "PROBLEMS", "ROWS", "list_html", "listing_html", "record_html", "result_html"]

ROWS = 10
"""Records shown at most."""
PROBLEMS = 5
"""Problems of a lenient parse shown at most."""
CELL = 80
"""Characters of one value shown at most."""


def _cell(value: Any) -> str:
    if value is None:
        return '<td style="opacity:.5">None</td>'
    text = str(value)
    if len(text) > CELL:
        text = text[:CELL] + f"… ({len(text):,} chars)"
    return f"<td>{html.escape(text)}</td>"


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(_cell(v) for v in r.values()) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _records(records: Any, n: int) -> str:
    shown = [records[i].to_dict() for i in range(min(n, ROWS))]
    more = f"<p>… {n - len(shown):,} more</p>" if n > len(shown) else ""
    return _table(shown) + more


def list_html(records: Any) -> str:
    """A ``RecordList``: its count and type, then the first rows."""
    n = len(records)
    what = html.escape(records.record_type)
    return f"<div><p><b>RecordList</b>: {n:,} {what}</p>{_records(records, n)}</div>"


def result_html(result: Any) -> str:
    """A lenient ``ParseResult``: counts, the first records, the first problems."""
    records, problems = result.records, result.problems
    n, m = len(records), len(problems)
    what = html.escape(records.record_type)
    out = [f"<div><p><b>ParseResult</b>: {n:,} {what}, {m:,} problems</p>"]
    if m:
        shown = [
            {"line": p.line, "column": p.column, "reason": p.reason, "input": p.input}
            for p in problems[:PROBLEMS]
        ]
        out.append(_table(shown))
        if m > len(shown):
            out.append(f"<p>… {m - len(shown):,} more problems</p>")
    out.append(_records(records, n))
    out.append("</div>")
    return "".join(out)


def record_html(record: Any) -> str:
    """One record: a field/value table."""
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th>{_cell(v)}</tr>" for k, v in record.to_dict().items()
    )
    return f"<div><p><b>{type(record).__name__}</b></p><table>{rows}</table></div>"


def listing_html(text: str) -> str:
    """A ``Listing`` (not fetched by being shown): its ``repr`` as a paragraph."""
    return f"<div><p>{html.escape(text)}</p></div>"
