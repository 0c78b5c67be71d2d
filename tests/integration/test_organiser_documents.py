"""The "Văn bản" setup screen: the documents' letterhead and signer (``contest.documents``).
Each empty field shows its default; a save changes what the award decision and the
certificates print; an empty field goes back to the default; a refused form answers 4xx with
the message naming the setting and writes nothing. The same over the API."""

from __future__ import annotations

import io

from conftest import bearer, demo_document, login, make_contest, tokens_of
from test_organiser_support import contest_value, errors_in, read_form, refused, revision, snapshot

STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"


def _documents(app, cid):
    return contest_value(app, cid, "documents")


def _built(app, cid, name: str) -> str:
    """A document's text, built as the download page builds it."""
    from contest.extensions import db
    from contest.models import Contest
    from contest.services import paperwork
    with app.test_request_context():
        data = paperwork.one(db.session.get(Contest, cid), name)
        db.session.rollback()
    if name.endswith(".pdf"):
        from pypdf import PdfReader
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    import docx
    d = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in d.paragraphs) + "\n" + "\n".join(
        c.text for t in d.tables for row in t.rows for c in row.cells)


def _audit_actions(app, cid) -> list[str]:
    from contest.extensions import db
    from contest.services.audit import entries
    with app.app_context():
        actions = [e.action for e in entries(cid)]
        db.session.rollback()
        return actions


def test_the_page_shows_each_default_and_is_linked(app, client):
    cid = make_contest(app)
    login(client, app)
    page = client.get(f"/c/{cid}/setup/documents").get_data(as_text=True)
    for name, default in [("issuer", "ỦY BAN NHÂN DÂN HUYỆN KON RẪY"), ("place", "Kon Rẫy"),
                          ("signer_on_behalf", "TM. ỦY BAN NHÂN DÂN"), ("signer_deputy", "KT. CHỦ TỊCH"),
                          ("signer_title", "PHÓ CHỦ TỊCH"), ("signer_name", "…………………………"),
                          ("awarder", "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN KON RẪY"),
                          ("number_symbol", "      /QĐ-UBND"), ("report_to", "Sở Nội vụ"),
                          ("certificate_title", "GIẤY KHEN"), ("certificate_give", "TẶNG"),
                          ("issuer_parent", "(không in)")]:
        assert f'name="{name}" placeholder="{default}"' in page, name
    assert "Như Điều 3\nSở Nội vụ (b/c)" in page  # the recipients, one per line
    assert "Nghị định số 91/2017/NĐ-CP" in page  # the legal grounds of a 2023 contest
    form = read_form(client, f"/c/{cid}/setup/documents")
    assert form["draft"] == "y" and form["revision"] == str(revision(app, cid))
    assert all(not form[k].strip() for k in ("issuer", "signer_name", "recipients", "bases"))
    assert f'href="/c/{cid}/setup/documents" aria-current="page">Văn bản<' in page
    assert f'href="/c/{cid}/setup/documents"' in client.get(f"/c/{cid}/setup/info").get_data(as_text=True)
    assert f'href="/c/{cid}/setup/documents"' in client.get(f"/c/{cid}/documents").get_data(as_text=True)


def test_a_save_changes_the_decision_and_the_certificates(sqlite_app):
    from test_paperwork import _score_everything
    app, client = sqlite_app, sqlite_app.test_client()
    doc = demo_document()
    doc["contest"]["documents"] = {"date": "2023-09-16", "signer_title": "CHỦ TỊCH CŨ"}
    cid = make_contest(app, doc)
    _score_everything(client, app, cid)
    login(client, app)
    path = f"/c/{cid}/setup/documents"
    form = read_form(client, path)
    assert form["signer_title"] == "CHỦ TỊCH CŨ"  # what is stored is shown
    form.pop("draft")  # unticked
    form.update(signer_name="  Nguyễn   Thị Bích Hạnh ", signer_title="chủ tịch", signer_deputy="",
                recipients="Như Điều 3;\r\n\r\nSở Nội vụ (b/c)\r\nLưu: VT, NV.",
                certificate_title="Giấy chứng nhận", number_symbol="      /QĐ-BTC ")
    r = client.post(path, data=form)
    assert r.status_code == 302 and r.headers["Location"].endswith(path)
    assert revision(app, cid) == int(form["revision"]) + 1
    assert _documents(app, cid) == {
        "date": "2023-09-16",  # not edited here: kept
        "signer_name": "Nguyễn Thị Bích Hạnh", "signer_title": "chủ tịch",
        "recipients": ["Như Điều 3;", "Sở Nội vụ (b/c)", "Lưu: VT, NV."],
        "certificate_title": "Giấy chứng nhận", "number_symbol": "      /QĐ-BTC", "draft": False}
    assert _audit_actions(app, cid)[-1] == "documents.update"
    page = client.get(path).get_data(as_text=True)
    assert "Đã lưu tiêu đề, người ký và nơi nhận" in page
    assert 'name="signer_name" placeholder="…………………………" type="text" value="Nguyễn Thị Bích Hạnh"' in page
    assert 'name="signer_deputy" placeholder="KT. CHỦ TỊCH" type="text" value=""' in page

    decision = _built(app, cid, "quyet-dinh-khen-thuong.docx")
    assert "Nguyễn Thị Bích Hạnh" in decision and "CHỦ TỊCH" in decision
    assert "KT. CHỦ TỊCH" in decision  # left empty: the default
    assert "PHÓ CHỦ TỊCH" not in decision and "CHỦ TỊCH CŨ" not in decision
    assert "- Lưu: VT, NV." in decision and "/QĐ-BTC" in decision
    assert "Kon Rẫy, ngày 16 tháng 9 năm 2023" in decision  # the stored date was kept
    certificates = _built(app, cid, "giay-khen.pdf")
    assert "Nguyễn Thị Bích Hạnh" in certificates and "GIẤY CHỨNG NHẬN" in certificates
    assert "GIẤY KHEN" not in certificates

    # every field emptied: the defaults again, and nothing stored but the date
    form = read_form(client, path)
    empty = {k: "" for k in form if k not in ("csrf_token", "revision", "draft")}
    r = client.post(path, data=dict(form, **empty, draft="y"))
    assert r.status_code == 302
    assert _documents(app, cid) == {"date": "2023-09-16"}
    decision = _built(app, cid, "quyet-dinh-khen-thuong.docx")
    assert "PHÓ CHỦ TỊCH" in decision and "Nguyễn Thị Bích Hạnh" not in decision
    assert "…………………………" in decision and "Sở Nội vụ (b/c)" in decision
    assert "GIẤY KHEN" in _built(app, cid, "giay-khen.pdf")


def test_bad_input_is_refused_naming_the_setting(app, client):
    cid = make_contest(app)
    login(client, app)
    path = f"/c/{cid}/setup/documents"
    form = read_form(client, path)
    page = refused(client, app, cid, path, dict(form, signer_name="A" * 301, place="Đăk Tờ Re"),
                   "Họ tên người ký: dài quá 300 ký tự")
    assert 'value="Đăk Tờ Re"' in page  # what was typed is kept
    assert "Chưa lưu: hãy sửa các ô được đánh dấu." in errors_in(page)
    refused(client, app, cid, path, dict(form, recipients="\n".join(f"Nơi {i}" for i in range(41))),
            "Nơi nhận quyết định: nhiều quá 40 dòng")
    refused(client, app, cid, path, dict(form, bases="Căn cứ " + "x" * 1000), "Căn cứ: dòng 1 dài quá 1000 ký tự")
    refused(client, app, cid, path, dict(form, certificate_reason="x" * 301), "Lý do khen: dài quá 300 ký tự")
    refused(client, app, cid, path, dict(form, revision=""), "Thiếu số phiên bản")
    refused(client, app, cid, path, dict(form, csrf_token=""), "CSRF")
    assert client.post(path, data=dict(form, csrf_token="")).status_code == 400
    page = refused(client, app, cid, path, dict(form, signer_name="Trần Văn Mới",
                                                revision=str(int(form["revision"]) - 1)), STALE, status=409)
    assert 'value="Trần Văn Mới"' in page
    assert client.post(path, data=dict(form, signer_name="Trần Văn B")).status_code == 302
    refused(client, app, cid, path, dict(form, signer_name="Cũ"), STALE, status=409)  # the old form is stale now


def test_only_organisers_may_see_or_change_it(app):
    cid = make_contest(app)
    links = tokens_of(app, cid)
    path = f"/c/{cid}/setup/documents"
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 401
    head = app.test_client()
    head.get(f"/t/{links['judges']['j1']['token']}")  # the jury head may download, not edit
    assert head.get(path).status_code == 403
    before = snapshot(app, cid)
    assert head.post(path, data={"signer_name": "X", "revision": str(revision(app, cid))}).status_code in (400, 403)
    assert f'href="{path}"' not in head.get(f"/c/{cid}/documents").get_data(as_text=True)
    assert snapshot(app, cid) == before
    organiser = app.test_client()
    organiser.get(f"/t/{links['organiser']['token']}")  # the organisers' link works as the account does
    assert organiser.get(path).status_code == 200


def test_the_same_over_the_api(app, client):
    cid = make_contest(app)
    organiser = bearer(tokens_of(app, cid)["organiser"]["token"])
    url = f"/api/v1/contests/{cid}/setup/documents"
    got = client.get(url, headers=organiser).get_json()
    assert got["documents"] == {} and got["defaults"]["signer_title"] == "PHÓ CHỦ TỊCH"
    assert got["defaults"]["draft"] is True and got["defaults"]["recipients"][0] == "Như Điều 3"
    before = snapshot(app, cid)
    for body, field in [({"signer_name": "x" * 301}, "signer_name"), ({"bases": [1, 2]}, "bases"),
                        ({"draft": "no"}, "draft"), ({"date": "2024-01-01"}, "date"),
                        ({"recipients": [f"N{i}" for i in range(41)]}, "recipients")]:
        r = client.put(url, json=body, headers=organiser)
        assert r.status_code == 400, (body, r.get_json())
        assert r.get_json()["error"]["field"] == field
    assert snapshot(app, cid) == before
    r = client.put(url, json={"signer_name": "Lê Văn C", "revision": got["revision"] - 1}, headers=organiser)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale"
    assert snapshot(app, cid) == before
    rev = revision(app, cid)
    r = client.put(url, json={"signer_name": "Lê Văn C", "report_to": "Sở Nội vụ tỉnh Kon Tum", "draft": None,
                              "revision": rev}, headers=organiser)
    assert r.status_code == 200 and r.get_json()["revision"] == rev + 1
    got = client.get(url, headers=organiser).get_json()
    assert got["documents"] == {"signer_name": "Lê Văn C", "report_to": "Sở Nội vụ tỉnh Kon Tum"}
    assert got["defaults"]["report_recipients"][0] == "Sở Nội vụ tỉnh Kon Tum (b/c)"  # follows report_to
    judge = bearer(tokens_of(app, cid)["judges"]["j1"]["token"])
    assert client.put(url, json={}, headers=judge).status_code == 403
    assert client.get(url).status_code == 401
