#!/usr/bin/env python
"""Generate the editable Word templates of contest/documents/templates/ (run once, commit).

    python scripts/make_doc_templates.py [OUT_DIR]

Each template is an ordinary .docx laid out per Decree 30/2020/NĐ-CP, Appendix I: A4,
margins 20/20/30/15 mm, Times New Roman, the two-column header (issuing body left; national
title and motto right, a rule under each), italic place and date, "Nơi nhận" bottom left and
the signature block bottom right, page numbers from page 2. The variable parts are docxtpl
(Jinja) tags: ``{{ x }}`` prints a value, ``{%p ... %}``, ``{%tr ... %}`` and ``{%tc ... %}``
repeat a paragraph, a table row or a table column. Organisers may edit everything else in
Word; the variables each template receives are listed in docs/documents.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
TEXT_WIDTH = 16.5  # cm: 210 mm - 30 mm - 15 mm
OUT = Path(__file__).resolve().parents[1] / "contest" / "documents" / "templates"
C, L, R, J = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
              WD_ALIGN_PARAGRAPH.JUSTIFY)


# ----------------------------------------------------------------------------- basics
def _fonts(rpr_parent) -> None:
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def new_document() -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    sec.header_distance, sec.footer_distance = Cm(1.0), Cm(1.0)
    for name in ("Normal", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(14)
        _fonts(style.element)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_before, normal.space_after, normal.line_spacing = Pt(0), Pt(6), 1.0
    doc.core_properties.author = "Hội thi"
    doc.core_properties.language = "vi-VN"
    # page numbers from the second page, centred at the top (Decree 30)
    sec.different_first_page_header_footer = True
    p = sec.header.paragraphs[0]
    p.alignment = C
    run = p.add_run()
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "2"
    r.append(t)
    fld.append(r)
    run._r.addnext(fld)
    return doc


def para(container, text: str = "", *, bold=False, italic=False, size=14, align=None,
         first_line=None, before=0, after=6, keep=False, runs=None):
    """A paragraph; ``runs`` is a list of (text, bold, italic) to mix styles in one line."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if align is not None:
        p.alignment = align
    if first_line is not None:
        fmt.first_line_indent = Cm(first_line)
    if keep:
        fmt.keep_with_next = True
    for text_, bold_, italic_ in runs or [(text, bold, italic)]:
        if text_:
            run = p.add_run(text_)
            run.bold, run.italic, run.font.size = bold_, italic_, Pt(size)
            run.font.name = FONT
            _fonts(run._r)
    return p


def body(container, text: str = "", **kw):
    kw.setdefault("align", J)
    kw.setdefault("first_line", 1.0)
    return para(container, text, **kw)


def tag(container, text: str):
    """A paragraph holding only a docxtpl block tag; it disappears when rendered."""
    return para(container, text, size=10, after=0)


def border(p, side: str = "bottom", size: int = 6) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), "000000")
    bdr.append(edge)
    ppr.append(bdr)


def rule(container, left_cm: float, right_cm: float, after: int = 6, before: int = 0) -> None:
    """A short centred horizontal rule (an empty 1-pt paragraph with a bottom border)."""
    p = para(container, "", size=1, after=after, before=before)
    p.paragraph_format.left_indent, p.paragraph_format.right_indent = Cm(left_cm), Cm(right_cm)
    p.paragraph_format.line_spacing = Pt(2)
    run = p.add_run(" ")
    run.font.size = Pt(1)
    border(p)


def no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tblpr.append(borders)


def widths(table, cms) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, cms):
            cell.width = Cm(w)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), cms):
        col.set(qn("w:w"), str(int(Cm(w).twips)))


def cell_para(cell, text="", **kw):
    """Write into a cell: the first call reuses the cell's empty paragraph."""
    kw.setdefault("after", 0)
    if not cell.paragraphs[0].text and not getattr(cell, "_used", False):
        cell._used = True
        p = cell.paragraphs[0]
        cell._element.remove(p._p)
    return para(cell, text, **kw)


# ---------------------------------------------------------------------- Decree-30 blocks
def header_block(doc, *, draft: bool = False) -> None:
    """Issuing body | national title and motto; number | place and date."""
    if draft:
        tag(doc, "{%p if draft %}")
        para(doc, "{{ draft_note }}", bold=True, size=12, align=R, after=6)
        tag(doc, "{%p endif %}")
    t = doc.add_table(rows=2, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(t)
    left, right = t.cell(0, 0), t.cell(0, 1)
    tag(left, "{%p if header.parent %}")
    cell_para(left, "{{ header.parent }}", size=13, align=C)
    tag(left, "{%p endif %}")
    cell_para(left, "{{ header.issuer }}", bold=True, size=13, align=C)
    rule(left, 1.9, 1.9, after=0, before=1)
    cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, align=C)
    motto = cell_para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, align=C)
    motto.paragraph_format.left_indent = motto.paragraph_format.right_indent = Cm(2.05)
    border(motto)
    cell_para(t.cell(1, 0), "{{ header.number }}", size=13, align=C, before=4)
    cell_para(t.cell(1, 1), "{{ header.place_date }}", italic=True, size=14, align=C, before=4)
    widths(t, [6.2, 10.6])
    for row in t.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    para(doc, "", after=6)


def title_block(doc, kind: str, subject: str, *, rule_after=True) -> None:
    para(doc, kind, bold=True, size=14, align=C, before=12, after=0, keep=True)
    para(doc, subject, bold=True, size=14, align=C, after=2, keep=True)
    if rule_after:
        rule(doc, 6.5, 6.5, after=12)


def signature_block(doc, *, recipients: bool = True) -> None:
    """'Nơi nhận' bottom left, the signature block bottom right."""
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    left, right = t.cell(0, 0), t.cell(0, 1)
    if recipients:
        cell_para(left, "Nơi nhận:", bold=True, italic=True, size=12, before=6)
        tag(left, "{%p for r in recipients %}")
        cell_para(left, "{{ r }}", size=11)
        tag(left, "{%p endfor %}")
    else:
        cell_para(left, "")
    cell_para(right, "{{ sign.heading }}", bold=True, size=14, align=C, before=6)
    for _ in range(4):
        cell_para(right, "", size=14)
    cell_para(right, "{{ sign.name }}", bold=True, size=14, align=C)
    widths(t, [7.3, 9.5])
    _cant_split(t)


def _cant_split(table) -> None:
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        e = OxmlElement("w:cantSplit")
        trpr.append(e)


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def loop_table(doc, columns, loop: str, *, size=12):
    """A bordered table: a header row and one data row repeated by ``{%tr for loop %}``.

    ``columns`` items are (header, cell, width_cm, align) or, for a repeated column,
    ("tc", "for x in xs", header, "for y in ys", cell, width_cm): a column loop in both the
    header row and the data row."""
    flat_head, flat_cell, flat_w, flat_align = [], [], [], []
    for col in columns:
        if col[0] == "tc":
            _, head_loop, head, cell_loop, cell, w = col
            flat_head += [f"{{%tc {head_loop} %}}", head, "{%tc endfor %}"]
            flat_cell += [f"{{%tc {cell_loop} %}}", cell, "{%tc endfor %}"]
            flat_w += [0.3, w, 0.3]
            flat_align += [C, C, C]
        else:
            head, cell, w, align = col
            flat_head.append(head)
            flat_cell.append(cell)
            flat_w.append(w)
            flat_align.append(align)
    t = doc.add_table(rows=4, cols=len(flat_head))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, head in enumerate(flat_head):
        cell_para(t.cell(0, i), head, bold=True, size=size, align=C, before=2, after=2)
        t.cell(0, i).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    cell_para(t.cell(1, 0), f"{{%tr {loop} %}}", size=8)
    for i, cell in enumerate(flat_cell):
        if isinstance(cell, list):  # runs of (text, bold, italic)
            cell_para(t.cell(2, i), runs=cell, size=size, align=flat_align[i], before=1, after=1)
        else:
            cell_para(t.cell(2, i), cell, size=size, align=flat_align[i], before=1, after=1)
        t.cell(2, i).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    cell_para(t.cell(3, 0), "{%tr endfor %}", size=8)
    widths(t, flat_w)
    for row in (t.rows[0],):  # never a header row alone at the foot of a page
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
    _repeat_header(t.rows[0])
    _cant_split(t)
    para(doc, "", size=6, after=0)
    return t


def lines(doc, loop: str, text: str, **kw) -> None:
    """One body paragraph per item."""
    tag(doc, f"{{%p {loop} %}}")
    body(doc, text, **kw)
    tag(doc, "{%p endfor %}")


def heading(doc, text: str) -> None:
    para(doc, text, bold=True, size=14, align=J, before=6, keep=True, first_line=1.0)


# -------------------------------------------------------------------------- documents
def roster() -> Document:
    doc = new_document()
    header_block(doc)
    title_block(doc, "DANH SÁCH CÁC ĐỘI THI", "{{ contest.name }}")
    tag(doc, "{%p for team in teams %}")
    para(doc, "{{ team.index }}. {{ team.name }}", bold=True, size=14, before=6, keep=True)
    para(doc, "Đơn vị dự thi: {{ team.unit }} – {{ team.summary }}", italic=True, size=13,
         keep=True)
    loop_table(doc, [
        ("STT", "{{ m.index }}", 1.2, C),
        ("Họ và tên", "{{ m.name }}", 3.6, L),
        ("Chức vụ", "{{ m.position }}", 3.4, L),
        ("Nơi công tác", "{{ m.workplace }}", 3.4, L),
        ("Thành phần", "{{ m.kind_short }}", 2.5, L),
        ("Phần thi tham gia", "{{ m.roles }}", 2.4, L),
    ], "for m in team.members")
    tag(doc, "{%p endfor %}")
    body(doc, "Tổng số: {{ totals.teams }} đội thi với {{ totals.people }} người "
              "({{ totals.members }} thành viên và {{ totals.guests }} người được mời phối hợp).",
         before=6)
    signature_block(doc, recipients=False)
    return doc


def minutes() -> Document:
    doc = new_document()
    header_block(doc)
    title_block(doc, "BIÊN BẢN", "Tổng hợp kết quả chấm điểm {{ contest.name }}", rule_after=False)
    tag(doc, "{%p if provisional %}")
    para(doc, "KẾT QUẢ TẠM THỜI", bold=True, size=14, align=C, after=0)
    para(doc, "{{ provisional_note }}", italic=True, size=13, align=C, after=0)
    tag(doc, "{%p endif %}")
    rule(doc, 6.5, 6.5, after=12)
    body(doc, "Hôm nay, {{ contest.date }}, tại {{ contest.venue }}, Ban Giám khảo "
              "{{ contest.name }} gồm:")
    lines(doc, "for j in judges", "- {{ j.line }};")
    body(doc, "đã tổng hợp kết quả chấm điểm của {{ totals.teams }} đội thi như sau:")
    heading(doc, "I. ĐIỂM CHẤM CỦA TỪNG GIÁM KHẢO")
    tag(doc, "{%p for part in matrix %}")
    para(doc, "{{ loop.index }}. {{ part.title }}", bold=True, italic=True, size=14, keep=True,
         first_line=1.0)
    loop_table(doc, [
        ("STT", "{{ row.index }}", 1.3, C),
        ("Đội thi", "{{ row.team }}", 4.6, L),
        ("tc", "for j in judges", "{{ j.column }}", "for s in row.sheets", "{{ s }}", 1.7),
        ("Điểm phần thi", "{{ row.score }}", 2.0, C),
    ], "for row in part.rows")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if judge_legend %}")
    body(doc, "{{ judge_legend }}", italic=True, size=13)
    tag(doc, "{%p endif %}")
    body(doc, "{{ aggregation }}", italic=True, size=13)
    heading(doc, "II. TỔNG HỢP KẾT QUẢ VÀ XẾP HẠNG")
    loop_table(doc, [
        ("Hạng", "{{ row.rank }}", 1.5, C),
        ("Đội thi", "{{ row.team }}", 4.0, L),
        ("tc", "for p in parts", "{{ p.name }}", "for s in row.parts", "{{ s }}", 2.0),
        ("Trừ điểm", "{{ row.penalty }}", 1.4, C),
        ("Tổng điểm", "{{ row.total }}", 1.7, C),
        ("Ghi chú", "{{ row.note }}", 1.9, C),
    ], "for row in ranking")
    heading(doc, "III. CÁC TRƯỜNG HỢP BẰNG ĐIỂM, ĐỒNG HẠNG VÀ CÁCH GIẢI QUYẾT")
    lines(doc, "for n in tie_notes", "- {{ n }}")
    heading(doc, "IV. KẾT QUẢ ĐỀ NGHỊ KHEN THƯỞNG{{ awards_suffix }}")
    loop_table(doc, [
        ("STT", "{{ loop.index }}", 1.3, C),
        ("Giải", "{{ a.prize }}", 4.1, L),
        ("Tập thể, cá nhân đạt giải", "{{ a.name }}", 4.6, L),
        ("Đơn vị", "{{ a.unit }}", 3.4, L),
        ("Tiền thưởng", "{{ a.amount }}", 2.6, R),
    ], "for a in awards.all")
    body(doc, "Tổng số tiền thưởng: {{ awards.total }} ({{ awards.total_words }}).", bold=True)
    lines(doc, "for n in award_notes", "- {{ n }}", italic=True)
    body(doc, "Biên bản kết thúc vào hồi ..... giờ ..... phút cùng ngày, đã được các thành viên "
              "Ban Giám khảo thống nhất thông qua và cùng ký tên dưới đây./.", before=6)
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    cell_para(t.cell(0, 0), "THƯ KÝ", bold=True, size=14, align=C, before=6)
    for _ in range(4):
        cell_para(t.cell(0, 0), "", size=14)
    cell_para(t.cell(0, 0), "{{ secretary }}", bold=True, size=14, align=C)
    cell_para(t.cell(0, 1), "TRƯỞNG BAN GIÁM KHẢO", bold=True, size=14, align=C, before=6)
    for _ in range(4):
        cell_para(t.cell(0, 1), "", size=14)
    cell_para(t.cell(0, 1), "{{ head }}", bold=True, size=14, align=C)
    widths(t, [7.3, 9.5])
    _cant_split(t)
    para(doc, "CÁC THÀNH VIÊN BAN GIÁM KHẢO", bold=True, size=14, align=C, before=12, keep=True)
    loop_table(doc, [
        ("STT", "{{ j.index }}", 1.3, C),
        ("Họ và tên", "{{ j.name }}", 3.9, L),
        ("Chức vụ", "{{ j.title }}", 5.6, L),
        ("Nhiệm vụ", "{{ j.role }}", 2.3, C),
        ("Ký tên", "\n\n", 3.4, C),
    ], "for j in judges", size=13)
    return doc


def decision() -> Document:
    doc = new_document()
    header_block(doc, draft=True)
    title_block(doc, "QUYẾT ĐỊNH", "Về việc khen thưởng các tập thể, cá nhân đạt giải tại "
                                   "{{ contest.name }}")
    para(doc, "{{ authority }}", bold=True, size=14, align=C, before=6, after=12)
    lines(doc, "for b in bases", "{{ b }}", italic=True)
    body(doc, "Căn cứ kết quả chấm điểm của Ban Giám khảo {{ contest.name }};", italic=True)
    body(doc, "Theo đề nghị của {{ proposer }}.", italic=True)
    para(doc, "QUYẾT ĐỊNH:", bold=True, size=14, align=C, before=12, after=12)
    body(doc, runs=[("Điều 1. ", True, False),
                    ("Tặng Giấy khen kèm tiền thưởng cho {{ n_collective }} tập thể và "
                     "{{ n_individual }} cá nhân đã có thành tích xuất sắc, đạt giải tại "
                     "{{ contest.name }}, cụ thể như sau:", False, False)])
    tag(doc, "{%p if awards.collective %}")
    body(doc, "1. Khen thưởng tập thể:", bold=True, keep=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if awards.collective %}")
    loop_table(doc, [
        ("STT", "{{ a.index }}", 1.3, C),
        ("Tên tập thể", "{{ a.name }}", 5.3, L),
        ("Giải", "{{ a.prize }}", 6.2, L),
        ("Số tiền", "{{ a.amount }}", 3.0, R),
    ], "for a in awards.collective", size=13)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if awards.individual %}")
    body(doc, "2. Khen thưởng cá nhân:", bold=True, keep=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if awards.individual %}")
    loop_table(doc, [
        ("STT", "{{ a.index }}", 1.3, C),
        ("Họ và tên, chức vụ, đơn vị", [("{{ a.name }}", True, False),
                                        ("\n{{ a.line }}", False, False)], 6.5, L),
        ("Giải", "{{ a.prize }}", 5.0, L),
        ("Số tiền", "{{ a.amount }}", 3.0, R),
    ], "for a in awards.individual", size=13)
    tag(doc, "{%p endif %}")
    body(doc, runs=[("Điều 2. ", True, False),
                    ("Tổng số tiền thưởng: {{ awards.total }} ({{ awards.total_words }}), "
                     "chi từ {{ funding }}.", False, False)])
    body(doc, runs=[("Điều 3. ", True, False),
                    ("{{ executors }} chịu trách nhiệm thi hành Quyết định này. Quyết định có "
                     "hiệu lực kể từ ngày ký./.", False, False)])
    signature_block(doc)
    return doc


def report() -> Document:
    doc = new_document()
    header_block(doc)
    title_block(doc, "BÁO CÁO", "Kết quả tổ chức {{ contest.name }}")
    para(doc, "Kính gửi: {{ report_to }}.", size=14, align=C, after=12)
    body(doc, "{{ issuer_title }} báo cáo kết quả tổ chức {{ contest.name }} như sau:")
    heading(doc, "I. CÔNG TÁC TỔ CHỨC")
    body(doc, "1. Thời gian, địa điểm: {{ contest.date }}, tại {{ contest.venue }}.")
    body(doc, "2. Thành phần: {{ totals.teams }} đội thi của {{ totals.units }} đơn vị với "
              "{{ totals.people }} người ({{ totals.members }} thành viên và {{ totals.guests }} "
              "người được mời phối hợp). Ban Giám khảo gồm {{ totals.judges }} thành viên"
              "{{ head_text }}.")
    body(doc, "3. Nội dung thi: mỗi đội thực hiện {{ totals.parts }} phần thi:")
    lines(doc, "for p in parts", "- {{ p.line }}")
    body(doc, "4. Câu hỏi: ngân hàng có {{ totals.questions }} câu hỏi{{ offices_text }}; "
              "{{ totals.approved }} câu được duyệt đưa vào bốc thăm, {{ totals.drawn }} câu đã "
              "được các đội bốc thăm trả lời tại Hội thi.")
    heading(doc, "II. KẾT QUẢ HỘI THI")
    tag(doc, "{%p if provisional %}")
    body(doc, "{{ provisional_note }}", bold=True)
    tag(doc, "{%p endif %}")
    body(doc, "1. Kết quả xếp hạng các đội thi:", keep=True)
    loop_table(doc, [
        ("Hạng", "{{ row.rank }}", 1.5, C),
        ("Đội thi", "{{ row.team }}", 5.8, L),
        ("tc", "for p in parts", "{{ p.name }}", "for s in row.parts", "{{ s }}", 2.4),
        ("Tổng điểm", "{{ row.total }}", 2.0, C),
    ], "for row in ranking")
    body(doc, "2. Khen thưởng: {{ n_collective }} giải tập thể và {{ n_individual }} giải cá nhân:",
         keep=True)
    loop_table(doc, [
        ("STT", "{{ loop.index }}", 1.3, C),
        ("Giải", "{{ a.prize }}", 4.7, L),
        ("Tập thể, cá nhân đạt giải", "{{ a.label }}", 7.1, L),
        ("Tiền thưởng", "{{ a.amount }}", 3.0, R),
    ], "for a in awards.all")
    lines(doc, "for n in award_notes", "- {{ n }}", italic=True)
    heading(doc, "III. KINH PHÍ")
    body(doc, "- Kinh phí khen thưởng theo cơ cấu giải của Thể lệ: {{ budget_planned }}.")
    body(doc, "- Kinh phí khen thưởng đã chi: {{ awards.total }} ({{ awards.total_words }}).")
    body(doc, "- Nguồn kinh phí: {{ funding }}.")
    heading(doc, "IV. ĐÁNH GIÁ CHUNG")
    body(doc, "Hội thi được tổ chức trang trọng, thiết thực, đúng kế hoạch; các đội thi chuẩn bị "
              "chu đáo, nội dung bám sát nhiệm vụ cải cách hành chính của địa phương. Hội thi góp "
              "phần tuyên truyền, nâng cao nhận thức và trách nhiệm của cán bộ, công chức, viên "
              "chức trong thực hiện cải cách hành chính.")
    body(doc, "Trên đây là báo cáo kết quả tổ chức {{ contest.name }} của {{ issuer_title }}./.")
    signature_block(doc)
    return doc


TEMPLATES = {
    "danh-sach-doi.docx": roster,
    "bien-ban-ket-qua.docx": minutes,
    "quyet-dinh-khen-thuong.docx": decision,
    "bao-cao-ket-qua.docx": report,
}


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES.items():
        build().save(out / name)
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
