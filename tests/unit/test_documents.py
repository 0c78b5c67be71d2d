"""The organisers' documents: every generated file opened with its own library (python-docx,
openpyxl, pypdf) and searched for the right names, amounts and Vietnamese text."""

from __future__ import annotations

import copy
import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook
from pypdf import PdfReader

from contest.documents import (
    MissingFontError, certificates_pdf, decision_docx, document_files, find_fonts, minutes_docx,
    minutes_xlsx, report_docx, roster_docx, roster_xlsx, score_sheets_pdf, write_documents,
)
from contest.documents.context import place_from, recipient_lines, two_lines
from contest.documents.words import money_words, number_words
from contest.documents.xlsx_files import safe
from documents_fixtures import make_allocation, make_doc, make_standings

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE_DATE = "Kon Rẫy, ngày 15 tháng 9 năm 2023"
TEAMS = ["Đội Thị trấn Đăk Rve", "Đội Xã Đăk Kôi", "Đội Xã Đăk Tơ Lung", "Đội Xã Đăk Ruồng",
         "Đội Xã Tân Lập", "Đội Xã Đăk Tờ Re", "Đội Xã Đăk Pne"]
JUDGES = ["Đinh Văn Thành", "Lê Thị Hồng", "Phạm Văn Khánh", "Y Thị Nga", "Trần Quốc Bảo"]
WINNERS = TEAMS + ["Trần Thị Bình", "Trần Thị Dung", "Đỗ Văn Long"]


# --------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def demo():
    doc = make_doc()
    return doc, make_standings(doc), make_allocation()


def docx_text(data: bytes) -> str:
    """Every paragraph of the body, tables included, one per line (line breaks too)."""
    body = Document(io.BytesIO(data)).element.body
    t, br = qn("w:t"), qn("w:br")
    return "\n".join("".join(e.text or "" if e.tag == t else "\n" for e in p.iter(t, br))
                     for p in body.iter(qn("w:p")))


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def assert_fonts_embedded(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            if font["/Subtype"] == "/Type0":
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            seen += 1
    assert seen


def sheet_text(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


# ----------------------------------------------------------------------- all documents
def test_write_documents_writes_every_document(tmp_path, demo):
    paths = write_documents(*demo, tmp_path / "out")
    names = [p.name for p in paths]
    assert names == ["danh-sach-doi.docx", "danh-sach-doi.xlsx",
                     *[f"phieu-cham-j{i}.pdf" for i in range(1, 6)],
                     "bien-ban-ket-qua.docx", "bien-ban-ket-qua.xlsx",
                     "quyet-dinh-khen-thuong.docx", "giay-khen.pdf", "bao-cao-ket-qua.docx"]
    assert all(p.is_file() and p.stat().st_size > 1000 and p.name.isascii() for p in paths)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(names)


def test_nothing_is_written_when_a_document_fails(tmp_path, demo):
    doc, standings, allocation = demo
    with pytest.raises(MissingFontError):
        write_documents(doc, standings, allocation, tmp_path / "out", fonts_dir=tmp_path)
    assert not (tmp_path / "out").exists()


def test_docx_layout_follows_decree_30(demo):
    doc, standings, allocation = demo
    for data in (roster_docx(doc), minutes_docx(doc, standings, allocation),
                 decision_docx(doc, allocation), report_docx(doc, standings, allocation)):
        d = Document(io.BytesIO(data))
        sec = d.sections[0]
        assert abs(sec.page_width - Mm(210)) < Mm(1) and abs(sec.page_height - Mm(297)) < Mm(1)
        mm = Mm(0.1)  # Word stores twips
        assert Mm(20) - mm <= sec.top_margin <= Mm(25) and Mm(20) - mm <= sec.bottom_margin <= Mm(25)
        assert Mm(30) - mm <= sec.left_margin <= Mm(35) and Mm(15) - mm <= sec.right_margin <= Mm(20)
        assert d.styles["Normal"].font.name == "Times New Roman"
        assert 13 <= d.styles["Normal"].font.size.pt <= 14
        header = d.tables[0]
        right = header.cell(0, 1).paragraphs
        assert right[0].text == NATIONAL
        assert all(r.bold for r in right[0].runs) and 12 <= right[0].runs[0].font.size.pt <= 13
        assert right[1].text == MOTTO and right[1].runs[0].bold
        assert right[1]._p.pPr.find(qn("w:pBdr")) is not None  # the rule under the motto
        date = header.cell(1, 1).paragraphs[0]
        assert date.text == PLACE_DATE and date.runs[0].italic
        fonts = {r.font.name for p in d.paragraphs for r in p.runs if r.font.name}
        assert fonts <= {"Times New Roman"}


# ----------------------------------------------------------------------------- rosters
def test_roster_docx_lists_every_team_and_member(demo):
    doc = demo[0]
    text = docx_text(roster_docx(doc))
    assert "DANH SÁCH CÁC ĐỘI THI" in text and NATIONAL in text and PLACE_DATE in text
    assert "UBND HUYỆN KON RẪY" in text and "BAN TỔ CHỨC HỘI THI" in text
    for team in doc["contest"]["teams"]:
        assert team["name"] in text
        for m in team["members"]:
            assert m["name"] in text
    assert "Tổng số: 7 đội thi với 96 người (76 thành viên và 20 người được mời phối hợp)" in text


def test_roster_xlsx_has_vietnamese_headers_widths_and_every_member(demo):
    doc = demo[0]
    wb = load_workbook(io.BytesIO(roster_xlsx(doc)))
    ws = wb["Danh sách đội thi"]
    headers = [c.value for c in ws[1]]
    assert headers == ["STT", "Đội thi", "Đơn vị dự thi", "Họ và tên", "Chức vụ", "Nơi công tác",
                       "Thành phần", "Phần thi tham gia"]
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["D"].width >= 20
    names = [ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)]
    assert len(names) == 96
    assert names[0] == "Nguyễn Văn An" and "Trần Minh Đức" in names
    assert ws.cell(row=2, column=2).value == "Đội Thị trấn Đăk Rve"
    assert ws.cell(row=2, column=8).value == "Giới thiệu về đội"
    summary = wb["Tổng hợp theo đội"]
    assert [summary.cell(row=2, column=c).value for c in (2, 4, 5, 6)] == [
        "Đội Thị trấn Đăk Rve", 10, 2, 12]


# ------------------------------------------------------------------------ score sheets
def test_score_sheets_one_page_per_judge_and_part_with_the_rubric(demo):
    doc = demo[0]
    data = score_sheets_pdf(doc, "j3")
    pages = pdf_pages(data)
    assert len(pages) == 3
    for page, part in zip(pages, doc["contest"]["rules"]["parts"]):
        assert "PHIẾU CHẤM ĐIỂM" in page and NATIONAL in page
        assert "Phạm Văn Khánh" in page and part["name"] in page
        for c in part["criteria"]:
            assert c["name"] in page
            assert f"từ 0 đến {c['max']} điểm" in page
        for team in TEAMS:
            assert team in page
        assert "GIÁM KHẢO" in page and "(Ký và ghi rõ họ tên)" in page
    assert "tối đa 50" in pages[1] and "lẻ đến 0,5 điểm" in pages[1]
    assert_fonts_embedded(data)
    assert len(pdf_pages(score_sheets_pdf(doc))) == 15  # 5 judges x 3 parts


def test_score_sheets_continue_on_a_new_page_for_many_teams(demo):
    doc = make_doc()
    base = doc["contest"]["teams"]
    doc["contest"]["teams"] = [dict(t, key=f"{t['key']}-{i}", name=f"{t['name']} {i}")
                               for i in range(4) for t in base]  # 28 teams
    pages = pdf_pages(score_sheets_pdf(doc, "j1"))
    assert len(pages) > 3
    text = "\n".join(pages)
    assert all(f"Đội Xã Đăk Pne {i}" in text for i in range(4))


def test_unknown_judge_is_a_user_error(demo):
    from contest.core.errors import ContestError
    with pytest.raises(ContestError):
        score_sheets_pdf(demo[0], "nobody")


# ----------------------------------------------------------------------------- minutes
def test_minutes_docx_has_every_sheet_total_ranks_ties_and_jury(demo):
    doc, standings, allocation = demo
    text = docx_text(minutes_docx(doc, standings, allocation))
    assert "BIÊN BẢN" in text and "KẾT QUẢ TẠM THỜI" not in text
    assert "BAN GIÁM KHẢO" in text and PLACE_DATE in text
    for judge in JUDGES:
        assert judge in text
    # Đăk Rve's intro: judges gave 18, 18,5, 17,5, 19, 17 -> 18,00
    for value in ("18,5", "17,5", "19", "18,00", "90,00", "77,00"):
        assert value in text
    assert "xếp đồng hạng 3" in text  # Đăk Tơ Lung and Đăk Ruồng, equal everywhere
    assert "Trưởng ban Giám khảo (Đinh Văn Thành) quyết định thứ tự: Trần Thị Bình" in text
    assert "Lý do: Diễn xuất tự nhiên" in text
    assert "Chưa giải quyết: Đội Thị trấn Đăk Rve, Đội Xã Đăk Kôi đồng hạng 1" in text
    assert "5.000.000 đ" in text and "1.500.000 đ" in text and "22.500.000 đ" in text
    assert "TRƯỞNG BAN GIÁM KHẢO" in text and "CÁC THÀNH VIÊN BAN GIÁM KHẢO" in text


def test_pending_tie_is_never_an_award(demo):
    doc, standings, allocation = demo
    d = Document(io.BytesIO(minutes_docx(doc, standings, allocation)))
    award_table = next(t for t in d.tables if t.rows[0].cells[1].text == "Giải")
    prizes = [row.cells[1].text for row in award_table.rows[1:]]
    assert "Giải Kịch bản và diễn xuất hay nhất" not in prizes
    assert prizes.count("Giải Ba") == 2 and len(prizes) == 10
    decision = docx_text(decision_docx(doc, allocation))
    assert "Giải Kịch bản và diễn xuất hay nhất" not in decision
    assert "DỰ THẢO (còn 1 trường hợp đồng hạng chờ Trưởng ban Giám khảo quyết định)" in decision


def test_provisional_minutes_say_so():
    doc = make_doc(missing_sheet=True)
    standings, allocation = make_standings(doc), make_allocation()
    assert standings["complete"] is False
    text = docx_text(minutes_docx(doc, standings, allocation))
    assert "KẾT QUẢ TẠM THỜI" in text and "KẾT QUẢ ĐỀ NGHỊ KHEN THƯỞNG (TẠM THỜI)" in text
    assert "—" in text  # the missing sheet
    ws = load_workbook(io.BytesIO(minutes_xlsx(doc, standings, allocation)))["Tổng hợp"]
    assert any("KẾT QUẢ TẠM THỜI" in v for v in sheet_text(ws))
    assert "KẾT QUẢ TẠM THỜI" in docx_text(report_docx(doc, standings, allocation))


def test_minutes_xlsx_summary_and_sheet_details(demo):
    doc, standings, allocation = demo
    wb = load_workbook(io.BytesIO(minutes_xlsx(doc, standings, allocation)))
    assert wb.sheetnames == ["Tổng hợp", "Phần 1", "Phần 2", "Phần 3"]
    ws = wb["Tổng hợp"]
    values = sheet_text(ws)
    assert "KẾT QUẢ CHÍNH THỨC – đủ phiếu chấm của tất cả giám khảo" in values
    assert all(j in values for j in JUDGES) and all(t in values for t in TEAMS)
    header = next(r for r in ws.iter_rows() if r[0].value == "Hạng")
    assert [c.value for c in header[:7]] == ["Hạng", "Đội thi", "Giới thiệu về đội",
                                              "Trình diễn tiểu phẩm", "Phần thi trắc nghiệm",
                                              "Trừ điểm", "Tổng điểm"]
    assert all(c.font.bold for c in header[:7])
    first = ws.cell(row=header[0].row + 1, column=1)
    assert first.value == 1 and ws.cell(row=first.row, column=7).value == 90
    money = [c for row in ws.iter_rows() for c in row if c.value == 5000000]
    assert money and money[0].number_format == '#,##0" đ"'
    assert 22500000 in [c.value for row in ws.iter_rows() for c in row]
    detail = wb["Phần 2"]
    assert detail.cell(row=3, column=4).value == "Nội dung cải cách hành chính (tối đa 20)"
    rows = list(detail.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 35 and rows[0][1] == "Đội Thị trấn Đăk Rve" and rows[0][2] == "Đinh Văn Thành"
    assert {r[-2] for r in rows} == {"Máy tính bảng", "Phiếu giấy"}


# ---------------------------------------------------------------------------- decision
def test_decision_docx_lists_awards_amounts_header_and_signature(demo):
    doc, _, allocation = demo
    text = docx_text(decision_docx(doc, allocation))
    for needle in (NATIONAL, MOTTO, PLACE_DATE, "ỦY BAN NHÂN DÂN\nHUYỆN KON RẪY", "/QĐ-UBND",
                   "QUYẾT ĐỊNH", "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN KON RẪY", "QUYẾT ĐỊNH:",
                   "Căn cứ Nghị định số 91/2017/NĐ-CP", "Điều 1.", "Điều 2.", "Điều 3.",
                   "Giải Nhất", "Giải Khuyến khích", "Diễn viên xuất sắc nhất",
                   "5.000.000 đ", "4.000.000 đ", "3.000.000 đ", "1.000.000 đ",
                   "Tổng số tiền thưởng: 22.500.000 đ (Hai mươi hai triệu năm trăm nghìn đồng)",
                   "Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, PNV.",
                   "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "Đinh Thị Hồng Thu",
                   "cho 7 tập thể và 3 cá nhân"):
        assert needle in text, needle
    for name in WINNERS:
        assert name in text
    assert "Công chức Văn phòng - Thống kê, UBND Thị trấn Đăk Rve" in text


def test_decision_defaults_when_documents_settings_are_missing():
    doc = make_doc(documents=False)
    doc["contest"]["date"] = "2024-03-05"
    text = docx_text(decision_docx(doc, make_allocation()))
    assert "ỦY BAN NHÂN DÂN\nHUYỆN KON RẪY" in text
    assert "Kon Rẫy, ngày 05 tháng 3 năm 2024" in text
    assert "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" in text
    assert "…………" in text  # the signer's name, to be written in
    assert "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;" in text


def test_organiser_template_overrides_the_packaged_one(tmp_path, demo):
    doc, _, allocation = demo
    from contest.documents.docx_files import PACKAGED
    d = Document(str(PACKAGED / "quyet-dinh-khen-thuong.docx"))
    d.add_paragraph("Mẫu riêng của huyện: {{ contest.name }}")
    d.save(tmp_path / "quyet-dinh-khen-thuong.docx")
    text = docx_text(decision_docx(doc, allocation, templates_dir=tmp_path))
    assert "Mẫu riêng của huyện: Hội thi Cải cách hành chính huyện Kon Rẫy năm 2023" in text
    assert "Mẫu riêng" not in docx_text(decision_docx(doc, allocation))
    # a missing organiser template falls back to the packaged one
    assert "Mẫu riêng" not in docx_text(roster_docx(doc, templates_dir=tmp_path))


def test_broken_organiser_template_is_a_user_error(tmp_path, demo):
    from contest.core.errors import ContestError
    doc, _, allocation = demo
    d = Document()
    d.add_paragraph("{{ no_such_variable }}")
    d.save(tmp_path / "quyet-dinh-khen-thuong.docx")
    with pytest.raises(ContestError, match="quyet-dinh-khen-thuong.docx"):
        decision_docx(doc, allocation, templates_dir=tmp_path)


# ------------------------------------------------------------------------ certificates
def test_certificates_one_landscape_page_per_winner_with_embedded_fonts(demo):
    doc, _, allocation = demo
    data = certificates_pdf(doc, allocation)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(WINNERS)
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    assert_fonts_embedded(data)
    pages = pdf_pages(data)
    for page, name in zip(pages, WINNERS):
        assert unicodedata.normalize("NFC", page) == page
        assert name in page.splitlines(), name
        assert "GIẤY KHEN" in page and "tại Hội thi Cải cách hành chính huyện Kon Rẫy năm 2023" in page
        assert PLACE_DATE in page and "Đinh Thị Hồng Thu" in page
    assert "GIẢI NHẤT" in pages[0] and "GIẢI DIỄN VIÊN XUẤT SẮC NHẤT" in pages[7]


def test_certificate_wording_comes_from_the_documents_settings(demo):
    doc, _, allocation = demo
    doc = copy.deepcopy(doc)
    doc["contest"]["documents"].update(certificate_title="Giấy chứng nhận", certificate_give="",
                                       certificate_reason="Đạt thành tích cao tại Hội thi, xếp")
    page = pdf_pages(certificates_pdf(doc, allocation))[0]
    assert "GIẤY CHỨNG NHẬN" in page and "GIẤY KHEN" not in page
    assert "Đạt thành tích cao tại Hội thi, xếp" in page and "Đã có thành tích" not in page
    assert "TẶNG" not in page.splitlines()


def test_pdf_text_is_nfc_even_from_decomposed_input():
    doc = make_doc()
    judge = doc["contest"]["judges"][0]
    judge["name"] = unicodedata.normalize("NFD", judge["name"])
    team = doc["contest"]["teams"][0]
    team["name"] = unicodedata.normalize("NFD", team["name"])
    text = "\n".join(pdf_pages(score_sheets_pdf(doc, "j1")))
    assert "Đinh Văn Thành" in text and "Đội Thị trấn Đăk Rve" in text
    assert unicodedata.normalize("NFC", text) == text
    cert = pdf_pages(certificates_pdf(doc, make_allocation()))[0]
    assert "Đội Thị trấn Đăk Rve" in cert.splitlines()


# ------------------------------------------------------------------------------ report
def test_report_docx_counts_results_and_budget(demo):
    doc, standings, allocation = demo
    text = docx_text(report_docx(doc, standings, allocation))
    for needle in ("BÁO CÁO", "Kết quả tổ chức Hội thi Cải cách hành chính huyện Kon Rẫy năm 2023",
                   "Kính gửi: Sở Nội vụ.", "/BC-UBND", PLACE_DATE,
                   "7 đội thi của 7 đơn vị với 96 người (76 thành viên và 20 người được mời phối hợp)",
                   "Ban Giám khảo gồm 5 thành viên, do Đinh Văn Thành",
                   "mỗi đội thực hiện 3 phần thi", "ngân hàng có 10 câu hỏi",
                   "Kinh phí khen thưởng theo cơ cấu giải của Thể lệ: 24.500.000 đ",
                   "Kinh phí khen thưởng đã chi: 22.500.000 đ", "Trần Thị Bình (Đội Thị trấn Đăk Rve)",
                   "Nơi nhận:", "- Sở Nội vụ (b/c);"):
        assert needle in text, needle
    assert all(t in text for t in TEAMS)
    assert "KẾT QUẢ TẠM THỜI" not in text


def test_a_sealed_contest_with_draws_counts_the_drawn_questions(tmp_path, demo):
    """The contest export gives ``draws`` per kind (sealed lots and what was drawn): every
    document is written and the report counts each drawn question once."""
    doc, standings, allocation = demo
    questions = [q["key"] for q in doc["contest"]["questions"]]
    doc = copy.deepcopy(doc)
    doc["contest"]["draws"] = {"questions": {
        "commitment": "ab" * 32, "salt": "", "lots": {"1": questions[0]}, "revealed": False,
        "drawn": [{"lot": 1, "team": "dak-rve", "question": questions[0], "at": None},
                  {"lot": 2, "team": "dak-koi", "question": questions[1], "at": None},
                  {"lot": 2, "team": "dak-koi", "question": questions[1], "at": None}]}}
    for q in doc["contest"]["questions"]:
        q["status"] = "approved"
    write_documents(doc, standings, allocation, tmp_path / "out")
    text = docx_text(report_docx(doc, standings, allocation))
    assert "2 câu đã được các đội bốc thăm trả lời" in text


# ------------------------------------------------------------------------ hostile text
def test_markup_and_formula_names_stay_plain_text():
    doc = make_doc()
    doc["contest"]["teams"][0]["name"] = "<script>alert('x')</script> & Co"
    member = doc["contest"]["teams"][0]["members"][1]
    member["name"] = "=cmd|' /C calc'!A0"
    doc["contest"]["teams"][1]["members"][0]["position"] = "@SUM(1+1)"
    standings, allocation = make_standings(doc), make_allocation()
    files = document_files(doc, standings, allocation)
    assert "<script>alert('x')</script> & Co" in docx_text(files["danh-sach-doi.docx"])
    assert "<script>alert('x')</script> & Co" in docx_text(files["quyet-dinh-khen-thuong.docx"])
    assert "=cmd|' /C calc'!A0" in docx_text(files["quyet-dinh-khen-thuong.docx"])
    ws = load_workbook(io.BytesIO(files["danh-sach-doi.xlsx"]))["Danh sách đội thi"]
    cell = ws.cell(row=3, column=4)
    assert cell.value == "'=cmd|' /C calc'!A0" and cell.data_type == "s"
    assert ws.cell(row=2, column=2).value == "<script>alert('x')</script> & Co"
    assert "'@SUM(1+1)" in sheet_text(ws)
    wb = load_workbook(io.BytesIO(files["bien-ban-ket-qua.xlsx"]))
    assert not any(c.data_type == "f" for s in wb for row in s.iter_rows() for c in row)
    assert "'=cmd|' /C calc'!A0" in sheet_text(wb["Tổng hợp"])
    assert "<script>alert('x')</script> & Co" in pdf_pages(files["giay-khen.pdf"])[0]


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+84 901", "'+84 901"), ("-5", "'-5"), ("@x", "'@x"),
    ("\tx", "x"), ("Nguyễn Văn An", "Nguyễn Văn An"), (12, 12), (1.5, 1.5), (None, None),
])
def test_safe_cell_values(value, expected):
    assert safe(value) == expected


# ------------------------------------------------------------------------------- fonts
def test_missing_fonts_error_names_the_folder(tmp_path):
    with pytest.raises(MissingFontError, match=str(tmp_path)):
        find_fonts(tmp_path)


def test_fonts_without_vietnamese_are_skipped(tmp_path):
    old = Path("/usr/share/fonts/truetype/liberation")  # Debian's Liberation 1.07: no ơ, ư
    if not (old / "LiberationSerif-Regular.ttf").exists():
        pytest.skip("Liberation 1.x not installed")
    for f in old.glob("LiberationSerif-*.ttf"):
        shutil.copy(f, tmp_path / f.name)
    with pytest.raises(MissingFontError):
        find_fonts(tmp_path)


def test_packaged_fonts_are_found():
    faces = find_fonts()
    assert set(faces) == {"", "B", "I", "BI"} and all(p.is_file() for p in faces.values())


# ------------------------------------------------------------------------------ pieces
@pytest.mark.parametrize("n,words", [
    (0, "không"), (5, "năm"), (15, "mười lăm"), (21, "hai mươi mốt"), (24, "hai mươi tư"),
    (105, "một trăm linh năm"), (1000000, "một triệu"),
    (1500000, "một triệu năm trăm nghìn"), (2005000, "hai triệu không trăm linh năm nghìn"),
    (24500000, "hai mươi tư triệu năm trăm nghìn"), (3000000000, "ba tỷ"),
])
def test_number_words(n, words):
    assert number_words(n) == words


def test_money_words():
    assert money_words(5000000) == "Năm triệu đồng"


@pytest.mark.parametrize("organizer,place", [
    ("Ủy ban nhân dân huyện Kon Rẫy", "Kon Rẫy"), ("UBND thành phố Long Khánh", "Long Khánh"),
    ("Ủy ban nhân dân thị xã Buôn Hồ", "Buôn Hồ"), ("Sở Nội vụ tỉnh Đắk Nông", "Đắk Nông"),
    ("Ban Tổ chức", ""),
])
def test_place_from_organizer(organizer, place):
    assert place_from(organizer) == place


def test_recipient_lines_and_two_lines():
    assert recipient_lines(["Như Điều 3;", "- Lưu: VT"]) == ["- Như Điều 3;", "- Lưu: VT."]
    assert two_lines("BAN GIÁM KHẢO HỘI THI") == "BAN GIÁM KHẢO\nHỘI THI"
    assert two_lines("BAN TỔ CHỨC") == "BAN TỔ CHỨC"


def test_many_judges_get_short_columns_and_a_legend(demo):
    doc, standings, allocation = make_doc(), demo[1], demo[2]
    doc["contest"]["judges"] += [
        {"key": "j6", "name": "Nguyễn Thị Phương Thảo", "title": "Chuyên viên", "head": False},
        {"key": "j7", "name": "Hoàng Văn Dũng", "title": "Chuyên viên", "head": False}]
    data = minutes_docx(doc, standings, allocation)
    text = docx_text(data)
    assert "GK7" in text and "GK6: Nguyễn Thị Phương Thảo; GK7: Hoàng Văn Dũng." in text
    d = Document(io.BytesIO(data))
    matrix = next(t for t in d.tables if t.rows[0].cells[-1].text == "Điểm phần thi")
    assert len(matrix.rows[0].cells) == 10
    width = sum(int(c.get(qn("w:w"))) for c in matrix._tbl.tblGrid.findall(qn("w:gridCol")))
    assert width <= Mm(165).twips + 5  # fits between the margins
