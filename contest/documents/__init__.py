"""The documents the organisers must produce (DOMAIN.md), from plain data to files.

Inputs are a contest document (``{"format": "hoithi/1", "contest": {...}}``, optionally with
``contest.documents`` for the letterhead and signer), the ``standings`` and the
``allocation`` dicts of CONTRACT.md. Nothing here touches Flask or the database.

One function per document returns its bytes, so a download page can serve one at a time;
:func:`write_documents` writes them all (``hoithi documents CONTEST DIR``). Everything is
built in memory first, so a failure writes nothing.

Ties still awaiting the jury head are listed as ties, never as awards; standings that are
not ``complete`` are marked "KẾT QUẢ TẠM THỜI" in the minutes and the report.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from contest.core.text import fold

from .context import ContestView

__all__ = [
    "write_documents", "document_files", "roster_docx", "roster_xlsx", "score_sheets_pdf",
    "minutes_docx", "minutes_xlsx", "decision_docx", "certificates_pdf", "report_docx",
    "MissingFontError", "find_fonts", "slug",
]

# The writers (fpdf and fontTools, python-docx, openpyxl) load on first use: importing them
# with the package took ~0.5 s of every server start, for pages used after the contest.
_LAZY = {"roster_xlsx": "xlsx_files", "minutes_xlsx": "xlsx_files",
         "score_sheets_pdf": "pdf_files", "certificates_pdf": "pdf_files",
         "MissingFontError": "pdf_files", "find_fonts": "pdf_files"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def roster_docx(doc: dict, *, templates_dir: Path | None = None) -> bytes:
    """Danh sách các đội thi (.docx)."""
    from .docx_files import render, roster_context
    return render("danh-sach-doi.docx", roster_context(ContestView(doc)), templates_dir)


def minutes_docx(doc: dict, standings: dict, allocation: dict, *,
                 templates_dir: Path | None = None) -> bytes:
    """Biên bản tổng hợp kết quả (.docx)."""
    from .docx_files import minutes_context, render
    ctx = minutes_context(ContestView(doc), standings, allocation)
    return render("bien-ban-ket-qua.docx", ctx, templates_dir)


def decision_docx(doc: dict, allocation: dict, *, templates_dir: Path | None = None) -> bytes:
    """Dự thảo Quyết định khen thưởng (.docx)."""
    from .docx_files import decision_context, render
    ctx = decision_context(ContestView(doc), allocation)
    return render("quyet-dinh-khen-thuong.docx", ctx, templates_dir)


def report_docx(doc: dict, standings: dict, allocation: dict, *,
                templates_dir: Path | None = None) -> bytes:
    """Báo cáo kết quả tổ chức Hội thi gửi cấp trên (.docx)."""
    from .docx_files import render, report_context
    ctx = report_context(ContestView(doc), standings, allocation)
    return render("bao-cao-ket-qua.docx", ctx, templates_dir)


def slug(text: str) -> str:
    """An ASCII file-name piece: 'Đinh Văn Thành' → 'dinh-van-thanh'."""
    ascii_text = fold(str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def document_files(doc: dict, standings: dict, allocation: dict, *,
                   templates_dir: Path | None = None,
                   fonts_dir: Path | None = None) -> dict[str, bytes]:
    """Every document as ``{file name: bytes}``, in the order they are listed."""
    from .pdf_files import certificates_pdf, score_sheets_pdf
    from .xlsx_files import minutes_xlsx, roster_xlsx
    cv = ContestView(doc)
    kw = {"templates_dir": templates_dir}
    files = {
        "danh-sach-doi.docx": roster_docx(doc, **kw),
        "danh-sach-doi.xlsx": roster_xlsx(doc),
    }
    for judge in cv.judges:
        name, n = f"phieu-cham-{slug(judge['key'])}.pdf", 1
        while name in files:  # keys differing only in case or punctuation
            n += 1
            name = f"phieu-cham-{slug(judge['key'])}-{n}.pdf"
        files[name] = score_sheets_pdf(doc, judge["key"], fonts_dir=fonts_dir)
    files["bien-ban-ket-qua.docx"] = minutes_docx(doc, standings, allocation, **kw)
    files["bien-ban-ket-qua.xlsx"] = minutes_xlsx(doc, standings, allocation)
    files["quyet-dinh-khen-thuong.docx"] = decision_docx(doc, allocation, **kw)
    files["giay-khen.pdf"] = certificates_pdf(doc, allocation, fonts_dir=fonts_dir)
    files["bao-cao-ket-qua.docx"] = report_docx(doc, standings, allocation, **kw)
    return files


def write_documents(doc: dict, standings: dict, allocation: dict, out_dir: Path, *,
                    templates_dir: Path | None = None,
                    fonts_dir: Path | None = None) -> list[Path]:
    """Write every document into ``out_dir`` (created if needed); the paths written."""
    files = document_files(doc, standings, allocation, templates_dir=templates_dir,
                           fonts_dir=fonts_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths
