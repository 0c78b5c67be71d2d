"""English as the second language on every screen.

Each screen is fetched as the role that uses it, with ``?lang=en`` and with the default: in
English a known English string is there and the Vietnamese one is not; by default it is the
other way round. The scripts' messages: every ``_t('…')`` / ``pt('…', '…')`` a page's scripts
use (with the modules they import) is in that page's ``#i18n`` dictionary in English, and the
dictionary is empty in Vietnamese. The catalogue: every message has its English."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from babel.messages.pofile import read_po
from conftest import login, make_contest, tokens_of
from test_organiser_support import read_form

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static" / "js"

# (who, path, English that must show, the Vietnamese it replaces)
SCREENS = [
    ("anon", "/", "Follow live", "Theo dõi trực tiếp"),
    ("anon", "/login", "Organiser sign-in", "Đăng nhập Ban Tổ chức"),
    ("organiser", "/setup", "New contest", "Tạo hội thi mới"),
    ("organiser", "/c/{cid}/setup", "Preparation steps", "Các bước chuẩn bị"),
    ("organiser", "/c/{cid}/setup/info", "On a computer you can type day/month/year",
     "Trên máy tính có thể gõ ngày/tháng/năm"),
    ("organiser", "/c/{cid}/setup/rules", "General rules", "Quy định chung"),
    ("organiser", "/c/{cid}/setup/rules/parts/0", "Scoring criteria", "Tiêu chí chấm điểm"),
    ("organiser", "/c/{cid}/setup/rules/parts/new", "Add a round", "Thêm phần thi"),
    ("organiser", "/c/{cid}/setup/rules/prizes", "Team prizes (by rank)", "Giải tập thể (theo thứ hạng)"),
    ("organiser", "/c/{cid}/setup/programme", "Ceremony programme", "Chương trình buổi lễ"),
    ("organiser", "/c/{cid}/setup/teams", "Participating units", "Đơn vị dự thi"),
    ("organiser", "/c/{cid}/setup/teams/{team}", "Add a person to the team", "Thêm người vào đội"),
    ("organiser", "/c/{cid}/setup/teams/{team}/members/{member}", "Performs in the rounds",
     "Biểu diễn ở phần thi"),
    ("organiser", "/c/{cid}/setup/units/{unit}", "Unit name (commune, township)", "Tên đơn vị (xã, thị trấn)"),
    ("organiser", "/c/{cid}/setup/judges", "Add a judge", "Thêm giám khảo"),
    ("organiser", "/c/{cid}/setup/judges/{judge_id}", "There is only one head of the jury",
     "Chỉ có một Trưởng ban"),
    ("organiser", "/c/{cid}/setup/links", "Revoke and issue a new code", "Thu hồi và cấp mã mới"),
    ("organiser", "/c/{cid}/setup/cards", "cut along the dashed lines", "cắt theo đường nét đứt"),
    ("organiser", "/c/{cid}/setup/documents", "Signer's title", "Chức vụ người ký"),
    ("anon", "/c/{cid}", "Order of performance", "Thứ tự dự thi"),
    ("anon", "/c/{cid}/projector", "Scan to follow on your phone", "Quét mã để theo dõi trên điện thoại"),
    ("mc", "/c/{cid}/mc", "Scoreboard for the audience", "Bảng điểm cho khán giả"),
    ("judge", "/c/{cid}/judge", "Send scores", "Gửi điểm"),
    ("head", "/c/{cid}/jury", "Ties to decide", "Đồng hạng cần quyết định"),
    ("organiser", "/c/{cid}/jury", "The Organising Committee can view and lock",
     "Ban Tổ chức xem và khoá được"),
    ("organiser", "/c/{cid}/paper", "Enter paper score sheets", "Nhập phiếu chấm giấy"),
    ("organiser", "/c/{cid}/questions", "Sealing and drawing", "Niêm phong và bốc thăm"),
    ("organiser", "/c/{cid}/questions/q1/edit", "Legal basis (legal document)", "Căn cứ (văn bản pháp lý)"),
    ("organiser", "/c/{cid}/questions/offices/cards", "Print this page (Ctrl+P)", "In trang này (Ctrl+P)"),
    ("office", "/c/{cid}/office", "Write a new question", "Soạn câu hỏi mới"),
    ("anon", "/c/{cid}/verify", "Check other data yourself", "Tự kiểm tra với dữ liệu khác"),
    ("organiser", "/c/{cid}/documents", "Contest documents", "Tài liệu hội thi"),
    ("head", "/c/{cid}/documents", "Contest documents", "Tài liệu hội thi"),
    ("organiser", "/c/{cid}/audit", "Every score sheet change", "Mọi thay đổi phiếu chấm"),
]

# The page's own module, as its <script type="module" src=…> names it.
MODULE = re.compile(r'<script type="module" src="/static/js/([\w.-]+\.js)')
IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+['"]\./([\w.-]+\.js)['"]""", re.M)
CALL_T = re.compile(r"""\b_t\(\s*'((?:[^'\\]|\\.)*)'""")
CALL_PT = re.compile(r"""\bpt\(\s*'((?:[^'\\]|\\.)*)',\s*'((?:[^'\\]|\\.)*)'""")
BLOCK = re.compile(r'<script type="application/json" id="i18n">(.*?)</script>', re.S)


def _ids(app, cid: int) -> dict:
    from sqlalchemy import select

    from contest.extensions import db
    from contest.models import Judge, Member, Team, Unit
    with app.app_context():
        judges = db.session.scalars(select(Judge).where(Judge.contest_id == cid)).all()
        head = next(j for j in judges if j.head)
        other = next(j for j in judges if not j.head)
        team = db.session.scalars(select(Team).where(Team.contest_id == cid).order_by(Team.id)).first()
        member = db.session.scalars(select(Member).where(Member.team_id == team.id)).first()
        unit = db.session.scalars(select(Unit).where(Unit.contest_id == cid)).first()
        return {"cid": cid, "team": team.id, "member": member.id, "unit": unit.id,
                "judge_id": other.id, "head_key": head.key, "judge_key": other.key}


def _clients(app) -> tuple[dict, dict]:
    cid = make_contest(app)
    ids = _ids(app, cid)
    links = tokens_of(app, cid)

    def signed_in(token: str):
        client = app.test_client()
        assert client.get(f"/t/{token}").status_code == 302
        return client

    clients = {"anon": app.test_client(), "organiser": login(app.test_client(), app),
               "mc": signed_in(links["mc"]["token"]),
               "judge": signed_in(links["judges"][ids["judge_key"]]["token"]),
               "head": signed_in(links["judges"][ids["head_key"]]["token"]),
               "office": signed_in(next(iter(links["offices"].values()))["token"])}
    return clients, ids


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_every_screen_speaks_english_on_request_and_vietnamese_by_default(app):
    clients, ids = _clients(app)
    failures = []
    for who, path, english, vietnamese in SCREENS:
        url = path.format(**ids)
        client = clients[who]
        en = client.get(url + "?lang=en")
        en_text = _text(en)
        if en.status_code != 200 or english not in en_text or vietnamese in en_text \
                or '<html lang="en">' not in en_text:
            failures.append(f"{who} {url} ?lang=en: {en.status_code}, {english!r} "
                            f"{'missing' if english not in en_text else 'ok'}, {vietnamese!r} "
                            f"{'still there' if vietnamese in en_text else 'gone'}")
        vi = client.get(url + "?lang=vi")
        vi_text = _text(vi)
        if vi.status_code != 200 or vietnamese not in vi_text or english in vi_text:
            failures.append(f"{who} {url} ?lang=vi: {vi.status_code}, {vietnamese!r} expected")
    assert not failures, "\n".join(failures)


def test_the_default_is_vietnamese_and_the_choice_is_remembered(app):
    client = app.test_client()
    assert "Đăng nhập Ban Tổ chức" in _text(client.get("/"))
    assert '<html lang="vi">' in _text(client.get("/login"))
    client.get("/?lang=en")
    page = _text(client.get("/login"))
    assert "Organiser sign-in" in page and '<html lang="en">' in page
    assert 'href="?lang=vi"' in page                 # the way back
    client.get("/?lang=vi")
    assert "Đăng nhập Ban Tổ chức" in _text(client.get("/login"))
    assert "Organiser sign-in" not in _text(app.test_client().get("/login"))
    client.get("/?lang=xx")                           # unknown: ignored, the choice stays
    assert "Đăng nhập Ban Tổ chức" in _text(client.get("/login"))


def test_the_error_page_speaks_the_language_chosen(app):
    client = app.test_client()
    assert "Back to the home page" in _text(client.get("/c/999999?lang=en"))
    assert "Về trang chủ" in _text(client.get("/c/999999?lang=vi"))


def _closure(module: str) -> list[str]:
    seen, todo = [], [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        todo += IMPORT.findall((JS / name).read_text(encoding="utf-8"))
    return seen


def _messages(module: str) -> set[str]:
    """Every message the module and its imports translate, as the dictionary keys them."""
    keys: set[str] = set()
    for name in _closure(module):
        if name == "i18n.js":          # the library itself (its comments show examples)
            continue
        source = (JS / name).read_text(encoding="utf-8")
        keys |= {m.replace("\\'", "'") for m in CALL_T.findall(source)}
        keys |= {f"{c}\u0004{m}".replace("\\'", "'") for c, m in CALL_PT.findall(source)}
    return keys


def test_every_script_message_reaches_its_page_in_english(app):
    clients, ids = _clients(app)
    checked = set()
    for who, path, _, _ in SCREENS:
        url = path.format(**ids)
        page = clients[who].get(url + "?lang=en").get_data(as_text=True)
        modules = MODULE.findall(page)
        if not modules:
            continue
        blocks = BLOCK.findall(page)
        needed = set().union(*(_messages(m) for m in modules))
        if not needed:
            continue
        assert len(blocks) == 1, f"{url}: no #i18n dictionary for {modules}"
        table = json.loads(blocks[0])
        missing = sorted(needed - set(table))
        assert not missing, f"{url} ({', '.join(modules)}): not in templates/_i18n.html JS: {missing}"
        same = sorted(k for k in needed if table[k] == k.split("\u0004")[-1])
        assert not same, f"{url}: no English for {same}"
        vi = clients[who].get(url + "?lang=vi").get_data(as_text=True)
        assert json.loads(BLOCK.findall(vi)[0]) == {}, url
        checked.update(modules)
    assert {"mc.js", "projector.js", "audience.js", "judge.js", "jury.js", "bank.js", "verify.js",
            "organiser.js"} <= checked


def test_the_catalogue_has_english_for_every_message():
    po = ROOT / "contest" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale="en")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated and not fuzzy, (untranslated, fuzzy)
    mo = po.with_suffix(".mo")
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1, "messages.mo is older than messages.po"
    placeholders = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    wrong = [(m.id, m.string) for m in catalog if m.id
             and sorted(placeholders.findall(m.id)) != sorted(placeholders.findall(m.string))]
    assert not wrong, wrong


def test_form_labels_errors_and_flashes_in_english(app):
    clients, ids = _clients(app)
    client = clients["organiser"]
    cid = ids["cid"]
    rules = f"/c/{cid}/setup/rules"
    client.get("/?lang=en")
    page = _text(client.get(rules))
    assert "Maximum members per team" in page and "Median" in page and "Priority 1" in page
    form = read_form(client, rules, has="max_members")
    refused = client.post(rules, data=dict(form, max_members="mười"))
    assert refused.status_code == 400
    body = _text(refused)
    assert "Must be a number" in body and "Not saved: please correct the marked fields." in body
    assert "Phải là một số" not in body
    units = f"/c/{cid}/setup/units"
    added = client.post(units, data=dict(read_form(client, f"/c/{cid}/setup/teams", action=units),
                                         name="Xã Thử Nghiệm"))
    assert added.status_code == 302
    assert "Unit “Xã Thử Nghiệm” added." in _text(client.get(added.headers["Location"]))
    # the same flash in Vietnamese for a Vietnamese session
    client.get("/?lang=vi")
    added = client.post(units, data=dict(read_form(client, f"/c/{cid}/setup/teams", action=units),
                                         name="Xã Thử Hai"))
    assert "Đã thêm đơn vị “Xã Thử Hai”." in _text(client.get(added.headers["Location"]))


def test_data_labels_are_translated_but_data_is_not(app):
    clients, ids = _clients(app)
    client = clients["organiser"]
    setup = _text(client.get(f"/c/{ids['cid']}/setup?lang=en"))
    assert "Contest details" in setup and "Units and teams" in setup       # checklist titles
    assert "Hội thi Cải cách hành chính huyện Kon Rẫy năm 2023" in setup  # the contest's name
    documents = _text(client.get(f"/c/{ids['cid']}/documents?lang=en"))
    assert "Minutes of the results (Word)" in documents
    questions = _text(client.get(f"/c/{ids['cid']}/questions?lang=en"))
    assert "Approved" in questions and "Chờ duyệt" not in questions
    mc = _text(clients["mc"].get(f"/c/{ids['cid']}/mc?lang=en"))
    assert "Follow the stage" not in mc and "Start timer" in mc
    team = _text(client.get(f"/c/{ids['cid']}/setup/teams/{ids['team']}?lang=en"))
    assert ">Member<" in team and "Invited guest" in team
