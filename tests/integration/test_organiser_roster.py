"""Units, teams, members and judges on the organisers' screens: the limits of the rules, keys,
names, the jury head, and refusals that name the team and write nothing."""

from __future__ import annotations

import unicodedata

from conftest import login, make_contest
from test_organiser_support import errors_in, read_form, refused, row_id, snapshot

STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"


def _member_form(client, cid, team_id):
    return read_form(client, f"/c/{cid}/setup/teams/{team_id}",
                     action=f"/c/{cid}/setup/teams/{team_id}/members")


def test_thirteenth_member_and_fifth_guest_are_refused(app, client):
    cid = make_contest(app)
    login(client, app)
    full = row_id(app, "Team", cid, key="dak-to-lung")  # 12 members and 4 guests already
    path = f"/c/{cid}/setup/teams/{full}/members"
    form = dict(_member_form(client, cid, full), name="Nguyễn Văn Mười Ba", position="Công chức",
                workplace="UBND xã", kind="member", roles=["skit"])
    page = refused(client, app, cid, path, form,
                   "Đội Xã Đăk Tơ Lung có 13 thành viên, vượt quá tối đa 12 theo thể lệ")
    assert 'value="Nguyễn Văn Mười Ba"' in page  # the form keeps what was typed
    refused(client, app, cid, path, dict(form, kind="guest"),
            "Đội Xã Đăk Tơ Lung có 5 người được mời phối hợp, vượt quá tối đa 4 theo thể lệ")
    # the stale form of another organiser is refused before anything else
    refused(client, app, cid, path, dict(form, revision="0"), STALE, status=409)


def test_member_form(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    cid = make_contest(app)
    login(client, app)
    team = row_id(app, "Team", cid, key="dak-rve")  # 10 members, 2 guests
    path = f"/c/{cid}/setup/teams/{team}/members"
    form = dict(_member_form(client, cid, team), kind="member")
    refused(client, app, cid, path, dict(form, name="   "), "Họ và tên: không được để trống")
    refused(client, app, cid, path, dict(form, name="Ông A", roles=["dance"]),
            "Đội Thị trấn Đăk Rve: thành viên 'Ông A' được phân vào phần thi 'dance' không có trong thể lệ")
    refused(client, app, cid, path, dict(form, name="Ông A", kind="boss"), "Loại 'boss' không hợp lệ")
    refused(client, app, cid, path, dict(form, name="Ông A", key="dak-koi-m1"),
            "Mã 'dak-koi-m1' đã được dùng cho thành viên khác")
    refused(client, app, cid, path, dict(form, name="Ông A", key="ông-a"), "chỉ gồm chữ không dấu")
    refused(client, app, cid, path, dict(form, name="Ông A", position="x" * 301), "Dài quá 300 ký tự")
    refused(client, app, cid, path, dict(form, name="Ông A", csrf_token=""), "CSRF")

    # a good one: NFD input is stored NFC, trimmed, key made from the name
    nfd = unicodedata.normalize("NFD", "  Hồ   Thị Ngọc Ánh ")
    r = client.post(path, data=dict(form, name=nfd, position=" Công chức Tư pháp ", workplace="UBND TT",
                                    kind="guest", roles=["skit", "quiz"]))
    assert r.status_code == 302, errors_in(r.get_data(as_text=True))
    from contest.extensions import db
    from contest.models import AuditEntry, Member
    with app.app_context():
        m = db.session.query(Member).filter_by(contest_id=cid, key="ho-thi-ngoc-anh").one()
        assert (m.name, m.position_title, m.kind, m.roles) == ("Hồ Thị Ngọc Ánh", "Công chức Tư pháp",
                                                                "guest", ["skit", "quiz"])
        mid = m.id
        assert db.session.query(AuditEntry).filter_by(contest_id=cid, action="member.create").count() == 1
    # the same name again gets its own key
    form = dict(_member_form(client, cid, team), kind="member")
    r = client.post(path, data=dict(form, name="Hồ Thị Ngọc Ánh"))
    assert r.status_code == 302
    assert row_id(app, "Member", cid, key="ho-thi-ngoc-anh-2")

    # edit: the key stays; a member's edit is checked against the team too
    edit = f"/c/{cid}/setup/teams/{team}/members/{mid}"
    eform = read_form(client, edit, has="name")
    assert eform["kind"] == "guest" and eform["roles"] == ["skit", "quiz"]
    refused(client, app, cid, edit, dict(eform, roles="nope"), "phần thi 'nope' không có trong thể lệ")
    r = client.post(edit, data=dict(eform, name="Hồ Thị Ánh", key="changed", roles="intro"))
    assert r.status_code == 302
    with app.app_context():
        m = db.session.get(Member, mid)
        assert (m.key, m.name, m.roles) == ("ho-thi-ngoc-anh", "Hồ Thị Ánh", ["intro"])

    # the team page sorts names the Vietnamese way and shows them
    page = client.get(f"/c/{cid}/setup/teams/{team}").get_data(as_text=True)
    assert "Hồ Thị Ánh" in page and 'data-sort-value=' in page

    # delete
    actions = read_form(client, f"/c/{cid}/setup/teams/{team}", action=f"{edit}/delete")
    r = client.post(f"{edit}/delete", data=actions)
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Member, mid) is None


def test_units_and_teams(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    cid = make_contest(app)
    login(client, app)
    units = f"/c/{cid}/setup/units"
    uform = read_form(client, f"/c/{cid}/setup/teams", action=units)
    refused(client, app, cid, units, dict(uform, name=""), "Tên đơn vị: không được để trống")
    refused(client, app, cid, units, dict(uform, name="xã đăk kôi"), "Đã có đơn vị 'xã đăk kôi'")
    refused(client, app, cid, units, dict(uform, name="Xã Mới", key="dak-koi"), "Mã 'dak-koi' đã được dùng")
    r = client.post(units, data=dict(uform, name="Xã Đăk Kan"))
    assert r.status_code == 302
    unit = row_id(app, "Unit", cid, key="xa-dak-kan")
    assert unit

    teams = f"/c/{cid}/setup/teams"
    tform = read_form(client, teams, action=teams)
    refused(client, app, cid, teams, dict(tform, name=" "), "Tên đội: không được để trống")
    refused(client, app, cid, teams, dict(tform, name="Đội Xã Đăk Kôi"), "Đã có đội 'Đội Xã Đăk Kôi'")
    refused(client, app, cid, teams, dict(tform, name="Đội Mới", unit="99999"), "Đơn vị không có trong hội thi này")
    refused(client, app, cid, teams, dict(tform, name="Đội Mới", key="tan-lap"), "Mã 'tan-lap' đã được dùng cho đội khác")
    r = client.post(teams, data=dict(tform, name="Đội Xã Đăk Kan", unit=str(unit)))
    assert r.status_code == 302
    team = row_id(app, "Team", cid, key="doi-xa-dak-kan")
    assert r.headers["Location"].endswith(f"/c/{cid}/setup/teams/{team}")

    # edit a unit and a team
    path = f"/c/{cid}/setup/units/{unit}"
    eform = read_form(client, path, has="name")
    refused(client, app, cid, path, dict(eform, name="Xã Tân Lập"), "Đã có đơn vị 'Xã Tân Lập'")
    assert client.post(path, data=dict(eform, name="Xã Đăk Kan (mới)")).status_code == 302
    path = f"/c/{cid}/setup/teams/{team}"
    eform = read_form(client, path, action="")
    assert eform["unit"] == str(unit)
    refused(client, app, cid, path, dict(eform, name=""), "Tên đội: không được để trống")
    assert client.post(path, data=dict(eform, name="Đội Xã Đăk Kan", unit="")).status_code == 302
    from contest.extensions import db
    from contest.models import Team
    with app.app_context():
        assert db.session.get(Team, team).unit_id is None
    assert "Đội Xã Đăk Kan chưa gắn với đơn vị" in client.get(f"/c/{cid}/setup").get_data(as_text=True)
    assert client.post(path, data=dict(read_form(client, path, action=""), unit=str(unit))).status_code == 302

    # the checklist names the team without members
    assert "Đội Xã Đăk Kan chưa có thành viên" in client.get(f"/c/{cid}/setup").get_data(as_text=True)

    # a unit with a team cannot go; a team can
    actions = read_form(client, teams, action=f"/c/{cid}/setup/units/{unit}/delete")
    refused(client, app, cid, f"/c/{cid}/setup/units/{unit}/delete", actions,
            "Đơn vị 'Xã Đăk Kan (mới)' đang có đội: Đội Xã Đăk Kan")
    r = client.post(f"/c/{cid}/setup/teams/{team}/delete", data=actions)
    assert r.status_code == 302
    r = client.post(f"/c/{cid}/setup/units/{unit}/delete", data=dict(actions, revision=str(int(actions["revision"]) + 1)))
    assert r.status_code == 302
    assert row_id(app, "Unit", cid, key="xa-dak-kan") is None

    # a team with score sheets cannot be deleted
    from contest.models import ScoreSheet
    scored = row_id(app, "Team", cid, key="dak-koi")
    with app.app_context():
        db.session.add(ScoreSheet(contest_id=cid, judge_id=row_id(app, "Judge", cid, key="j2"), team_id=scored,
                                  part_key="intro", criteria={"content": 5, "delivery": 5}, total=10,
                                  client_id="t-1"))
        db.session.commit()
    actions = read_form(client, teams, action=f"/c/{cid}/setup/teams/{scored}/delete")
    refused(client, app, cid, f"/c/{cid}/setup/teams/{scored}/delete", actions,
            "Đội Xã Đăk Kôi đã có 1 phiếu chấm; không thể xóa")
    judges = f"/c/{cid}/setup/judges"
    j2 = row_id(app, "Judge", cid, key="j2")
    actions = read_form(client, judges, action=f"{judges}/{j2}/delete")
    refused(client, app, cid, f"{judges}/{j2}/delete", actions, "Giám khảo 'Lê Thị Hồng' đã có 1 phiếu chấm")


def test_judges_and_the_jury_head(app, client):
    cid = make_contest(app)
    login(client, app)
    path = f"/c/{cid}/setup/judges"
    form = read_form(client, path, action="")
    refused(client, app, cid, path, dict(form, name=""), "Họ và tên: không được để trống")
    refused(client, app, cid, path, dict(form, name="Bà Mới", key="j1"), "Mã 'j1' đã được dùng cho giám khảo khác")
    refused(client, app, cid, path, dict(form, name="Bà Mới", revision="0"), STALE, status=409)

    # a new judge made head: the flag moves from the previous head, and the page says so
    r = client.post(path, data=dict(form, name="Nguyễn Thị Lan", title="Phó Trưởng phòng", head="y"),
                    follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Trưởng ban giám khảo chuyển từ Đinh Văn Thành sang Nguyễn Thị Lan" in page
    from contest.extensions import db
    from contest.models import Judge
    from contest.services.links import links
    with app.app_context():
        heads = [j.key for j in db.session.query(Judge).filter_by(contest_id=cid, head=True)]
        assert heads == ["nguyen-thi-lan"]
        assert "nguyen-thi-lan" in links(cid, "http://x")["judges"]  # its token, made in the same transaction

    # no head at all: the checklist says so
    lan = row_id(app, "Judge", cid, key="nguyen-thi-lan")
    eform = read_form(client, f"{path}/{lan}", has="name")
    assert eform["head"] == "y"
    eform.pop("head")
    r = client.post(f"{path}/{lan}", data=eform)
    assert r.status_code == 302
    assert "Chưa có Trưởng ban giám khảo" in client.get(f"/c/{cid}/setup").get_data(as_text=True)

    # deleting a judge revokes their link
    with app.app_context():
        token = links(cid, "http://x")["judges"]["nguyen-thi-lan"]["token"]
    assert client.get(f"/t/{token}").status_code == 302
    actions = read_form(client, path, action=f"{path}/{lan}/delete")
    before = snapshot(app, cid)
    r = client.post(f"{path}/{lan}/delete", data=actions)
    assert r.status_code == 302 and snapshot(app, cid) != before
    assert client.get(f"/t/{token}").status_code == 404
