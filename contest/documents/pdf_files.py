"""The PDF documents: blank score sheets (the paper fallback) and certificates of merit.

Drawn with fpdf2 in a Unicode serif font embedded in the file (Liberation Serif or DejaVu
Serif, vendored at ``<repo>/static/fonts/``), so Vietnamese prints the same on any machine.
The machine's own fonts are never used. Text is NFC-normalised before it is drawn, so text
extracted from the PDF equals the names of the contest document.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from contest.core.errors import NotFound

from . import views
from .context import ContestView, abbreviate, clean, points, split_issuer, two_lines

REPO = Path(__file__).resolve().parents[2]
FONTS_DIR = REPO / "static" / "fonts"
FAMILY = "Serif"
FAMILIES = (
    {"": "LiberationSerif-Regular.ttf", "B": "LiberationSerif-Bold.ttf",
     "I": "LiberationSerif-Italic.ttf", "BI": "LiberationSerif-BoldItalic.ttf"},
    {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf",
     "I": "DejaVuSerif-Italic.ttf", "BI": "DejaVuSerif-BoldItalic.ttf"},
)
VI_PROBE = "ẾỖỰẰếỗựằđĐăâêôơưĂÂÊÔƠƯỹỸ₫"
DARK_RED = (150, 20, 20)
BLACK = (0, 0, 0)


class MissingFontError(RuntimeError):
    """The serif TTF files are not installed (an installation problem, not a user error)."""


def find_fonts(fonts_dir: Path | None = None) -> dict[str, Path]:
    """The four faces of the first complete family with full Vietnamese coverage found under
    ``fonts_dir`` (default ``<repo>/static/fonts``, searched recursively), by style:
    '', 'B', 'I', 'BI'. Liberation Serif (metric-compatible with Times New Roman) is
    preferred; Liberation 1.x lacks Vietnamese and is skipped for DejaVu Serif."""
    folder = Path(fonts_dir) if fonts_dir is not None else FONTS_DIR
    present: dict[str, list[Path]] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*.ttf")):
            present.setdefault(path.name, []).append(path)
    for family in FAMILIES:
        faces = {}
        for style, name in family.items():
            good = [p for p in present.get(name, []) if _covers_vietnamese(str(p))]
            if not good:
                break
            faces[style] = good[0]
        else:
            return faces
    wanted = " hoặc ".join(", ".join(f.values()) for f in FAMILIES)
    raise MissingFontError(f"Thiếu phông chữ có đủ dấu tiếng Việt để tạo PDF: cần {wanted} "
                           f"trong {folder}")


@lru_cache(maxsize=32)
def _covers_vietnamese(path: str) -> bool:
    try:
        cmap = TTFont(path, lazy=True, fontNumber=0).getBestCmap() or {}
    except Exception:  # noqa: BLE001 - an unreadable file is simply not a candidate
        return False
    return all(ord(ch) in cmap for ch in VI_PROBE)


class Pdf(FPDF):
    def __init__(self, fonts: dict[str, Path], orientation: str = "P", title: str = ""):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, path in fonts.items():
            self.add_font(FAMILY, style, str(path))
        self.set_auto_page_break(False)
        self.set_margins(20, 15, 15)
        self.c_margin = 1.2
        self.set_creator("Hội thi")
        self.set_lang("vi-VN")
        if title:
            self.set_title(clean(title))

    def use(self, style: str = "", size: float = 12, color=BLACK) -> None:
        self.set_font(FAMILY, style, size)
        self.set_text_color(*color)

    def wrap(self, text: str, width: float) -> list[str]:
        return self.multi_cell(width, 5, clean(text), dry_run=True,
                               output=MethodReturnValue.LINES) or [""]

    def fit(self, text: str, width: float, style: str, size: float, smallest: float) -> float:
        """The largest size down to ``smallest`` at which ``text`` fits on one line."""
        while size > smallest:
            self.use(style, size)
            if self.get_string_width(clean(text)) <= width:
                break
            size -= 0.5
        return size

    def text_block(self, x: float, y: float, w: float, text: str, style: str = "",
                   size: float = 12, align: str = "C", color=BLACK, leading: float = 1.25) -> float:
        """Wrapped text in the box [x, x+w]; returns the y under it."""
        self.use(style, size, color)
        h = size * 0.3528 * leading
        for line in self.wrap(text, w):
            self.set_xy(x, y)
            self.cell(w, h, line, align=align, new_x=XPos.RIGHT, new_y=YPos.TOP)
            y += h
        return y

    def rule(self, cx: float, y: float, length: float, width: float = 0.25) -> None:
        self.set_draw_color(*BLACK)
        self.set_line_width(width)
        self.line(cx - length / 2, y, cx + length / 2, y)

    def decree_header(self, y: float, left: tuple[float, float], right: tuple[float, float],
                      parent: str, issuer: str, size: float = 12.5) -> float:
        """Issuing body left, national title and motto right, each with its rule; the y
        under the taller column."""
        lx, lw = left
        yl = y
        if parent:
            yl = self.text_block(lx, yl, lw, parent, "", size)
        for line in issuer.split("\n"):
            yl = self.text_block(lx, yl, lw, line, "B", size)
        self.use("B", size)
        longest = max(self.get_string_width(x) for x in issuer.split("\n"))
        self.rule(lx + lw / 2, yl + 1.6, min(longest, lw) * 0.4)
        rx, rw = right
        yr = self.text_block(rx, y, rw, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", size - 0.5)
        yr = self.text_block(rx, yr, rw, "Độc lập - Tự do - Hạnh phúc", "B", size + 0.5)
        self.use("B", size + 0.5)
        self.rule(rx + rw / 2, yr + 0.6, self.get_string_width("Độc lập - Tự do - Hạnh phúc"))
        return max(yl, yr) + 3


# -------------------------------------------------------------------------- score sheets
def score_sheets_pdf(doc: dict, judge_key: str | None = None, *,
                     fonts_dir: Path | None = None) -> bytes:
    """Blank score sheets: one A4 page (more for many teams) per judge and part, with the
    rubric. ``judge_key`` limits them to one judge."""
    cv = ContestView(doc)
    judges = [j for j in cv.judges if judge_key is None or j["key"] == judge_key]
    if judge_key is not None and not judges:
        raise NotFound(f"Không có giám khảo '{judge_key}'", field="judge")
    pdf = Pdf(find_fonts(fonts_dir), "P", title=f"Phiếu chấm điểm – {cv.name}")
    for judge in judges:
        for part in cv.rules.parts:
            _score_sheet(pdf, cv, judge, part)
    return bytes(pdf.output())


def _score_sheet(pdf: Pdf, cv: ContestView, judge: dict, part) -> None:
    left, width = 20.0, 175.0
    s = cv.settings
    criteria = list(part.criteria)
    w_no, w_team, w_total = 11.0, 45.0, 18.0
    w_crit = min(30.0, (width - w_no - w_team - w_total - 20.0) / len(criteria))
    w_note = width - w_no - w_team - w_total - w_crit * len(criteria)
    cols = [("STT", w_no), ("Đội thi", w_team)]
    cols += [(f"{clean(c.name)}\n(tối đa {points(c.max)})", w_crit) for c in criteria]
    cols += [(f"Tổng điểm\n(tối đa {points(part.max)})", w_total), ("Ghi chú", w_note)]

    def page_top() -> float:
        pdf.add_page()
        y = pdf.decree_header(12, (left, 68), (left + 72, width - 72),
                              abbreviate(s["issuer"]), two_lines(s["committee"]))
        y = pdf.text_block(left, y + 2, width, "PHIẾU CHẤM ĐIỂM", "B", 15)
        y = pdf.text_block(left, y, width, cv.name, "I", 12.5)
        y = pdf.text_block(left, y + 1, width,
                           f"Phần thi: {clean(part.name)} (tối đa {points(part.max)} điểm)", "B", 13)
        title = clean(judge.get("title"))
        who = f"Giám khảo: {clean(judge.get('name'))}" + (f" – {title}" if title else "")
        return pdf.text_block(left, y + 1, width, who, "", 12.5) + 3

    def table_head(y: float) -> float:
        pdf.use("B", 10.5)
        wrapped = [pdf.wrap(text.split("\n")[0], w) + text.split("\n")[1:] for text, w in cols]
        h = max(len(lines) for lines in wrapped) * 4.6 + 2.4
        x = left
        pdf.set_line_width(0.25)
        for (_, w), lines in zip(cols, wrapped):
            pdf.rect(x, y, w, h)
            ty = y + (h - len(lines) * 4.6) / 2
            for line in lines:
                pdf.use("B" if "tối đa" not in line else "I", 10.5)
                pdf.set_xy(x, ty)
                pdf.cell(w, 4.6, line, align="C")
                ty += 4.6
            x += w
        return y + h

    y = table_head(page_top())
    bottom = 297 - 15
    row_h = min(13.0, max(9.0, (bottom - y - 95) / max(1, len(cv.teams))))
    for i, team in enumerate(cv.teams, 1):
        if y + row_h > bottom - 8:
            y = table_head(page_top())
        x = left
        for j, (_, w) in enumerate(cols):
            pdf.rect(x, y, w, row_h)
            if j == 0:
                pdf.use("", 11.5)
                pdf.set_xy(x, y)
                pdf.cell(w, row_h, str(i), align="C")
            elif j == 1:
                pdf.use("", 11.5)
                lines = pdf.wrap(team.get("name"), w)[:2]
                pdf.use("", 11 if len(lines) > 1 else 11.5)
                ty = y + (row_h - len(lines) * 4.4) / 2
                for line in lines:
                    pdf.set_xy(x, ty)
                    pdf.cell(w, 4.4, line, align="L")
                    ty += 4.4
            x += w
        y += row_h

    rubric = [f"- {clean(c.name)}: từ 0 đến {points(c.max)} điểm"
              + ("." if k == len(criteria) - 1 else ";") for k, c in enumerate(criteria)]
    step = points(cv.rules.score_step)
    notes = ["Hướng dẫn chấm: ghi điểm từng tiêu chí, lẻ đến " + step + " điểm; cột Tổng điểm "
             "là tổng điểm các tiêu chí. Tiêu chí chấm điểm:"] + rubric
    need = 8 + 5.5 * (len(notes) + 1) + 42
    if y + need > bottom:
        pdf.add_page()
        y = 20
    y += 3
    for k, line in enumerate(notes):
        y = pdf.text_block(left, y, width, line, "I" if k == 0 else "", 11.5, align="L")
    y += 4
    sx, sw = left + 85, width - 85
    y = pdf.text_block(sx, y, sw, cv.place_date, "I", 12.5)
    y = pdf.text_block(sx, y + 1, sw, "GIÁM KHẢO", "B", 13)
    y = pdf.text_block(sx, y, sw, "(Ký và ghi rõ họ tên)", "I", 11.5)
    pdf.text_block(sx, y + 20, sw, clean(judge.get("name")), "B", 13)


# --------------------------------------------------------------------------- certificates
def certificates_pdf(doc: dict, allocation: dict, *, fonts_dir: Path | None = None) -> bytes:
    """One A4 landscape certificate of merit (Giấy khen) per award: teams, then people.
    Ties awaiting the jury head get none."""
    cv = ContestView(doc)
    awards = views.award_rows(cv, allocation)
    pdf = Pdf(find_fonts(fonts_dir), "L", title=f"Giấy khen – {cv.name}")
    for award in awards["all"]:
        _certificate(pdf, cv, award)
    if not awards["all"]:
        pdf.add_page()
        pdf.text_block(20, 95, 257, "Chưa có giải nào được trao.", "I", 16)
    return bytes(pdf.output())


def _frame(pdf: Pdf) -> None:
    W, H = 297.0, 210.0
    pdf.set_draw_color(*DARK_RED)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, W - 16, H - 16)
    pdf.set_line_width(0.35)
    pdf.rect(11.5, 11.5, W - 23, H - 23)
    # corner ornaments: a small diamond inside each corner
    pdf.set_fill_color(*DARK_RED)
    for cx, cy in ((17, 17), (W - 17, 17), (17, H - 17), (W - 17, H - 17)):
        pdf.polygon([(cx, cy - 2.6), (cx + 2.6, cy), (cx, cy + 2.6), (cx - 2.6, cy)], style="F")
    pdf.set_draw_color(*BLACK)


def _certificate(pdf: Pdf, cv: ContestView, award: dict) -> None:
    s = cv.settings
    W = 297.0
    pdf.add_page()
    _frame(pdf)
    inner_x, inner_w = 24.0, W - 48.0
    y = pdf.decree_header(20, (inner_x, 95), (W - 24 - 120, 120), s["issuer_parent"],
                          split_issuer(s["issuer"]), 12.5)
    y = max(y, 42)
    size = pdf.fit(s["certificate_title"], inner_w, "B", 44, 24)
    pdf.use("B", size, DARK_RED)
    pdf.set_xy(inner_x, y)
    pdf.cell(inner_w, 18, s["certificate_title"], align="C")
    y += 21
    size = pdf.fit(s["awarder"], inner_w, "B", 15, 11)
    y = pdf.text_block(inner_x, y, inner_w, s["awarder"], "B", size)
    if s["certificate_give"]:
        y = pdf.text_block(inner_x, y + 1.5, inner_w, s["certificate_give"], "B", 14)
    name = award["name"]
    size = pdf.fit(name, inner_w - 10, "BI", 28, 16)
    y = pdf.text_block(inner_x + 5, y + 3.5, inner_w - 10, name, "BI", size, color=DARK_RED)
    if award.get("kind") == "individual":
        sub = ", ".join(x for x in (award["line"], award["team"]) if x)
    else:
        sub = award["unit"] if award.get("unit") and award["unit"] not in name else ""
    if sub:
        y = pdf.text_block(inner_x + 10, y, inner_w - 20, sub, "I", 13.5)
    if s["certificate_reason"]:
        y = pdf.text_block(inner_x + 15, y + 4, inner_w - 30, s["certificate_reason"], "", 15)
    prize = award["prize"] if award["prize"].lower().startswith("giải") else f"Giải {award['prize']}"
    size = pdf.fit(prize.upper(), inner_w - 30, "B", 17, 12)
    y = pdf.text_block(inner_x + 15, y + 1, inner_w - 30, prize.upper(), "B", size,
                       color=DARK_RED)
    y = pdf.text_block(inner_x + 15, y + 1, inner_w - 30, f"tại {cv.name}", "", 15)
    bottom_y = max(y + 3, 136)
    sx, sw = W - 24 - 120, 120
    yy = pdf.text_block(sx, bottom_y, sw, cv.place_date, "I", 13)
    sign = cv.sign()
    for line in sign["lines"]:
        yy = pdf.text_block(sx, yy, sw, line, "B", 13)
    pdf.text_block(sx, min(yy + 17, 188), sw, sign["name"], "B", 13.5)
    number = s["number_symbol"]
    if number.strip():
        pdf.text_block(inner_x + 6, 178, 110, f"Quyết định số: {number.lstrip(' ')}", "I", 11.5,
                       align="L")
