"""The question bank in a real browser: an office submits by typing and by file and sees its
statuses; the secretary approves and rejects (a reason is required); after seal, draw and
reveal the public verify page recomputes the commitment with the page's own JS SHA-256."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"bank-{name}.png"), full_page=False)


def office_file() -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    ws = book.active
    ws.append(["DANH SÁCH CÂU HỎI - PHÒNG NỘI VỤ"])
    ws.append([])
    ws.append(["STT", "Câu hỏi", "Đáp án", "Lĩnh vực", "Điểm"])
    ws.append([1, "Bộ phận Một cửa cấp huyện đặt tại cơ quan nào?", "Văn phòng HĐND và UBND huyện",
               "Cải cách thủ tục hành chính", "20,0"])
    ws.append([2, "Thời hạn công bố thủ tục hành chính là bao lâu trước ngày có hiệu lực?",
               "Chậm nhất 20 ngày", "Cải cách thủ tục hành chính", 20])
    ws.append([3, "Câu hỏi này thiếu đáp án", "", "Cải cách thể chế", 20])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_office_submits_secretary_reviews_and_verify_matches(server, context, tmp_path):
    from support import organiser_login
    errors: list[str] = []
    office = context.new_page()
    office.set_viewport_size({"width": 1366, "height": 768})
    office.on("pageerror", lambda e: errors.append(str(e)))
    office.goto(server.links["offices"]["phong-noi-vu"]["url"])
    assert office.url.endswith(f"/c/{server.contest}/office")
    assert "Phòng Nội vụ" in office.locator("h1").inner_text()
    shot(office, "office")

    # Type an open question (points with a decimal comma).
    office.fill("#q-text", "Quy chế văn hóa công vụ được ban hành kèm theo văn bản nào?")
    office.fill("#q-answer", "Quyết định số 1847/QĐ-TTg ngày 27/12/2018 của Thủ tướng Chính phủ.")
    office.fill("#q-field", "Cải cách chế độ công vụ")
    office.fill("#q-points", "20,5")
    office.click("button:has-text('Gửi câu hỏi')")
    office.wait_for_selector(".flash-success")
    row = office.locator("tr", has_text="Quy chế văn hóa công vụ")
    assert "Chờ duyệt" in row.inner_text()
    assert "20,5" in row.inner_text()

    # A multiple-choice question: the choices appear only for that kind.
    assert office.locator(".choices").is_hidden()
    office.check("input[name=kind][value=choice]")
    assert office.locator(".choices").is_visible()
    office.fill("#q-text", "Cơ quan nào chủ trì công tác cải cách hành chính cấp huyện?")
    inputs = office.locator("input[name=choices]")
    for i, text in enumerate(["Phòng Nội vụ", "Văn phòng HĐND và UBND", "Phòng Tư pháp", "Thanh tra huyện"]):
        inputs.nth(i).fill(text)
    # Forgetting the answer letter: refused, the typed text kept, the error next to the field.
    office.click("button:has-text('Gửi câu hỏi')")
    office.wait_for_selector(".field-error")
    assert "Đáp án" in office.locator(".field-error").first.inner_text()
    assert office.locator("#q-text").input_value().startswith("Cơ quan nào chủ trì")
    office.select_option("select[name=answer_letter]", "A")
    office.click("button:has-text('Gửi câu hỏi')")
    office.wait_for_selector(".flash-success")

    # Upload a file with a bad row: nothing written, then "import the good rows".
    path = tmp_path / "cau-hoi-noi-vu.xlsx"
    path.write_bytes(office_file())
    office.set_input_files("#upload-file", str(path))
    office.click("button:has-text('Gửi tệp')")
    office.wait_for_selector(".import-report")
    report = office.locator(".import-report").inner_text()
    assert "Chưa nhập gì" in report and "Dòng 6" in report
    shot(office, "office-upload-report")
    office.click("button:has-text('Nhập các dòng hợp lệ')")
    office.wait_for_selector(".import-report .flash-success")
    assert "Đã nhập 2 câu hỏi" in office.locator(".import-report").inner_text()
    assert office.locator("tr", has_text="Bộ phận Một cửa cấp huyện").count() == 1

    # The secretary reviews: approve one, reject one (a reason is required).
    sec = context.browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768}).new_page()
    sec.on("pageerror", lambda e: errors.append(str(e)))
    organiser_login(sec, server)
    sec.goto(f"{server.url}/c/{server.contest}/questions?status=submitted")
    shot(sec, "review")
    row = sec.locator("tr", has_text="Quy chế văn hóa công vụ")
    row.locator("button.btn-approve").click()
    sec.wait_for_selector(".flash-success")
    row = sec.locator("tr", has_text="Bộ phận Một cửa cấp huyện")
    row.locator("summary:has-text('Không duyệt')").click()
    row.locator("button.btn-danger:has-text('Không duyệt')").click()
    sec.wait_for_selector(".reject-form .field-error")
    assert "Lý do" in sec.locator(".reject-form .field-error").inner_text()
    shot(sec, "review-reject-error")
    row = sec.locator("tr", has_text="Bộ phận Một cửa cấp huyện")
    row.locator("textarea[name=reason]").fill("Trùng nội dung với câu q5 đã có")
    row.locator("button.btn-danger:has-text('Không duyệt')").click()
    sec.wait_for_selector(".flash-success")
    # Diacritics-insensitive search.
    sec.goto(f"{server.url}/c/{server.contest}/questions?q=QUY+CHE+van+hoa+cong+vu+ban+hanh")
    assert sec.locator(".bank-table tbody tr").count() == 1
    assert "Đã duyệt" in sec.locator(".bank-table tbody tr").inner_text()

    # The office sees the decisions, with the reason.
    office.goto(f"{server.url}/c/{server.contest}/office")
    approved = office.locator("tr", has_text="Quy chế văn hóa công vụ").inner_text()
    rejected = office.locator("tr", has_text="Bộ phận Một cửa cấp huyện").inner_text()
    assert "Đã duyệt" in approved and "Sửa" not in approved
    assert "Không duyệt" in rejected and "Trùng nội dung với câu q5" in rejected
    office.locator("#sent").scroll_into_view_if_needed()
    shot(office, "office-statuses")

    # Seal on the screen (confirm once), draw through the API, reveal.
    sec.goto(f"{server.url}/c/{server.contest}/questions#draw")
    sec.click("button:has-text('Niêm phong lá thăm')")
    sec.click("dialog button:has-text('Đồng ý')")
    sec.wait_for_selector("#commitment")
    commitment = sec.locator("#commitment").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", commitment)
    shot(sec, "review-sealed")
    mc = server.links["mc"]["token"]
    api = f"{server.url}/api/v1/contests/{server.contest}/draws"
    r = requests.post(api, json={"team": "dak-rve", "lot": 3}, headers={"Authorization": f"Bearer {mc}"}, timeout=10)
    assert r.status_code == 201, r.text
    again = requests.post(api, json={"team": "dak-koi", "lot": 3}, headers={"Authorization": f"Bearer {mc}"}, timeout=10)
    assert again.status_code == 409
    sec.goto(f"{server.url}/c/{server.contest}/questions#draw")
    sec.click("button:has-text('Công bố sau hội thi')")
    sec.click("dialog button:has-text('Đồng ý')")
    sec.wait_for_selector(".flash-success")

    # Anyone: the verify page recomputes the commitment in the browser.
    public = context.browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768}).new_page()
    public.on("pageerror", lambda e: errors.append(str(e)))
    public.goto(f"{server.url}/c/{server.contest}/verify")
    result = public.locator(".verify-card[data-kind=questions] .verify-result")
    result.wait_for()
    assert result.get_attribute("data-state") == "match"
    assert "Khớp" in result.inner_text()
    shot(public, "verify")
    draws = requests.get(api, timeout=10).json()
    reveal = draws["reveal"]
    payload = json.dumps({"lots": reveal["lots"], "salt": reveal["salt"]}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False).encode()
    computed_in_python = hashlib.sha256(payload).hexdigest()
    assert computed_in_python == draws["commitment"] == commitment
    assert commitment in result.inner_text() or computed_in_python in result.inner_text()
    # The page's JS agrees with Python on a tampered reveal too: it says "không khớp".
    public.fill("#m-lots", json.dumps(dict(reveal["lots"], **{"1": reveal["lots"]["2"], "2": reveal["lots"]["1"]})))
    public.click("#manual-verify button")
    assert public.locator("#manual-result").get_attribute("data-state") == "mismatch"
    # The pure-JS SHA-256 and canonical JSON agree with Python beyond ASCII and one block.
    sample = {"lots": {"1": "câu-ế", "10": "ự\n\"x\"", "2": "Ằ" * 70}, "salt": "0" * 32}
    in_js = public.evaluate("""async (sample) => {
        const v = await import('/static/js/verify.js');
        return v.computeCommitment(sample.lots, sample.salt);
    }""", sample)
    assert in_js == hashlib.sha256(json.dumps(sample, sort_keys=True, separators=(",", ":"),
                                              ensure_ascii=False).encode()).hexdigest()
    assert not errors, errors
