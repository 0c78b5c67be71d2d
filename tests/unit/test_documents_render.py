"""The award decision and a certificate rendered to PNG as a reader sees them: the decision
through LibreOffice (the .docx as Word would lay it out), the certificate through poppler.
The pages land in test-artifacts/ to be looked at; the test checks their shape and that the
text on the rendered page is the Vietnamese we wrote, in NFC.

LibreOffice and poppler come from Debian's packages (.ci/run installs them); on a laptop
without them this test is skipped with the reason, and in CI (HOITHI_REQUIRE_SERVICES=1) it
fails instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from contest.documents import certificates_pdf, decision_docx
from documents_fixtures import make_allocation, make_doc, make_standings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: see .ci/run)"
        if os.environ.get("HOITHI_REQUIRE_SERVICES") == "1":
            pytest.fail(f"HOITHI_REQUIRE_SERVICES=1 but {message}")
        pytest.skip(message)
    return path


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _pdf_to_png(pdftoppm: str, pdf: Path, stem: Path) -> Path:
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True, timeout=60)
    return stem.with_suffix(".png")


def _text(pdf: Path) -> str:
    out = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], check=True, timeout=60,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def test_decision_and_certificate_render_to_png(tmp_path):
    soffice, pdftoppm = _tool("soffice"), _tool("pdftoppm")
    doc = make_doc()
    standings, allocation = make_standings(doc), make_allocation()
    ARTIFACTS.mkdir(exist_ok=True)

    decision = tmp_path / "quyet-dinh-khen-thuong.docx"
    decision.write_bytes(decision_docx(doc, allocation))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(decision)],
                   check=True, timeout=180, capture_output=True)
    decision_pdf = tmp_path / "quyet-dinh-khen-thuong.pdf"
    text = _text(decision_pdf)
    assert unicodedata.is_normalized("NFC", text)
    for needle in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "QUYẾT ĐỊNH",
                   "Đội Thị trấn Đăk Rve", "Nơi nhận"):
        assert needle in text, needle
    page = _pdf_to_png(pdftoppm, decision_pdf, ARTIFACTS / "document-decision")
    width, height = _png_size(page)
    assert 0.68 < width / height < 0.73  # A4 portrait

    certificates = tmp_path / "giay-khen.pdf"
    certificates.write_bytes(certificates_pdf(doc, allocation))
    first = _text(certificates)
    assert unicodedata.is_normalized("NFC", first) and "GIẤY KHEN" in first.upper()
    page = _pdf_to_png(pdftoppm, certificates, ARTIFACTS / "document-certificate")
    width, height = _png_size(page)
    assert 1.38 < width / height < 1.45  # A4 landscape
