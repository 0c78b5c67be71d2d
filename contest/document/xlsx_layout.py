"""The layout of the contest workbook: which sheets, which columns, their Vietnamese
headers and the words accepted for them, and where each value lives in the document
(see :mod:`contest.document.workbook` for the table). Data only: no reading, no writing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .xlsx_cells import ABSENT, Bool, Codec, CommaList, Date, Enum, Json, Key, Number, Text, YesNo

FORMAT = "hoithi/1"
META_HEADER = "_meta"
EXTRA_SHEET = "_extra"


@dataclass
class Col:
    """One column: where its value lives in the item, its header and how it is written."""

    id: str
    header: str
    codec: Codec
    what: str = ""                 # for messages: "Mã đội"
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: float = 16
    path: tuple = ()               # within the item; default (id,)

    def __post_init__(self):
        if not self.path:
            self.path = (self.id,)
        if not self.what:
            self.what = self.header


@dataclass
class Sheet:
    name: str
    cols: list[Col]
    link: Col | None = None        # the parent's key (not stored in the item)
    order: tuple[str, ...] = ()    # key order of the rebuilt item
    choices: bool = False          # the question sheet's Phương án A.. columns
    criteria: bool = False         # the score sheet's Tiêu chí: <key> columns
    note: str = ""

    def col(self, cid: str) -> Col:
        return next(c for c in self.cols if c.id == cid)


def _key(what: str, header: str = "Mã", **kw) -> Col:
    return Col("key", header, Key(), what=what, required=True, aliases=("ma", "key"), width=14,
               **kw)


def _link(what: str, header: str, aliases: tuple[str, ...] = (), codec: Codec | None = None,
          width: float = 14) -> Col:
    """The column naming the row's parent (or its group: prize kind, draw kind)."""
    return Col("_link", header, Key() if codec is None else codec, what=what, required=True,
               aliases=aliases, width=width)


_KIND_MEMBER = Enum(("member", "guest"), {
    "thành viên": "member", "thanh vien": "member", "tv": "member",
    "khách mời": "guest", "khach moi": "guest", "người được mời": "guest",
    "người được mời phối hợp": "guest", "khách": "guest", "mời": "guest"})
_KIND_QUESTION = Enum(("open", "choice"), {
    "tự luận": "open", "hỏi đáp": "open", "mở": "open",
    "trắc nghiệm": "choice", "lựa chọn": "choice", "abcd": "choice"})
_STATUS = Enum(("submitted", "approved", "rejected", "used"), {
    "đã gửi": "submitted", "chờ duyệt": "submitted", "mới": "submitted",
    "đã duyệt": "approved", "duyệt": "approved",
    "không duyệt": "rejected", "từ chối": "rejected", "loại": "rejected",
    "đã dùng": "used", "đã sử dụng": "used"})
_AGGREGATION = Enum(("mean", "median", "trimmed_mean"), {
    "trung bình": "mean", "trung bình cộng": "mean", "trung vị": "median",
    "trung bình cắt": "trimmed_mean", "trung bình bỏ cao nhất thấp nhất": "trimmed_mean"})
PRIZE_KINDS = ("collective", "special", "individual")
_PRIZE_KIND = Enum(PRIZE_KINDS, {
    "tập thể": "collective", "giải tập thể": "collective",
    "giải phụ": "special", "đặc biệt": "special", "giải đặc biệt": "special",
    "cá nhân": "individual", "giải cá nhân": "individual"}, strict=True)
_DRAW_KIND = Enum(("questions", "order"), {
    "câu hỏi": "questions", "bốc thăm câu hỏi": "questions",
    "thứ tự": "order", "thứ tự thi": "order", "bốc thăm thứ tự": "order"})



def _draw_link() -> Col:
    return _link("Loại bốc thăm", "Loại bốc thăm", ("loai",), _DRAW_KIND, width=16)


PARTS = Sheet("Phần thi", [
    _key("Mã phần thi"),
    Col("name", "Tên", Text(ABSENT), what="Tên phần thi", required=True,
        aliases=("ten phan thi",), width=32),
    Col("penalty_points", "Phạt quá giờ: điểm", Number(), path=("overtime_penalty", "points"),
        aliases=("phat qua gio diem", "diem phat"), width=18),
    Col("penalty_seconds", "Phạt quá giờ: mỗi số giây", Number(integer=True),
        path=("overtime_penalty", "per_seconds"), aliases=("phat qua gio moi so giay",
                                                           "moi so giay"), width=22),
    Col("drawn", "Bốc thăm câu hỏi", YesNo(), aliases=("boc tham", "drawn"), width=16),
], order=("key", "name", "phases", "criteria", "overtime_penalty", "drawn"),
    note="Bốc thăm câu hỏi: có/không; để trống cả cột thì phần thi trắc nghiệm và phần thi có "
         "giai đoạn hội ý được bốc thăm")

PHASES = Sheet("Giai đoạn", [
    _key("Mã giai đoạn"),
    Col("name", "Tên", Text(ABSENT), what="Tên giai đoạn", required=True, width=28),
    Col("seconds", "Thời gian (giây)", Number(integer=True), what="Thời gian (giây)",
        aliases=("thoi gian", "so giay", "giay"), width=16),
], link=_link("Phần thi", "Phần thi", ("ma phan thi",)), order=("key", "name", "seconds"))

CRITERIA = Sheet("Tiêu chí", [
    _key("Mã tiêu chí"),
    Col("name", "Tên", Text(ABSENT), what="Tên tiêu chí", required=True,
        aliases=("ten tieu chi", "tieu chi"), width=32),
    Col("max", "Điểm tối đa", Number(), aliases=("diem toi da", "toi da", "diem"), width=14),
], link=_link("Phần thi", "Phần thi", ("ma phan thi",)), order=("key", "name", "max"))

PRIZES = Sheet("Giải thưởng", [
    _key("Mã giải"),
    Col("name", "Tên", Text(ABSENT), what="Tên giải", required=True, aliases=("ten giai",),
        width=36),
    Col("count", "Số lượng", Number(integer=True), aliases=("so giai",), width=10),
    Col("amount", "Tiền thưởng", Number(integer=True), aliases=("so tien", "tien thuong dong"),
        width=14),
    Col("part", "Phần thi", Key(), aliases=("ma phan thi", "theo phan thi"), width=14),
], link=_link("Loại giải", "Loại", ("loai giai",), _PRIZE_KIND),
    order=("key", "name", "count", "amount", "part"),
    note="Loại: collective (tập thể), special (giải phụ theo phần thi), individual (cá nhân)")

UNITS = Sheet("Đơn vị", [
    _key("Mã đơn vị"),
    Col("name", "Tên", Text(ABSENT), what="Tên đơn vị", required=True,
        aliases=("ten don vi", "don vi"), width=36),
], order=("key", "name"))

TEAMS = Sheet("Đội thi", [
    _key("Mã đội"),
    Col("name", "Tên đội", Text(ABSENT), what="Tên đội", required=True, aliases=("ten",),
        width=36),
    Col("unit", "Đơn vị", Text(), aliases=("don vi du thi",), width=30),
], order=("key", "name", "unit", "members"))

MEMBERS = Sheet("Thành viên", [
    _key("Mã thành viên"),
    Col("name", "Họ và tên", Text(ABSENT), what="Họ và tên", required=True,
        aliases=("ho ten", "ten"), width=28),
    Col("position", "Chức vụ", Text(), width=30),
    Col("workplace", "Nơi công tác", Text(), aliases=("don vi cong tac", "co quan"), width=30),
    Col("kind", "Loại", _KIND_MEMBER, aliases=("loai member guest", "loai thanh vien"), width=12),
    Col("roles", "Phần thi tham gia", CommaList(), aliases=("phan thi", "vai tro"), width=22),
], link=_link("Đội", "Đội", ("ma doi", "doi thi")),
    order=("key", "name", "position", "workplace", "kind", "roles"))

JUDGES = Sheet("Giám khảo", [
    _key("Mã giám khảo"),
    Col("name", "Họ và tên", Text(ABSENT), what="Họ và tên", required=True,
        aliases=("ho ten", "ten"), width=28),
    Col("title", "Chức vụ", Text(), aliases=("chuc danh",), width=40),
    Col("head", "Trưởng ban (x)", Bool(), aliases=("truong ban",), width=14),
], order=("key", "name", "title", "head"))

QUESTIONS = Sheet("Câu hỏi", [
    _key("Mã câu hỏi"),
    Col("kind", "Loại", _KIND_QUESTION, aliases=("loai cau hoi",), width=10),
    Col("text", "Nội dung", Text(ABSENT), what="Nội dung câu hỏi", required=True,
        aliases=("cau hoi", "noi dung cau hoi"), width=60),
    Col("answer", "Đáp án", Text(), aliases=("dap an goi y", "goi y tra loi", "goi y cham"),
        width=50),
    Col("field", "Lĩnh vực", Text(), width=24),
    Col("office", "Cơ quan soạn", Text(), aliases=("co quan soan cau hoi",), width=24),
    Col("basis", "Căn cứ", Text(), aliases=("van ban can cu",), width=30),
    Col("points", "Điểm", Number(), width=8),
    Col("status", "Trạng thái", _STATUS, width=12),
], choices=True,
    order=("key", "kind", "text", "choices", "answer", "field", "office", "basis", "points",
           "follow_ups", "status"))

FOLLOW_UPS = Sheet("Câu hỏi phụ", [
    Col("_order", "Thứ tự", Number(integer=True), aliases=("stt",), width=8),
    Col("text", "Nội dung", Text(ABSENT), what="Nội dung câu hỏi phụ", required=True,
        aliases=("cau hoi phu",), width=60),
    Col("answer", "Đáp án", Text(), width=50),
    Col("points", "Điểm", Number(), width=8),
], link=_link("Câu hỏi", "Câu hỏi", ("ma cau hoi", "cau hoi chinh")),
    order=("text", "answer", "points"))

PROGRAMME = Sheet("Chương trình", [
    _key("Mã bước"),
    Col("name", "Nội dung", Text(ABSENT), what="Nội dung", required=True, aliases=("ten",),
        width=50),
    Col("kind", "Loại", Enum(("plain", "contest", "results"), {
        "thường": "plain", "phần thi": "contest", "các phần thi": "contest",
        "kết quả": "results", "công bố kết quả": "results"}), width=12),
], order=("key", "name", "kind"))

OFFICES = Sheet("Cơ quan soạn câu hỏi", [
    _key("Mã cơ quan"),
    Col("name", "Tên", Text(ABSENT), what="Tên cơ quan", required=True,
        aliases=("ten co quan", "co quan"), width=40),
], order=("key", "name"))

SCORES = Sheet("Phiếu chấm", [
    Col("judge", "Giám khảo", Key(), what="Giám khảo", required=True,
        aliases=("ma giam khao",), width=12),
    Col("team", "Đội", Key(), what="Đội", required=True, aliases=("ma doi", "doi thi"), width=14),
    Col("part", "Phần thi", Key(), what="Phần thi", required=True, aliases=("ma phan thi",),
        width=12),
    Col("id", "Mã phiếu", Text(ABSENT), aliases=("id",), width=20),
    Col("comment", "Nhận xét", Text(ABSENT), width=30),
    Col("source", "Nguồn", Enum(("tablet", "paper", "api"), {
        "máy tính bảng": "tablet", "phiếu giấy": "paper", "giấy": "paper"}), width=10),
    Col("at", "Thời điểm", Text(ABSENT), aliases=("thoi gian",), width=26),
], criteria=True, order=("judge", "team", "part", "criteria", "id", "comment", "source", "at"))

NOMINATIONS = Sheet("Đề cử", [
    Col("judge", "Giám khảo", Key(), what="Giám khảo", required=True, width=12),
    Col("prize", "Giải", Key(), what="Giải", required=True, aliases=("ma giai",), width=18),
    Col("member", "Thành viên", Key(), what="Thành viên", required=True,
        aliases=("ma thanh vien",), width=18),
], order=("judge", "prize", "member"))

DRAWS = Sheet("Bốc thăm", [
    Col("commitment", "Mã cam kết", Text(ABSENT), aliases=("commitment",), width=66),
    Col("salt", "Chuỗi bí mật", Text(ABSENT), aliases=("salt",), width=36),
    Col("revealed", "Đã công bố", Bool(), aliases=("revealed", "cong bo"), width=12),
], link=_draw_link(),
    order=("commitment", "salt", "lots", "revealed", "drawn"),
    note="Loại bốc thăm: questions (câu hỏi) hoặc order (thứ tự thi)")

LOTS = Sheet("Lá thăm", [
    Col("lot", "Lá thăm số", Key(), what="Lá thăm số", required=True,
        aliases=("la tham", "so"), width=12),
    Col("value", "Mã", Text(ABSENT), what="Mã câu hỏi/đội", aliases=("noi dung",), width=20),
], link=_draw_link())

DRAWN = Sheet("Lượt bốc thăm", [
    Col("lot", "Lá thăm", Number(integer=True), aliases=("la tham so",), width=10),
    Col("team", "Đội", Key(), aliases=("ma doi",), width=14),
    Col("question", "Câu hỏi", Key(), aliases=("ma cau hoi",), width=14),
    Col("at", "Thời điểm", Text(ABSENT), width=26),
], link=_draw_link(), order=("lot", "team", "question", "at"))

DECISIONS = Sheet("Quyết định", [
    Col("kind", "Loại", Text(ABSENT), what="Loại quyết định", required=True, width=18),
    Col("data", "Dữ liệu (JSON)", Json(), aliases=("du lieu",), width=50),
    Col("reason", "Lý do", Text(ABSENT), width=40),
    Col("by", "Người quyết định", Text(ABSENT), aliases=("nguoi thuc hien",), width=18),
    Col("at", "Thời điểm", Text(ABSENT), width=26),
], order=("kind", "data", "reason", "by", "at"))

AUDIT = Sheet("Nhật ký", [
    Col("at", "Thời điểm", Text(ABSENT), width=26),
    Col("actor", "Người thực hiện", Text(ABSENT), width=18),
    Col("device", "Thiết bị", Text(ABSENT), width=18),
    Col("action", "Thao tác", Text(ABSENT), what="Thao tác", required=True, width=22),
    Col("target", "Đối tượng", Text(ABSENT), width=22),
    Col("old", "Giá trị cũ (JSON)", Json(), aliases=("gia tri cu",), width=30),
    Col("new", "Giá trị mới (JSON)", Json(), aliases=("gia tri moi",), width=30),
    Col("reason", "Lý do", Text(ABSENT), width=30),
], order=("at", "actor", "device", "action", "target", "old", "new", "reason"))


@dataclass
class KV:
    label: str
    path: tuple                    # from the document root
    codec: Codec
    aliases: tuple[str, ...] = ()


CONTEST_KV = [
    KV("Tên hội thi", ("contest", "name"), Text(), ("ten",)),
    KV("Cơ quan tổ chức", ("contest", "organizer"), Text(), ("don vi to chuc",)),
    KV("Ngày", ("contest", "date"), Date(), ("ngay thi", "ngay to chuc")),
    KV("Địa điểm", ("contest", "venue"), Text()),
    KV("Công khai kết quả", ("contest", "results_public"), Bool()),
    KV("Trạng thái sân khấu (JSON)", ("contest", "stage"), Json(None), ("trang thai san khau",)),
    KV("Tài liệu (JSON)", ("contest", "documents"), Json(None), ("tai lieu",)),
    KV("Định dạng tệp", ("format",), Text(), ("dinh dang",)),
]
_R = ("contest", "rules")
RULES_KV = [
    KV("Số thành viên tối đa của mỗi đội", _R + ("team", "max_members"), Number(integer=True),
       ("so thanh vien toi da", "max_members")),
    KV("Số người được mời phối hợp tối đa", _R + ("team", "max_guests"), Number(integer=True),
       ("so khach moi toi da", "max_guests")),
    KV("Cách tổng hợp điểm (mean, median, trimmed_mean)", _R + ("aggregation",), _AGGREGATION,
       ("cach tong hop diem", "aggregation")),
    KV("Số chữ số thập phân", _R + ("decimals",), Number(integer=True), ("decimals",)),
    KV("Bước điểm", _R + ("score_step",), Number(), ("score_step",)),
    KV("Thứ tự phần thi xét khi bằng điểm", _R + ("tie_break",), CommaList(),
       ("xet khi bang diem", "tie_break")),
]
KV_SHEETS = {"Hội thi": CONTEST_KV, "Thể lệ": RULES_KV}


def kv_key(spec: KV) -> str:
    """The code in the hidden Mã column: the path without 'contest' and 'rules'."""
    path = spec.path[1:] if spec.path[0] == "contest" else spec.path
    path = path[1:] if path[0] == "rules" else path
    return ".".join(path)


KV_HEADERS = ("Trường", "Giá trị", "Mã")

LIST_SHEETS = [PARTS, PHASES, CRITERIA, PRIZES, UNITS, TEAMS, MEMBERS, JUDGES, QUESTIONS,
               FOLLOW_UPS, PROGRAMME]
OPTIONAL_SHEETS = [OFFICES, SCORES, NOMINATIONS, DRAWS, LOTS, DRAWN, DECISIONS, AUDIT]
SHEETS = {s.name: s for s in LIST_SHEETS + OPTIONAL_SHEETS}
REQUIRED_SHEETS = ("Hội thi", "Thể lệ", "Phần thi", "Tiêu chí", "Đội thi", "Giám khảo")
SHEET_NAMES = ("Hội thi", "Thể lệ") + tuple(s.name for s in LIST_SHEETS + OPTIONAL_SHEETS)
OPTIONAL_KEY = {OFFICES.name: "offices", SCORES.name: "scores", NOMINATIONS.name: "nominations",
                DRAWS.name: "draws", DECISIONS.name: "decisions", AUDIT.name: "audit"}
