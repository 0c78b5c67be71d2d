"""Word's automatic numbering, rendered as the text a reader sees.

Offices often let Word number their questions ("Câu %1:" in the numbering definition) and
the choices ("%1." as upper-case letters). That text is not in the paragraph, so it is
computed here from ``word/numbering.xml``: the paragraph's ``w:numPr`` (or its style's) names
a list instance, whose abstract definition gives each level's format, text and start.

Counting follows Word: instances of the same abstract list continue one another unless an
instance restarts a level (``w:startOverride``); a level counting up resets the deeper ones.
Bullets render as nothing. Only what the reader sees is produced; layout is ignored.
"""

from __future__ import annotations

from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _val(element: Any, tag: str) -> str | None:
    child = element.find(W + tag) if element is not None else None
    return child.get(W + "val") if child is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _format(n: int, fmt: str) -> str:
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class Numbering:
    """The numbering of one document; call :meth:`label` on paragraphs in document order."""

    def __init__(self, document: Any):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.instances: dict[str, str] = {}  # numId → abstractNumId
        self.overrides: dict[tuple[str, int], int] = {}  # (numId, level) → restart value
        self.counters: dict[tuple[str, int], int] = {}  # (abstractNumId, level) → count
        self.restarted: set[tuple[str, int]] = set()
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is not None:
            for abstract in root.iter(W + "abstractNum"):
                abstract_id = abstract.get(W + "abstractNumId")
                for level in abstract.iter(W + "lvl"):
                    ilvl = _int(level.get(W + "ilvl"), 0)
                    self.levels[(abstract_id, ilvl)] = (
                        _val(level, "numFmt") or "decimal", _val(level, "lvlText") or "",
                        _int(_val(level, "start"), 1))
            for num in root.iter(W + "num"):
                num_id = num.get(W + "numId")
                self.instances[num_id] = _val(num, "abstractNumId")
                for override in num.iter(W + "lvlOverride"):
                    start = _val(override, "startOverride")
                    if start is not None:
                        self.overrides[(num_id, _int(override.get(W + "ilvl"), 0))] = \
                            _int(start, 1)
        try:
            for style in document.styles.element.iter(W + "style"):
                ppr = style.find(W + "pPr")
                numpr = ppr.find(W + "numPr") if ppr is not None else None
                self.styles[style.get(W + "styleId")] = (
                    _val(numpr, "numId"), _val(numpr, "ilvl"), _val(style, "basedOn"))
        except AttributeError:
            pass

    def _numpr(self, paragraph: Any) -> tuple[str | None, int]:
        ppr = paragraph.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        num_id, ilvl = _val(numpr, "numId"), _val(numpr, "ilvl")
        style = _val(ppr, "pStyle")
        for _ in range(5):  # a style, or the style it is based on, may carry the numbering
            if num_id is not None or style not in self.styles:
                break
            num_id, style_ilvl, style = self.styles[style]
            ilvl = ilvl if ilvl is not None else style_ilvl
        return num_id, _int(ilvl, 0)

    def label(self, paragraph: Any) -> str:
        """The number Word shows before this paragraph ("Câu 3:", "B."), or ""."""
        num_id, ilvl = self._numpr(paragraph)
        abstract = self.instances.get(num_id or "")
        if num_id in (None, "0") or abstract is None or (abstract, ilvl) not in self.levels:
            return ""
        fmt, text, start = self.levels[(abstract, ilvl)]
        key = (abstract, ilvl)
        if (num_id, ilvl) in self.overrides and (num_id, ilvl) not in self.restarted:
            self.restarted.add((num_id, ilvl))
            self.counters[key] = self.overrides[(num_id, ilvl)] - 1
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for deeper in range(ilvl + 1, 9):
            self.counters.pop((abstract, deeper), None)
        if fmt in ("bullet", "none"):
            return ""
        for level in range(9):
            placeholder = f"%{level + 1}"
            if placeholder in text:
                level_fmt, _, level_start = self.levels.get((abstract, level), ("decimal", "", 1))
                count = self.counters.get((abstract, level), level_start)
                text = text.replace(placeholder, _format(count, level_fmt))
        return text
