"""repr and _repr_html_ of records, record lists, parse results and listings: readable,
and bounded whatever the input."""

from __future__ import annotations

import plumlogs
from conftest import ERROR_LINE, LOCAL_LINE, SESSION_LINE, make_client
from plumlogs import _display

DAY = 86400
# 50,000 lines; the second holds a message of 100,000 characters with markup in it
# (to be escaped).
HUGE = LOCAL_LINE.replace("billing", "<b>&" + "x" * 100_000)
MANY = "\n".join([SESSION_LINE, HUGE] + [SESSION_LINE, LOCAL_LINE] * 24_999)


def test_a_record_repr_and_html_show_its_fields() -> None:
    rec = plumlogs.parse_session_line(SESSION_LINE)
    assert repr(rec).startswith("SessionRecord(kind='inbound', ani='7185551234', channel=3")
    page = rec._repr_html_()
    assert "<th>duration</th><td>29</td>" in page
    assert "<th>label</th>" in page  # every field of the canonical form, None shown
    err = plumlogs.parse_error_line(ERROR_LINE)
    assert "ReferenceError: d is not defined line 1" in err._repr_html_()


def test_reprs_are_bounded_however_long_the_input() -> None:
    records = plumlogs.parse_sessions(MANY)
    assert len(MANY) > 5_000_000
    tag = records[1]
    assert len(tag.message) > 100_000
    assert len(repr(tag)) < 600
    assert "…" in repr(tag)
    assert len(tag._repr_html_()) < 3_000
    r = repr(records)
    assert r.startswith("RecordList[SessionRecord](50000 records: [SessionRecord(")
    assert r.endswith("... 49997 more])")
    assert len(r) < 2_000
    page = records._repr_html_()
    assert len(page) < 20_000
    assert page.count("<tr>") == _display.ROWS + 1  # the header and ten rows
    assert "… 49,990 more" in page
    assert "&lt;b&gt;&amp;" in page  # the record's text is escaped, not markup
    assert "<b>&x" not in page
    assert f"… ({len(tag.message):,} chars)" in page


def test_a_lenient_result_shows_counts_problems_and_records() -> None:
    bad = "\n".join(["not a line " + "y" * 5_000] * 20)
    res = plumlogs.parse_sessions(MANY + "\n" + bad, strict=False)
    assert repr(res) == "ParseResult(50000 SessionRecord records, 20 problems)"
    page = res._repr_html_()
    assert "50,000 SessionRecord, 20 problems" in page
    assert "… 15 more problems" in page
    assert res.problems[0].reason in page
    assert len(page) < 25_000
    empty = plumlogs.parse_errors("", strict=False)
    assert "0 ErrorRecord, 0 problems" in empty._repr_html_()
    assert "<table>" not in empty._repr_html_()


def test_a_listing_shows_what_it_is_without_fetching(fresh_emu: plumlogs.Emulator) -> None:
    client = make_client(fresh_emu)
    listing = client.sessions(fresh_emu.now() - DAY, fresh_emu.now())
    assert repr(listing) == "Listing[SessionRecord](total_hint=None, finished=False)"
    assert "Listing[SessionRecord]" in listing._repr_html_()
    assert fresh_emu.requests() == []  # showing it sent nothing
    next(listing)
    assert f"total_hint={listing.total_hint}," in repr(listing)
    listing.collect()
    assert repr(listing).endswith("finished=True)")
    errors = client.errors(fresh_emu.now() - DAY, fresh_emu.now())
    assert repr(errors).startswith("Listing[ErrorRecord](")
    assert repr(client.call_logs(fresh_emu.now() - DAY, fresh_emu.now())).startswith(
        "Listing[CallSummary]("
    )
