"""The documents of a contest: `hoithi documents` and the download page, from live data."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from conftest import bearer, demo_document, make_contest, tokens_of


def _score_everything(client, app, cid):
    """Every judge scores every team on every part (a finished contest)."""
    links = tokens_of(app, cid)
    doc = demo_document()["contest"]
    for n, (jkey, judge) in enumerate(links["judges"].items()):
        for t, team in enumerate(doc["teams"]):
            for part in doc["rules"]["parts"]:
                criteria = {c["key"]: max(0, c["max"] - t * 0.5 - (n % 2) * 0.5) for c in part["criteria"]}
                r = client.post(f"/api/v1/contests/{cid}/scores", headers=bearer(judge["token"]),
                                json={"team": team["key"], "part": part["key"], "criteria": criteria,
                                      "id": f"{jkey}-{team['key']}-{part['key']}"})
                assert r.status_code in (200, 201), r.get_json()


def test_documents_page_serves_every_document(sqlite_app):
    from contest.services.paperwork import CATALOGUE
    client = sqlite_app.test_client()
    cid = make_contest(sqlite_app)
    _score_everything(client, sqlite_app, cid)
    organiser = tokens_of(sqlite_app, cid)["organiser"]["token"]
    for kind in ("questions", "order"):  # lots are always sealed before the day
        r = client.post(f"/api/v1/contests/{cid}/seal", json={"kind": kind}, headers=bearer(organiser))
        assert r.status_code == 200, r.get_json()
    client.get(f"/t/{organiser}")
    page = client.get(f"/c/{cid}/documents")
    assert page.status_code == 200
    for name in CATALOGUE:
        r = client.get(f"/c/{cid}/documents/{name}")
        assert r.status_code == 200, name
        assert len(r.data) > 1000
    import docx
    decision = docx.Document(io.BytesIO(client.get(f"/c/{cid}/documents/quyet-dinh-khen-thuong.docx").data))
    text = "\n".join(p.text for p in decision.paragraphs) + "\n".join(
        c.text for t in decision.tables for row in t.rows for c in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Đội Thị trấn Đăk Rve" in text
    assert client.get(f"/c/{cid}/documents/nope.pdf").status_code == 404


def test_documents_page_is_for_organisers_and_the_jury_head(sqlite_app):
    cid = make_contest(sqlite_app)
    links = tokens_of(sqlite_app, cid)
    anonymous = sqlite_app.test_client()
    assert anonymous.get(f"/c/{cid}/documents").status_code == 401
    judge = sqlite_app.test_client()
    judge.get(f"/t/{links['judges']['j2']['token']}")
    assert judge.get(f"/c/{cid}/documents").status_code == 403
    head = sqlite_app.test_client()
    head.get(f"/t/{links['judges']['j1']['token']}")  # j1 is the jury head in the demo
    assert head.get(f"/c/{cid}/documents").status_code == 200


def test_hoithi_documents_writes_every_file(tmp_path, monkeypatch):
    monkeypatch.setenv("HOITHI_INSTANCE_PATH", str(tmp_path / "instance"))
    db = f"sqlite:///{tmp_path / 'd.sqlite'}"
    (tmp_path / "demo.json").write_text(json.dumps(demo_document(), ensure_ascii=False), encoding="utf-8")
    from contest.cli import main
    runner = CliRunner()
    cid = json.loads(runner.invoke(main, ["import", str(tmp_path / "demo.json"), "--json", "--db", db]).output)["contest"]
    out = tmp_path / "docs"
    result = runner.invoke(main, ["documents", str(cid), str(out), "--json", "--db", db])
    assert result.exit_code == 0, result.output
    files = {p.split("/")[-1] for p in json.loads(result.output)["files"]}
    assert {"danh-sach-doi.docx", "danh-sach-doi.xlsx", "bien-ban-ket-qua.docx", "quyet-dinh-khen-thuong.docx",
            "bao-cao-ket-qua.docx"} <= files
    assert any(f.startswith("phieu-cham-") and f.endswith(".pdf") for f in files)
    from pypdf import PdfReader
    sheet = next(out.glob("phieu-cham-*.pdf"))
    reader = PdfReader(str(sheet))
    assert "Đội Thị trấn Đăk Rve" in reader.pages[0].extract_text()
    bad = runner.invoke(main, ["documents", "99", str(out), "--db", db])
    assert bad.exit_code == 2


@pytest.mark.parametrize("name", ["giay-khen.pdf"])
def test_certificates_embed_their_font(sqlite_app, name):
    from pypdf import PdfReader
    client = sqlite_app.test_client()
    cid = make_contest(sqlite_app)
    _score_everything(client, sqlite_app, cid)
    client.get(f"/t/{tokens_of(sqlite_app, cid)['organiser']['token']}")
    data = client.get(f"/c/{cid}/documents/{name}").data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 7  # 7 collective + special + individual awards at most
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        descriptor = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor
