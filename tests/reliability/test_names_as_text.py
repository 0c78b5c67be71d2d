"""Names with <script> and quotes appear as text on every screen and document.

The contest is imported with markup and quotes in every name a user types (contest, units,
teams, members, judges, questions, offices); then every page of every role is rendered, every
JSON answer and socket snapshot read, and every document built. Markup must never come out as
markup: in HTML it is escaped (so the browser shows it as text; the e2e test checks that no
dialog opens), in Word, Excel and PDF it is the literal text.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from conftest import demo_document, make_contest, tokens_of
from reliability_support import ROLES, dispose, secured_app, signed_in

SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
QUOTES = "Đội \"Sao Đỏ\" & 'Bình Minh'"
RAW = (SCRIPT, IMG, "<img src=x", "<script>alert")


def hostile_document() -> dict:
    doc = demo_document()
    c = doc["contest"]
    c["name"] = f"Hội thi {SCRIPT}"
    c["venue"] = f"Hội trường {IMG}"
    c["teams"][0]["name"] = f"{QUOTES} {SCRIPT}"
    c["teams"][1]["name"] = f"Đội {IMG}"
    c["teams"][0]["members"][0]["name"] = f"Nguyễn {SCRIPT}"
    c["teams"][0]["members"][1]["position"] = f"Chủ tịch {IMG}"
    c["judges"][0]["name"] = f"Trưởng ban {SCRIPT}"
    c["judges"][1]["title"] = f"Phó {IMG}"
    for q in c["questions"][:3]:
        q["text"] = f"Câu hỏi {SCRIPT} {QUOTES}?"
        q["office"] = f"Phòng {IMG}" if q is c["questions"][2] else q.get("office")
    for item in c.get("programme") or []:
        if isinstance(item, dict) and "name" in item:
            item["name"] = f"{item['name']} {SCRIPT}"
            break
    return doc


@pytest.fixture
def hostile(tmp_path):
    app = secured_app(tmp_path)
    cid = make_contest(app, hostile_document())
    yield app, cid
    dispose(app)


def test_every_page_shows_markup_as_text(hostile):
    from test_role_matrix import _ids, build_url, routes
    app, cid = hostile
    links = tokens_of(app, cid)
    ids = _ids(app, cid)
    pages = 0
    shown = 0
    problems = []
    for role in ROLES:
        person = signed_in(app, cid, role, links)
        for key, method, rule in routes(app):
            if method != "GET" or rule.endpoint == "static":
                continue
            url = build_url(app, rule, ids)
            r = person.client.get(url)
            if r.status_code != 200:
                continue
            ctype = r.content_type
            # JSON is data (served as application/json with nosniff, never rendered as a page);
            # HTML and SVG are what a browser would run
            text = r.get_data(as_text=True) if ctype.startswith(("text/html", "image/svg")) else ""
            if not text:
                continue
            pages += 1
            for raw in RAW:
                if raw in text:
                    problems.append(f"{key} as {role}: raw {raw!r} in {ctype.split(';')[0]}")
            if ctype.startswith("text/html") and ("&lt;script&gt;" in text or "\\u003cscript\\u003e" in text):
                shown += 1
    assert pages > 25
    assert shown > 15, "the hostile names did not reach the pages"
    assert not problems, "\n".join(sorted(set(problems)))


def test_socket_snapshots_carry_names_as_data(hostile):
    """Socket payloads are JSON data (the screens put them in with textContent): the names
    arrive intact, and the JSON never carries an HTML-executable form of them."""
    from contest.extensions import socketio
    app, cid = hostile
    links = tokens_of(app, cid)
    for auth in (None, {"token": links["mc"]["token"]}, {"token": links["judges"]["j1"]["token"]}):
        sio = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}", auth=auth)
        snap = sio.get_received("/live")[0]["args"][0]
        text = json.dumps(snap, ensure_ascii=False)
        assert SCRIPT.replace('"', '\\"') in text  # the name itself, as data
        sio.disconnect(namespace="/live")


def test_every_document_has_the_names_as_text(hostile):
    from contest.services.paperwork import CATALOGUE
    app, cid = hostile
    org = signed_in(app, cid, "organiser")
    found = {}
    for name in CATALOGUE:
        r = org.client.get(f"/c/{cid}/documents/{name}")
        assert r.status_code == 200, (name, r.status_code)
        found[name] = _text_of(name, r.data)
    for extra in ("questions/booklet.docx", "questions/export.xlsx", "setup/export.xlsx", "setup/export.json"):
        r = org.client.get(f"/c/{cid}/{extra}")
        assert r.status_code == 200, (extra, r.status_code)
        found[extra] = _text_of(extra, r.data)
    with_names = [n for n, text in found.items() if "<script>" in text or "alert(" in text]
    assert len(with_names) >= 4, f"hostile names missing from documents: {sorted(found)}"
    for name, text in found.items():
        # where markup comes through it comes through whole, as the literal text typed
        if "<script>" in text:
            assert SCRIPT in text or SCRIPT.replace('"', "“") in text or "alert" in text, name


def _text_of(name: str, data: bytes) -> str:
    if name.endswith(".docx"):
        import docx
        d = docx.Document(io.BytesIO(data))
        parts = [p.text for p in d.paragraphs]
        for table in d.tables:
            for row in table.rows:
                parts += [cell.text for cell in row.cells]
        return "\n".join(parts)
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(data))
        return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                         if c.value is not None)
    if name.endswith(".pdf"):
        from pypdf import PdfReader
        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    if name.endswith(".json"):
        return data.decode("utf-8")
    return re.sub(rb"[^\x20-\x7e]", b" ", data).decode()
