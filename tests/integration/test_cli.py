"""The `hoithi` command: import, export, tokens; bad documents exit 2 and write nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import demo_document


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("HOITHI_INSTANCE_PATH", str(tmp_path / "instance"))
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    runner = CliRunner()

    def run(*args: str):
        from contest.cli import main
        return runner.invoke(main, [*args, "--db", db], catch_exceptions=False)
    return run


def write(tmp_path, name, doc) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False) if not isinstance(doc, str) else doc, encoding="utf-8")
    return str(path)



def test_import_export_round_trip(cli, tmp_path):
    result = cli("import", write(tmp_path, "demo.json", demo_document()), "--json")
    assert result.exit_code == 0, result.output
    cid = json.loads(result.output)["contest"]
    out = tmp_path / "export.json"
    assert cli("export", str(cid), str(out), "--json").exit_code == 0
    exported = json.loads(out.read_text())
    again = json.loads(cli("import", str(out), "--json").output)["contest"]
    out2 = tmp_path / "export2.json"
    cli("export", str(again), str(out2))
    assert json.loads(out2.read_text()) == exported


def test_tokens_json(cli, tmp_path):
    cid = json.loads(cli("import", write(tmp_path, "demo.json", demo_document()), "--json").output)["contest"]
    links = json.loads(cli("tokens", str(cid), "--json").output)
    assert {"audience", "projector", "mc", "organiser", "judges", "offices"} <= set(links)
    assert set(links["judges"]) == {"j1", "j2", "j3", "j4", "j5"}
    assert all(len(v["token"]) >= 22 for v in links["judges"].values())
    assert links["offices"], "every contributing office gets a link"
    text = cli("tokens", str(cid)).output
    for entry in [*links["judges"].values(), *links["offices"].values(), links["mc"], links["organiser"]]:
        assert entry["url"] in text
    assert "Cơ quan soạn câu hỏi (Phòng Nội vụ)" in text


def _bad(doc_change):
    doc = demo_document()
    doc_change(doc["contest"])
    return doc


BAD = [
    ("thirteenth member", lambda c: c["teams"][2]["members"].insert(0, dict(c["teams"][2]["members"][0], key="extra")),
     "contest.teams[2].members: Đội Xã Đăk Tơ Lung có 13 thành viên"),
    ("fifth guest", lambda c: c["teams"][2]["members"].append(
        dict(c["teams"][2]["members"][-1], key="g5", kind="guest")), "người được mời"),
    ("missing name", lambda c: c["teams"][1]["members"][0].pop("name"), "contest.teams[1].members[0].name"),
    ("negative maximum", lambda c: c["rules"]["parts"][0]["criteria"][0].update(max=-1),
     "contest.rules.parts[0].criteria[0].max"),
    ("non-numeric maximum", lambda c: c["rules"]["parts"][0]["criteria"][0].update(max="mười"),
     "contest.rules.parts[0].criteria[0].max"),
    ("unknown part in roles", lambda c: c["teams"][0]["members"][0].update(roles=["dance"]), "dance"),
    ("duplicate team key", lambda c: c["teams"][1].update(key=c["teams"][0]["key"]), "contest.teams[1].key"),
    ("duplicate judge key", lambda c: c["judges"][1].update(key="j1"), "contest.judges[1].key"),
    ("two jury heads", lambda c: c["judges"][1].update(head=True), "contest.judges: chỉ được có một Trưởng ban"),
]


@pytest.mark.parametrize("name, change, needle", BAD, ids=[b[0] for b in BAD])
def test_bad_documents_exit_2_and_write_nothing(cli, tmp_path, name, change, needle):
    result = cli("import", write(tmp_path, "bad.json", _bad(change)), "--json")
    assert result.exit_code == 2
    assert needle in result.stderr if hasattr(result, "stderr") else needle in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    # nothing written: a good import afterwards gets contest 1
    good = cli("import", write(tmp_path, "good.json", demo_document()), "--json")
    assert json.loads(good.output)["contest"] == 1


@pytest.mark.parametrize("content, needle", [
    ("{not json", "JSON"),
    ('{"format": "hoithi/2", "contest": {}}', "format"),
    ("[]", "(document)"),
])
def test_broken_json(cli, tmp_path, content, needle):
    result = cli("import", write(tmp_path, "broken.json", content))
    assert result.exit_code == 2
    assert needle in result.stderr


def test_broken_and_oversized_xlsx(cli, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"this is not a spreadsheet")
    result = cli("import", str(fake))
    assert result.exit_code == 2 and "fake.xlsx" in result.stderr
    missing = cli("import", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "nope.json" in missing.stderr


def test_unknown_contest(cli, tmp_path):
    result = cli("tokens", "99", "--json")
    assert result.exit_code == 2
    assert "99" in result.stderr
