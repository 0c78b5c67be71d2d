"""Builders of real .xlsx / .docx / zip files for the question bank tests."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl

from question_bank.core.model import FollowUp, QuestionData

DEMO = Path(__file__).resolve().parents[3] / "contest" / "demo" / "kon-ray-2023.json"

# "Câu hỏi về cải cách hành chính" typed with a .VnTime (TCVN3) font and with VNI-Times.
TCVN3 = "C©u hái vÒ c¶i c¸ch hµnh chÝnh"
VNI = "Caâu hoûi veà caûi caùch haønh chính"


def make_question(text: str = "Thế nào là dịch vụ công trực tuyến toàn trình?", **kw
                  ) -> QuestionData:
    kw.setdefault("kind", "choice" if kw.get("choices") else "open")
    kw.setdefault("answer", "A" if kw["kind"] == "choice" else "Là dịch vụ công trên môi trường mạng.")
    return QuestionData(text=text, **kw)


def make_xlsx(rows: Iterable[Sequence[object]], *, title: str = "Câu hỏi",
              sheets: dict[str, list[Sequence[object]]] | None = None,
              merge: Sequence[str] = (), text_cells: Sequence[str] = ()) -> bytes:
    """A workbook whose first sheet holds ``rows`` (row 1 first; None for an empty cell).

    ``text_cells`` ("B5") are forced to string type even if they start with "=".
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    for ref in merge:
        sheet.merge_cells(ref)
    for ref in text_cells:
        sheet[ref].data_type = "s"
    for name, extra in (sheets or {}).items():
        other = book.create_sheet(name)
        for values in extra:
            other.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_docx(lines: Iterable[object] = (), tables: Sequence[Sequence[Sequence[str]]] = ()
              ) -> bytes:
    """A document: each line is a str (a paragraph) or a list of (text, style) runs where
    style is "" / "b" (bold) / "u" (underline) / "h" (highlight); then the tables."""
    from docx.enum.text import WD_COLOR_INDEX

    document = docx.Document()
    for line in lines:
        if isinstance(line, str):
            document.add_paragraph(line)
            continue
        paragraph = document.add_paragraph()
        for text, style in line:
            run = paragraph.add_run(text)
            run.bold = "b" in style or None
            run.underline = "u" in style or None
            if "h" in style:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.rows[r].cells[c].text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The zip ``data`` with member ``name`` replaced by (or added with) ``content``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, content)
    return buffer.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip ``data`` with the central-directory entry of ``name`` declaring ``size``
    uncompressed bytes (the data itself unchanged): a zip bomb's lie, cheaply."""
    blob = bytearray(data)
    offset = blob.find(b"PK\x01\x02")
    while offset != -1:
        name_len = struct.unpack_from("<H", blob, offset + 28)[0]
        extra_len, comment_len = struct.unpack_from("<HH", blob, offset + 30)
        entry_name = bytes(blob[offset + 46:offset + 46 + name_len]).decode()
        if entry_name == name:
            struct.pack_into("<I", blob, offset + 24, size)
            return bytes(blob)
        offset = blob.find(b"PK\x01\x02", offset + 46 + name_len + extra_len + comment_len)
    raise KeyError(name)


def points(value: str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


__all__ = ["DEMO", "TCVN3", "VNI", "FollowUp", "QuestionData", "declare_size", "make_docx",
           "make_question", "make_xlsx", "points", "replace_member"]


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_numbered_docx(paragraphs: Sequence[tuple[str, str | None]],
                       lists: dict[str, tuple[str, str]],
                       instances: dict[str, tuple[str, int | None]]) -> bytes:
    """A document whose paragraphs (text, numId) use Word's automatic numbering.

    ``lists``: abstract id → (numFmt, lvlText), e.g. "90": ("decimal", "Câu %1:");
    ``instances``: numId → (abstract id, startOverride or None).
    """
    from docx.oxml import parse_xml

    document = docx.Document()
    numbering = document.part.numbering_part.element
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    for abstract_id, (fmt, text) in lists.items():
        first_num.addprevious(parse_xml(
            f'<w:abstractNum {_W} w:abstractNumId="{abstract_id}"><w:lvl w:ilvl="0">'
            f'<w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            f'</w:lvl></w:abstractNum>'))
    for num_id, (abstract_id, restart) in instances.items():
        override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{restart}"/>'
                    f'</w:lvlOverride>' if restart else "")
        numbering.append(parse_xml(f'<w:num {_W} w:numId="{num_id}"><w:abstractNumId '
                                   f'w:val="{abstract_id}"/>{override}</w:num>'))
    for text, num_id in paragraphs:
        paragraph = document.add_paragraph(text)
        if num_id:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {_W}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
