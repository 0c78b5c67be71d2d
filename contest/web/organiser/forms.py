"""The organisers' forms (WTForms, CSRF through Flask-WTF). Messages in Vietnamese.

Numbers are typed the Vietnamese way or the plain way: "2,5" and "2.5" are two and a half,
"5.000.000" and "5000000" are five million (whole-number fields take dots as thousands).
Durations are "mm:ss" or a number of seconds. Dates "dd/mm/yyyy" or ISO (a date input).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, RadioField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import ValidationError

from ...core.rules import AGGREGATIONS  # noqa: F401  (the keys of AGGREGATION_LABELS)
from .fields import DateField, DurationField, MultiCheckboxField, NumberField, Text

AGGREGATION_LABELS = [("mean", _l("Trung bình cộng")), ("median", _l("Trung vị")),
                      ("trimmed_mean", _l("Trung bình sau khi bỏ điểm cao nhất và thấp nhất (từ 5 giám khảo)"))]
KIND_CHOICES = [("member", lazy_pgettext("loại người", "Thành viên")), ("guest", _l("Người được mời phối hợp"))]
PROGRAMME_KIND_CHOICES = [("", _l("Tự nhận theo mã")), ("plain", _l("Nghi thức")), ("contest", _l("Các đội dự thi")),
                          ("results", _l("Công bố kết quả, trao giải"))]


class Revision(FlaskForm):
    """Every setup form sends back the contest's revision it was built from."""

    revision = HiddenField()

    def validate_revision(self, field):
        if not str(field.data or "").isdigit():
            raise ValidationError(_("Thiếu số phiên bản của biểu mẫu; hãy tải lại trang"))

    @property
    def revision_value(self) -> int:
        return int(self.revision.data)


# --------------------------------------------------------------------------- contest


class NewContestForm(FlaskForm):
    name = Text(_l("Tên hội thi"), max_len=300)
    organizer = Text(_l("Cơ quan tổ chức"), max_len=300)
    date = DateField(_l("Ngày tổ chức"))
    venue = Text(_l("Địa điểm"), max_len=300)


class ContestForm(NewContestForm, Revision):
    pass


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp hội thi (.json hoặc .xlsx)"))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_("Chọn một tệp .json hoặc .xlsx"))


# --------------------------------------------------------------------------- rules


class GeneralRulesForm(Revision):
    max_members = NumberField(_l("Số thành viên tối đa mỗi đội"), integer=True, minimum=1, required=True)
    max_guests = NumberField(_l("Số người được mời phối hợp tối đa mỗi đội"), integer=True, minimum=0, required=True)
    aggregation = SelectField(_l("Cách tổng hợp điểm của các giám khảo"), choices=AGGREGATION_LABELS,
                              validate_choice=False)
    decimals = SelectField(_l("Số chữ số thập phân khi làm tròn"),
                           choices=[(str(i), str(i)) for i in range(5)], validate_choice=False)
    score_step = NumberField(_l("Bước điểm (ví dụ 0,5)"), positive=True, required=True)
    tie_break = FieldList(SelectField(_l("Ưu tiên"), validate_choice=False), min_entries=0)


class PhaseRow(Form):
    key = Text(_l("Mã"), max_len=64)
    name = Text(_l("Tên giai đoạn"), max_len=500)
    seconds = DurationField(_l("Thời lượng"))
    delete = BooleanField(_l("Xóa"))

    def validate_seconds(self, field):
        if not self.blank and not self.delete.data and field.data is None and not field.raw_error:
            raise ValidationError(_("Nhập thời lượng"))

    @property
    def blank(self) -> bool:
        return not (self.key.data or self.name.data or self.seconds.raw.strip())


class CriterionRow(Form):
    key = Text(_l("Mã"), max_len=64)
    name = Text(_l("Tên tiêu chí"), max_len=500)
    max = NumberField(_l("Điểm tối đa"), positive=True)
    delete = BooleanField(_l("Xóa"))

    def validate_max(self, field):
        if not self.blank and not self.delete.data and field.data is None and not field.raw_error:
            raise ValidationError(_("Nhập điểm tối đa"))

    @property
    def blank(self) -> bool:
        return not (self.key.data or self.name.data or self.max.raw.strip())


class PartForm(Revision):
    key = Text(_l("Mã phần thi"), max_len=64)
    name = Text(_l("Tên phần thi"), max_len=500)
    penalty_points = NumberField(_l("Trừ điểm khi quá giờ (điểm)"), minimum=0)
    penalty_seconds = NumberField(_l("cho mỗi (giây) quá giờ đã bắt đầu"), integer=True, minimum=1)
    drawn = BooleanField(_l("Bốc thăm câu hỏi cho phần thi này"))
    phases = FieldList(FormField(PhaseRow), min_entries=0)
    criteria = FieldList(FormField(CriterionRow), min_entries=0)


class CollectiveRow(Form):
    key = Text(_l("Mã"), max_len=64)
    name = Text(_l("Tên giải"), max_len=300)
    count = NumberField(_l("Số giải"), integer=True, minimum=1)
    amount = NumberField(_l("Tiền thưởng (đồng)"), integer=True, minimum=0, grouped=True)
    delete = BooleanField(_l("Xóa"))

    def validate_count(self, field):
        if not self.blank and not self.delete.data and field.data is None and not field.raw_error:
            raise ValidationError(_("Nhập số giải"))

    @property
    def blank(self) -> bool:
        return not (self.key.data or self.name.data or self.count.raw.strip() or self.amount.raw.strip())


def _part_chosen(row, field):
    if not row.blank and not row.delete.data and not field.data:
        raise ValidationError(_("Chọn phần thi"))


class SpecialRow(CollectiveRow):
    part = SelectField(_l("Theo phần thi"), validate_choice=False)
    validate_part = _part_chosen


class IndividualRow(Form):
    key = Text(_l("Mã"), max_len=64)
    name = Text(_l("Tên giải"), max_len=300)
    amount = NumberField(_l("Tiền thưởng (đồng)"), integer=True, minimum=0, grouped=True)
    part = SelectField(_l("Người biểu diễn ở phần thi"), validate_choice=False)
    delete = BooleanField(_l("Xóa"))
    validate_part = _part_chosen

    @property
    def blank(self) -> bool:
        return not (self.key.data or self.name.data or self.amount.raw.strip())


class PrizesForm(Revision):
    collective = FieldList(FormField(CollectiveRow), min_entries=0)
    special = FieldList(FormField(SpecialRow), min_entries=0)
    individual = FieldList(FormField(IndividualRow), min_entries=0)


class ProgrammeRow(Form):
    key = Text(_l("Mã"), max_len=64)
    name = Text(_l("Tên mục"), max_len=300)
    kind = SelectField(_l("Loại"), choices=PROGRAMME_KIND_CHOICES, validate_choice=False)
    delete = BooleanField(_l("Xóa"))

    @property
    def blank(self) -> bool:
        return not (self.key.data or self.name.data)


class ProgrammeForm(Revision):
    items = FieldList(FormField(ProgrammeRow), min_entries=0)


# --------------------------------------------------------------------------- people


class UnitForm(Revision):
    name = Text(_l("Tên đơn vị (xã, thị trấn)"), max_len=300)
    key = Text(_l("Mã (để trống: tự tạo từ tên)"), max_len=64)


class TeamForm(Revision):
    name = Text(_l("Tên đội"), max_len=300)
    unit = SelectField(_l("Đơn vị"), validate_choice=False)
    key = Text(_l("Mã (để trống: tự tạo từ tên)"), max_len=64)


class MemberForm(Revision):
    name = Text(_l("Họ và tên"), max_len=200)
    position = Text(_l("Chức vụ"), max_len=300)
    workplace = Text(_l("Nơi công tác"), max_len=300)
    kind = RadioField(_l("Là"), choices=KIND_CHOICES, default="member", validate_choice=False)
    roles = MultiCheckboxField(_l("Biểu diễn ở phần thi"))
    key = Text(_l("Mã (để trống: tự tạo từ tên)"), max_len=64)


class JudgeForm(Revision):
    name = Text(_l("Họ và tên"), max_len=200)
    title = Text(_l("Chức vụ"), max_len=300)
    head = BooleanField(_l("Trưởng ban giám khảo"))
    key = Text(_l("Mã (để trống: tự tạo từ tên)"), max_len=64)


class ActionForm(Revision):
    """A button that changes something (delete): CSRF and the revision."""


# --------------------------------------------------------------------------- documents


class DocumentsForm(Revision):
    """The letterhead and signer of the documents (``contest.documents``). No limits here:
    :mod:`contest.services.setup_documents` checks every value and names the setting; an
    empty field means the default."""

    issuer = StringField(_l("Tên cơ quan ban hành"))
    issuer_parent = StringField(_l("Cơ quan chủ quản"))
    place = StringField(_l("Địa danh"))
    committee = StringField(_l("Tên Ban Tổ chức"))
    jury = StringField(_l("Tên Ban Giám khảo"))
    signer_on_behalf = StringField(_l("Thay mặt (TM.)"))
    signer_deputy = StringField(_l("Ký thay (KT.)"))
    signer_title = StringField(_l("Chức vụ người ký"))
    signer_name = StringField(_l("Họ tên người ký"))
    number_symbol = StringField(_l("Số, ký hiệu quyết định"))
    awarder = StringField(_l("Thẩm quyền khen thưởng"))
    bases = TextAreaField(_l("Căn cứ"))
    proposer = StringField(_l("Người đề nghị"))
    funding = StringField(_l("Nguồn kinh phí"))
    executors = TextAreaField(_l("Tổ chức thực hiện (Điều 3)"))
    recipients = TextAreaField(_l("Nơi nhận quyết định"))
    draft = BooleanField(_l("Đóng dấu “DỰ THẢO” trên quyết định"))
    report_number_symbol = StringField(_l("Số, ký hiệu báo cáo"))
    report_to = StringField(_l("Kính gửi"))
    report_recipients = TextAreaField(_l("Nơi nhận báo cáo"))
    certificate_title = StringField(_l("Tên giấy khen"))
    certificate_give = StringField(_l("Dòng “TẶNG”"))
    certificate_reason = StringField(_l("Lý do khen"))
