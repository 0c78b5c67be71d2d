"""Uploaded files, through every upload route of the app (the question bank's import, API and
form, the office's upload, the organisers' contest import): a renamed non-spreadsheet, an old
binary .xls, a zip bomb (ratio and member count), XML entity attacks (billion laughs and an
external entity to /etc/passwd), a file over the size limit, empty and broken files. Each
gets a 4xx naming the file, no 5xx, nothing written, nothing of /etc/passwd echoed.

And every spreadsheet the app exports: text that a spreadsheet would run (= + - @) is an
escaped string cell, never a formula.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from conftest import bearer, demo_document, make_contest, tokens_of
from reliability_support import OFFICE, ROLES, db_diff, dispose, secured_app, signed_in, snapshot_db

MARK = "FORMULA-MARK"


@pytest.fixture
def app(tmp_path):
    application = secured_app(tmp_path)
    yield application
    dispose(application)


def _workbook() -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["Câu hỏi", "Đáp án"])
    wb.active.append(["Một câu hỏi?", "Một đáp án"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, content if info.filename == name else src.read(info.filename))
        if name not in src.namelist():
            z.writestr(name, content)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>"""
XXE_UTF16 = XXE.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")


def _docx_with(document_xml: bytes) -> bytes:
    import docx
    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Câu 1. Một câu hỏi?")
    d.save(buf)
    return _replace_member(buf.getvalue(), "word/document.xml", document_xml)


def bad_files() -> list[tuple[str, str, bytes]]:
    """(what, filename, bytes)."""
    good = _workbook()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for name in zipfile.ZipFile(io.BytesIO(good)).namelist():
            z.writestr(name, zipfile.ZipFile(io.BytesIO(good)).read(name))
        z.writestr("xl/worksheets/sheet2.xml", b"\0" * 150_000_000)  # 150 MB -> ~150 KB
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w", zipfile.ZIP_STORED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(3000):
            z.writestr(f"x/{i}.xml", b"<a/>")
    return [
        ("PDF renamed .xlsx", "cau-hoi.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" * 50),
        ("PNG renamed .xlsx", "cau-hoi.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000),
        ("text renamed .docx", "cau-hoi.docx", "Câu 1: đây không phải tệp Word".encode()),
        ("old binary .xls", "cau-hoi.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000),
        ("zip bomb (ratio)", "bom.xlsx", bomb.getvalue()),
        ("zip bomb (3000 members)", "bom.xlsx", many.getvalue()),
        ("billion laughs in sharedStrings", "lol.xlsx", _replace_member(good, "xl/sharedStrings.xml", BILLION_LAUGHS)),
        ("external entity /etc/passwd", "xxe.xlsx", _replace_member(good, "xl/sharedStrings.xml", XXE)),
        ("external entity, UTF-16", "xxe16.xlsx", _replace_member(good, "xl/sharedStrings.xml", XXE_UTF16)),
        ("external entity in a .docx", "xxe.docx", _docx_with(XXE.replace(b"sst", b"w:document"))),
        ("truncated zip", "cut.xlsx", good[: len(good) // 2]),
        ("empty file", "rong.xlsx", b""),
        ("not JSON named .json", "cau-hoi.json", b"{\"questions\": [" + b"[" * 50_000),
        ("no extension", "cau-hoi", b"abc"),
    ]


def upload_routes(t_cid: int) -> list[tuple[str, str, str]]:
    """(route, role, url) for every route that takes a file."""
    return [("api questions import (office)", "office", f"/api/v1/contests/{t_cid}/questions/import"),
            ("api questions import (organiser)", "organiser", f"/api/v1/contests/{t_cid}/questions/import"),
            ("question bank upload form", "organiser", f"/c/{t_cid}/questions/import"),
            ("office upload form", "office", f"/c/{t_cid}/office/upload"),
            ("contest import form", "organiser", "/setup/import")]


def test_every_file_route_is_covered(app):
    """A new route that reads request.files must be added to upload_routes."""
    import inspect
    covered = {"api.import_questions", "bank.upload", "bank.office_upload", "organiser.import_file"}
    readers = set()
    for rule in app.url_map.iter_rules():
        if not rule.methods & {"POST", "PUT", "PATCH"}:
            continue  # only a write can carry a file
        view = app.view_functions[rule.endpoint]
        try:
            source = inspect.getsource(inspect.unwrap(view))
        except (OSError, TypeError):
            continue
        if "request.files" in source or "FileField" in source or "_run_import" in source or "ImportForm" in source:
            readers.add(rule.endpoint)
    assert readers <= covered, f"routes reading files not covered by test_uploads: {sorted(readers - covered)}"


def test_bad_files_are_refused_everywhere(app):
    cid = make_contest(app)
    links = tokens_of(app, cid)
    people = {r: signed_in(app, cid, r, links) for r in ROLES if r in ("office", "organiser")}
    before = snapshot_db(app)
    problems = []
    passwd = open("/etc/passwd", encoding="utf-8", errors="replace").read().splitlines()[0]
    for what, filename, data in bad_files():
        for route, role, url in upload_routes(cid):
            person = people[role]
            if url.startswith("/api/"):
                r = app.test_client().post(url, data={"file": (io.BytesIO(data), filename)},
                                           headers=bearer(person.token), content_type="multipart/form-data")
            else:
                r = person.client.post(url, data={"file": (io.BytesIO(data), filename), "csrf_token": person.csrf},
                                       content_type="multipart/form-data")
            body = r.get_data(as_text=True)
            label = f"{what} -> {route}: {r.status_code}"
            if r.status_code >= 500 or r.status_code < 400:
                problems.append(label)
                continue
            if url.startswith("/api/") and r.get_json()["error"].get("field") != "file":
                problems.append(f"{label} without field 'file'")
            if passwd in body:
                problems.append(f"{label} echoed /etc/passwd")
            diff = db_diff(before, snapshot_db(app))
            if diff:
                problems.append(f"{label} wrote {diff}")
                before = snapshot_db(app)
    assert not problems, "\n".join(problems)


def test_files_over_the_limit_are_refused(tmp_path):
    app = secured_app(tmp_path, MAX_UPLOAD_BYTES=200_000)
    try:
        cid = make_contest(app)
        links = tokens_of(app, cid)
        org = signed_in(app, cid, "organiser", links)
        big = b"PK\x03\x04" + b"\0" * 400_000
        r = app.test_client().post(f"/api/v1/contests/{cid}/questions/import",
                                   data={"file": (io.BytesIO(big), "big.xlsx")},
                                   headers=bearer(links["offices"][OFFICE]["token"]))
        assert r.status_code == 413 and r.get_json()["error"]["message"]
        r = org.client.post(f"/c/{cid}/questions/import", data={"file": (io.BytesIO(big), "big.xlsx"),
                                                                "csrf_token": org.csrf})
        assert r.status_code == 413
        # and the default limit is a few megabytes, not unlimited
        from config import Config
        assert 1_000_000 <= Config.MAX_UPLOAD_BYTES <= 50_000_000
    finally:
        dispose(app)


# ------------------------------------------------------------------------ formulas out

FORMULAS = [f'=HYPERLINK("http://evil.example","{MARK}1")', f"+1+1{MARK}2", f"-1+1{MARK}3",
            f"@SUM(1){MARK}4", f"=cmd|' /C calc'!A0{MARK}5"]


def test_exported_spreadsheets_never_hold_a_formula(app):
    from openpyxl import load_workbook
    doc = demo_document()
    c = doc["contest"]
    c["teams"][0]["name"] = FORMULAS[0]
    c["teams"][1]["members"][0]["name"] = FORMULAS[1]
    c["judges"][1]["name"] = FORMULAS[2]
    c["units"][0]["name"] = FORMULAS[3] if isinstance(c["units"][0], dict) else c["units"][0]
    c["questions"][0]["text"] = FORMULAS[4]
    next(q for q in c["questions"] if q.get("kind", "open") == "open")["answer"] = FORMULAS[0]
    cid = make_contest(app, doc)
    links = tokens_of(app, cid)
    head = bearer(links["judges"]["j1"]["token"])
    client = app.test_client()
    r = client.post(f"/api/v1/contests/{cid}/penalties", headers=head, json={
        "team": c["teams"][0]["key"], "part": "skit", "points": 1, "reason": FORMULAS[2]})
    assert r.status_code == 201, r.get_json()
    r = client.post(f"/api/v1/contests/{cid}/scores", headers=bearer(links["judges"]["j2"]["token"]), json={
        "team": c["teams"][0]["key"], "part": "intro", "id": "f1", "criteria": {"content": 5, "delivery": 5},
        "comment": FORMULAS[3]})
    assert r.status_code == 201, r.get_json()
    org = signed_in(app, cid, "organiser", links)
    head_person = signed_in(app, cid, "head", links)
    exports = [(org, f"/c/{cid}/questions/export.xlsx"), (org, f"/c/{cid}/setup/export.xlsx"),
               (head_person, f"/c/{cid}/audit.xlsx"), (org, f"/c/{cid}/questions/template.xlsx")]
    from contest.services.paperwork import CATALOGUE
    exports += [(org, f"/c/{cid}/documents/{name}") for name in CATALOGUE if name.endswith(".xlsx")]
    problems = []
    marks_seen = 0
    for person, url in exports:
        r = person.client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        wb = load_workbook(io.BytesIO(r.data))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if not isinstance(value, str):
                        continue
                    if MARK in value:
                        marks_seen += 1
                    if cell.data_type == "f" or (value.startswith(("=", "+", "-", "@")) and MARK in value):
                        problems.append(f"{url} {ws.title}!{cell.coordinate}: {value[:60]!r} ({cell.data_type})")
    assert marks_seen >= 5, "the hostile texts did not reach the exports"
    assert not problems, "\n".join(problems)
