"""Checking an Office file (.xlsx, .docx: both are zip archives of XML) before a library
opens it.

Refused, with a message naming the file:
- anything that is not a zip archive (a renamed file; an old binary .xls/.doc or a
  password-protected Office file, which are OLE containers);
- a zip bomb: too many members, or declared uncompressed sizes that are too large in total or
  compared with their compressed size. Python's zipfile stops at the declared size, so a
  member that lies about it fails its CRC check instead of inflating;
- XML with a DOCTYPE (entity-expansion "billion laughs" and external entities): Office never
  writes one, so any DOCTYPE is refused before any parser sees it.
"""

from __future__ import annotations

import io
import zipfile

from contest.core.errors import ContestError

MAX_MEMBERS = 1000
MAX_UNCOMPRESSED = 60_000_000  # all members together
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCTYPE_PATTERNS = tuple(word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY")
                          for enc in ("utf-8", "utf-16-le", "utf-16-be"))


def _fail(filename: str, message: str) -> ContestError:
    return ContestError(f"Tệp '{filename}': {message}", field="file", code="bad_file")


def open_office_zip(data: bytes, filename: str, *, what: str, required: str,
                    old_format: str) -> zipfile.ZipFile:
    """Check ``data`` and return it opened as a zip archive.

    ``what`` names the expected format for messages ("Excel (.xlsx)"), ``required`` is a
    member every such file has ("xl/workbook.xml"), ``old_format`` the advice for an OLE file.
    """
    if data.startswith(OLE_MAGIC):
        raise _fail(filename, old_format)
    if not data.startswith(b"PK\x03\x04"):
        raise _fail(filename, f"không phải tệp {what} (có thể là tệp khác bị đổi đuôi)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # a corrupt archive, whatever zipfile trips on
        raise _fail(filename, f"tệp bị hỏng, không mở được như một tệp {what}") from None
    if len(infos) > MAX_MEMBERS:
        raise _fail(filename, "tệp nén chứa quá nhiều thành phần, có thể là tệp độc hại")
    total = 0
    for info in infos:
        total += info.file_size
        too_dense = info.file_size > 1_000_000 and \
            info.file_size > MAX_RATIO * max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED or too_dense:
            raise _fail(filename, "dung lượng sau giải nén quá lớn (tệp nén độc hại, "
                                  "\"zip bomb\"), không đọc")
        if info.flag_bits & 0x1:
            raise _fail(filename, "tệp có thành phần được mã hóa, hãy bỏ mật khẩu rồi gửi lại")
    names = {info.filename for info in infos}
    if required not in names:
        if "word/document.xml" in names:
            actual = "Word (.docx)"
        elif "xl/workbook.xml" in names:
            actual = "Excel (.xlsx)"
        else:
            actual = ""
        hint = f"đây là tệp {actual} bị đổi đuôi" if actual else "có thể là tệp khác bị đổi đuôi"
        raise _fail(filename, f"không phải tệp {what} ({hint})")
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            _refuse_doctype(archive, info, filename)
    return archive


def _refuse_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> None:
    tail = b""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 16):
                window = tail + chunk
                if any(p in window for p in _DOCTYPE_PATTERNS):
                    raise _fail(filename, "tệp chứa khai báo DOCTYPE/ENTITY trong XML "
                                          "(không có trong tệp Office thật), không đọc")
                tail = window[-32:]
    except ContestError:
        raise
    except Exception:  # a corrupt archive, whatever zipfile or zlib trips on
        raise _fail(filename, "tệp bị hỏng, không giải nén được") from None
