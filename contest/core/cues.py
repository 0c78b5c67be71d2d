"""What the MC says at each step of the run of show, in Vietnamese, filled with the names of
the team, unit, part and phase (the console shows it as the script cue). Pure."""

from __future__ import annotations

from .show import Step
from .timer import format_duration


def _lower_first(text: str) -> str:
    """'Chào cờ' → 'chào cờ', but 'UBND huyện' stays (an acronym keeps its capitals)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _part_phrase(part_name: str | None) -> str:
    if not part_name:
        return "phần thi"
    if part_name.lower().startswith("phần thi"):
        return _lower_first(part_name)
    return f"phần thi {part_name}"


def script_cue(step: Step, team_name: str | None = None, unit_name: str | None = None,
               part_name: str | None = None, phase_name: str | None = None,
               seconds: int | None = None, *, opens_part: bool = True) -> str:
    """What the MC says at ``step``, in Vietnamese, filled with the names given.

    ``opens_part`` (see :func:`contest.core.show.opens_part`) tells a phase that starts a part ("Xin mời ...
    bước vào phần thi ...") from one that continues it ("Xin mời ... bắt đầu trả lời")."""
    team = team_name or "đội thi"
    who = f"{team} ({unit_name})" if unit_name else team
    part = _part_phrase(part_name)
    limit = f" Thời gian tối đa {format_duration(seconds)}." if seconds else ""
    then = _lower_first(step.title)
    cues = {
        "programme": f"Kính thưa quý vị đại biểu, tiếp theo chương trình là phần {then}.",
        "team": f"Xin mời {who} lên sân khấu dự thi.",
        "draw": f"Xin mời đại diện {who} lên bốc thăm câu hỏi {part}.",
        "question": f"Xin mời Ban Giám khảo đọc câu hỏi chính dành cho {team}.",
        "phase": (f"Xin mời {who} bước vào {part}.{limit}" if opens_part else
                  f"Xin mời {team} bắt đầu {_lower_first(phase_name or 'phần tiếp theo')}.{limit}"),
        "follow_up": f"Xin mời Ban Giám khảo đặt câu hỏi phụ cho {team}, "
                     "nếu Ban Giám khảo thấy cần thiết.",
        "scoring": f"Xin mời Ban Giám khảo chấm điểm {part} của {team}.",
        "results": f"Kính thưa quý vị đại biểu, sau đây là phần {then}.",
        "reveal": (f"Xin trân trọng công bố: {step.title} thuộc về {who}." if team_name
                   else f"Xin trân trọng công bố {then}."),
    }
    return cues[step.kind]
