"""The documents the district signs, built from the contest as it stands now.

Loads the contest document, the standings and the prize allocation, and hands them to the
pure generators in :mod:`contest.documents`. Organisers may edit the Word templates: copies
placed in ``instance/document-templates/`` win over the packaged ones.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from .. import documents
from ..core.errors import NotFound
from ..models import Contest
from .document import export_contest

# name shown on the download page -> (file name, builder kind)
CATALOGUE = {
    "danh-sach-doi.docx": "Danh sách các đội thi (Word)",
    "danh-sach-doi.xlsx": "Danh sách các đội thi (Excel)",
    "bien-ban-ket-qua.docx": "Biên bản tổng hợp kết quả (Word)",
    "bien-ban-ket-qua.xlsx": "Biên bản tổng hợp kết quả (Excel)",
    "quyet-dinh-khen-thuong.docx": "Dự thảo Quyết định khen thưởng",
    "giay-khen.pdf": "Giấy khen (PDF, mỗi trang một giải)",
    "bao-cao-ket-qua.docx": "Báo cáo kết quả hội thi",
    "phieu-cham.pdf": "Phiếu chấm điểm trống (PDF, mọi giám khảo)",
}


def templates_dir() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "document-templates"


def _inputs(contest: Contest) -> tuple[dict, dict, dict]:
    from .scoring import prizes_dict, standings_dict
    return export_contest(contest), standings_dict(contest), prizes_dict(contest)


def write_all(contest: Contest, out_dir: Path) -> list[Path]:
    doc, standings, allocation = _inputs(contest)
    return documents.write_documents(doc, standings, allocation, Path(out_dir),
                                     templates_dir=templates_dir())


def one(contest: Contest, name: str) -> bytes:
    """One document by its file name (see CATALOGUE), built on demand."""
    if name not in CATALOGUE:
        raise NotFound(f"Không có tài liệu '{name}'")
    doc, standings, allocation = _inputs(contest)
    t = templates_dir()
    builders = {
        "danh-sach-doi.docx": lambda: documents.roster_docx(doc, templates_dir=t),
        "danh-sach-doi.xlsx": lambda: documents.roster_xlsx(doc),
        "bien-ban-ket-qua.docx": lambda: documents.minutes_docx(doc, standings, allocation, templates_dir=t),
        "bien-ban-ket-qua.xlsx": lambda: documents.minutes_xlsx(doc, standings, allocation),
        "quyet-dinh-khen-thuong.docx": lambda: documents.decision_docx(doc, allocation, templates_dir=t),
        "giay-khen.pdf": lambda: documents.certificates_pdf(doc, allocation),
        "bao-cao-ket-qua.docx": lambda: documents.report_docx(doc, standings, allocation, templates_dir=t),
        "phieu-cham.pdf": lambda: documents.score_sheets_pdf(doc),
    }
    return builders[name]()
