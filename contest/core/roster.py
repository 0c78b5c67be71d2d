"""Team rosters against the rules: how many members and invited guests a team may have,
and which parts a performer may be listed in.

Pure: takes plain member records, returns nothing or raises :class:`ContestError` naming the
team and the field. It does not know how members are stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ContestError
from .rules import TeamLimits

KINDS = ("member", "guest")


@dataclass(frozen=True)
class MemberRecord:
    key: str
    name: str
    kind: str = "member"
    roles: tuple[str, ...] = ()


def check_roster(team_name: str, members: list[MemberRecord], limits: TeamLimits,
                 part_keys: tuple[str, ...] | set[str], path: str = "members") -> None:
    """Refuse a roster that breaks the rules; name the team in the message."""
    seen: set[str] = set()
    for i, m in enumerate(members):
        if m.kind not in KINDS:
            raise ContestError(f"{team_name}: loại thành viên '{m.kind}' không hợp lệ "
                               "(member hoặc guest)", field=f"{path}[{i}].kind")
        if m.key in seen:
            raise ContestError(f"{team_name}: trùng mã thành viên '{m.key}'",
                               field=f"{path}[{i}].key")
        seen.add(m.key)
        for j, role in enumerate(m.roles):
            if role not in part_keys:
                raise ContestError(f"{team_name}: thành viên '{m.name}' được phân vào phần "
                                   f"thi '{role}' không có trong thể lệ",
                                   field=f"{path}[{i}].roles[{j}]")
    n_members = sum(1 for m in members if m.kind == "member")
    n_guests = sum(1 for m in members if m.kind == "guest")
    if n_members > limits.max_members:
        raise ContestError(f"{team_name} có {n_members} thành viên, vượt quá tối đa "
                           f"{limits.max_members} theo thể lệ", field=path, code="team_limit")
    if n_guests > limits.max_guests:
        raise ContestError(f"{team_name} có {n_guests} người được mời phối hợp, vượt quá "
                           f"tối đa {limits.max_guests} theo thể lệ", field=path, code="team_limit")
