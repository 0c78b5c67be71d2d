"""A read-only, indexed view of a contest document for the document writers.

Terms:

* the **issuer** is the body that signs the decision and the report ("ỦY BAN NHÂN DÂN
  HUYỆN KON RẪY"); the roster, score sheets and minutes come from bodies *under* it (the
  organising committee, the jury), so their header shows the issuer abbreviated as the
  governing body above the committee's own name, as Decree 30/2020/NĐ-CP, Appendix I asks;
* the **settings** are ``contest.documents`` merged with defaults derived from the contest:
  a key that is present (even empty) wins, a missing key gets the default. An empty signer
  name prints as a dotted line to fill in by hand.

This module only reads plain data; it never formats a whole document.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cached_property
from typing import Any

from contest.core.errors import ContestError
from contest.core.rules import Rules, rules_from_dict
from contest.core.text import format_long_date, format_number, nfc

DOTTED_NAME = "…………………………"
_PLACE_RE = re.compile(r"\b(thành phố|thị xã|huyện|quận|tỉnh)\s+(.+)$", re.IGNORECASE)
_UBND = "ỦY BAN NHÂN DÂN"


def clean(value: Any) -> str:
    """Text fit for any document: NFC, control characters (tabs, line breaks, bells that
    Word or a PDF would interpret) turned into spaces, outer blanks stripped."""
    if value is None:
        return ""
    text = nfc(str(value))
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return re.sub(r" {2,}", " ", text).strip()


def blanks(value: Any) -> str:
    """Like :func:`clean`, but keeps the blank a number is written into later
    ('      /QĐ-UBND'): leading and repeated spaces become no-break spaces, which Word and
    PDF viewers never collapse."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in nfc(str(value or "")))
    text = text.rstrip()
    lead = len(text) - len(text.lstrip(" "))
    text = "\u00a0" * lead + text[lead:]
    return re.sub(r" {2,}", lambda m: "\u00a0" * len(m.group()), text)


def upper(text: str) -> str:
    return clean(text).upper()


def points(value, decimals: int | None = None) -> str:
    """A score the Vietnamese way ('45,5'); '—' for a missing one."""
    if value is None or value == "":
        return "—"
    return format_number(value, decimals)


def place_from(organizer: str) -> str:
    """'Ủy ban nhân dân huyện Kon Rẫy' → 'Kon Rẫy'."""
    m = _PLACE_RE.search(clean(organizer))
    return m.group(2).strip() if m else ""


def split_issuer(issuer: str) -> str:
    """'ỦY BAN NHÂN DÂN HUYỆN KON RẪY' → 'ỦY BAN NHÂN DÂN\\nHUYỆN KON RẪY' (two header lines)."""
    if issuer.startswith(_UBND + " "):
        return _UBND + "\n" + issuer[len(_UBND) + 1:]
    return issuer


def two_lines(name: str, width: int = 19) -> str:
    """A body name longer than a header column holds, broken into two balanced lines
    ('BAN GIÁM KHẢO\nHỘI THI') instead of leaving Word to strand a last word."""
    words = name.split()
    if len(name) <= width or len(words) < 2:
        return name
    head, sep, tail = name.partition(" HỘI THI")
    if sep and head:  # "BAN GIÁM KHẢO" / "HỘI THI ..."
        return head + "\n" + (sep + tail).strip()
    best = min(range(1, len(words)),
               key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))))
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


def abbreviate(issuer: str) -> str:
    """The governing body as it stands above a committee's name: 'UBND HUYỆN KON RẪY'."""
    return issuer.replace(_UBND, "UBND", 1)


def recipient_lines(items) -> list[str]:
    """Decree-30 'Nơi nhận' lines: '- X;' each, the last one ending in '.'."""
    lines = [clean(x).lstrip("-–• ").rstrip(";.,").strip() for x in items]
    lines = [x for x in lines if x]
    return [f"- {x};" if i < len(lines) - 1 else f"- {x}." for i, x in enumerate(lines)]


class ContestView:
    """The contest of a ``hoithi/1`` document, with look-ups by key."""

    def __init__(self, doc: dict):
        if not isinstance(doc, dict) or not isinstance(doc.get("contest"), dict):
            raise ContestError("Tài liệu hội thi không có khóa 'contest'", field="contest")
        self.data: dict = doc["contest"]
        self.rules: Rules = rules_from_dict(self.data.get("rules"), "contest.rules")
        self.teams: list[dict] = list(self.data.get("teams") or [])
        self.judges: list[dict] = list(self.data.get("judges") or [])
        self.team_by_key = {t["key"]: t for t in self.teams}
        self.member_by_key: dict[str, tuple[dict, dict]] = {
            m["key"]: (m, t) for t in self.teams for m in t.get("members") or []}
        self.judge_by_key = {j["key"]: j for j in self.judges}
        p = self.rules.prizes
        self.prize_by_key = {x.key: x for x in (*p.collective, *p.special, *p.individual)}

    # ------------------------------------------------------------------ names
    @property
    def name(self) -> str:
        return clean(self.data.get("name"))

    @property
    def date(self) -> dt.date | None:
        raw = self.data.get("date")
        try:
            return dt.date.fromisoformat(str(raw)[:10]) if raw else None
        except ValueError:
            return None

    def team_name(self, key: str) -> str:
        team = self.team_by_key.get(key)
        return clean(team["name"]) if team else clean(key)

    def member_name(self, key: str) -> str:
        found = self.member_by_key.get(key)
        return clean(found[0]["name"]) if found else clean(key)

    def judge_name(self, key: str) -> str:
        judge = self.judge_by_key.get(key)
        return clean(judge["name"]) if judge else clean(key)

    def prize_name(self, key: str) -> str:
        if not key:
            return "không có giải"
        prize = self.prize_by_key.get(key)
        return clean(prize.name) if prize else clean(key)

    def candidate_name(self, key: str) -> str:
        """A tie candidate: a team, or a member with their team."""
        if key in self.team_by_key:
            return self.team_name(key)
        if key in self.member_by_key:
            member, team = self.member_by_key[key]
            return f"{clean(member['name'])} ({clean(team['name'])})"
        return clean(key)

    def part_name(self, key: str) -> str:
        part = self.rules.part(key)
        return clean(part.name) if part else clean(key)

    def member_line(self, key: str) -> str:
        """'Phó Chủ tịch UBND, UBND Thị trấn Đăk Rve' for an individual award."""
        found = self.member_by_key.get(key)
        if not found:
            return ""
        member, team = found
        bits = [clean(member.get("position")), clean(member.get("workplace")) or clean(team.get("unit"))]
        return ", ".join(b for b in bits if b)

    def score(self, value) -> str:
        return points(value, self.rules.decimals)

    # --------------------------------------------------------------- settings
    @cached_property
    def settings(self) -> dict:
        given = self.data.get("documents") or {}
        if not isinstance(given, dict):
            raise ContestError("contest.documents phải là một đối tượng", field="contest.documents")
        organizer = clean(self.data.get("organizer"))
        issuer = upper(given.get("issuer") or organizer or "BAN TỔ CHỨC HỘI THI")
        symbol = "UBND" if issuer.startswith(_UBND) else "BTC"
        defaults: dict[str, Any] = {
            "issuer": issuer,
            "issuer_parent": "",
            "place": place_from(organizer) or place_from(issuer.title()),
            "date": self.data.get("date") or "",
            "number_symbol": f"      /QĐ-{symbol}",
            "report_number_symbol": f"      /BC-{symbol}",
            "signer_name": "",
            "signer_title": "PHÓ CHỦ TỊCH",
            "signer_on_behalf": f"TM. {_UBND}" if issuer.startswith(_UBND) else "",
            "signer_deputy": "KT. CHỦ TỊCH",
            "awarder": f"CHỦ TỊCH {issuer}",
            "recipients": ["Như Điều 3", "Sở Nội vụ (b/c)", "TT Huyện ủy (b/c)",
                           "TT HĐND huyện (b/c)", "CT, các PCT UBND huyện", "Lưu: VT"],
            "report_to": "Sở Nội vụ",
            "report_recipients": None,
            "proposer": "Trưởng phòng Nội vụ",
            "executors": ("Chánh Văn phòng HĐND và UBND huyện, Trưởng phòng Nội vụ, "
                          "Trưởng phòng Tài chính - Kế hoạch, Thủ trưởng các cơ quan, đơn vị "
                          "có liên quan và các tập thể, cá nhân có tên tại Điều 1"),
            "funding": "kinh phí tổ chức Hội thi",
            "bases": None,
            "committee": "BAN TỔ CHỨC HỘI THI",
            "jury": "BAN GIÁM KHẢO HỘI THI",
            "draft": True,
            "certificate_title": "GIẤY KHEN",
            "certificate_give": "TẶNG",
            "certificate_reason": "Đã có thành tích xuất sắc, đạt",
        }
        out = {k: given.get(k, v) for k, v in defaults.items()}
        for key in ("issuer", "issuer_parent", "signer_title", "signer_on_behalf",
                    "signer_deputy", "awarder", "committee", "jury", "certificate_title",
                    "certificate_give"):
            out[key] = upper(out[key] or "")
        for key in ("place", "signer_name", "report_to", "proposer", "executors", "funding",
                    "certificate_reason"):
            out[key] = clean(out[key] or "")
        for key in ("number_symbol", "report_number_symbol"):
            out[key] = blanks(out[key])
        if out["report_recipients"] is None:
            out["report_recipients"] = [f"{out['report_to']} (b/c)"] + [
                r for r in defaults["recipients"][2:]]
        if out["bases"] is None:
            out["bases"] = default_bases(self.date)
        return out

    @property
    def place_date(self) -> str:
        s = self.settings
        try:
            return format_long_date(str(s["date"])[:10], s["place"] or None)
        except ValueError:
            return f"{s['place']}, ngày     tháng     năm" if s["place"] else "ngày     tháng     năm"

    @property
    def long_date(self) -> str:
        return format_long_date(self.date) if self.date else "ngày     tháng     năm"

    def sign(self, *, lines: list[str] | None = None, name: str | None = None) -> dict:
        """The signature block: bold capital lines, then the name (or a dotted line)."""
        s = self.settings
        if lines is None:
            lines = [s["signer_on_behalf"], s["signer_deputy"], s["signer_title"]]
        if name is None:
            name = s["signer_name"]
        lines = [x for x in lines if x]
        return {"lines": lines, "heading": "\n".join(lines), "name": name or DOTTED_NAME}

    def header(self, *, body: str | None = None, number: str = "") -> dict:
        """The Decree-30 header: the issuing body on the left (with its governing body above
        when ``body`` is a committee), number and symbol under it, place and date right."""
        s = self.settings
        if body:
            parent, issuer = abbreviate(s["issuer"]), two_lines(body)
        else:
            parent, issuer = s["issuer_parent"], split_issuer(s["issuer"])
        return {"parent": parent, "issuer": issuer,
                "number": f"Số: {number.lstrip(' ')}" if number.strip() else "",
                "place_date": self.place_date}


def default_bases(date: dt.date | None) -> list[str]:
    """The legal grounds an award decision of a district People's Committee cites, by the
    law in force on the contest date (the Law on Emulation and Commendation of 2022 applies
    from 1 January 2024). Organisers override them with ``documents.bases``."""
    bases = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, "
             "bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa "
             "phương ngày 22 tháng 11 năm 2019;"]
    if date is not None and date < dt.date(2024, 1, 1):
        bases += ["Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003; Luật sửa đổi, bổ "
                  "sung một số điều của Luật Thi đua, khen thưởng ngày 14 tháng 6 năm 2005 và "
                  "ngày 16 tháng 11 năm 2013;",
                  "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy "
                  "định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;"]
    else:
        bases += ["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
                  "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy "
                  "định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;"]
    return bases
