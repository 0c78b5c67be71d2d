"""WTForms fields that read numbers, durations and dates the Vietnamese way (see
:mod:`contest.web.organiser.forms`), and a text field with a length limit, all NFC."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ...core.text import format_number, nfc


def _strip(value):
    return nfc(value).strip() if isinstance(value, str) else value




class NumberField(StringField):
    """A number typed the Vietnamese way; ``data`` is a Decimal (or int when ``integer``) or
    None when left empty."""

    def __init__(self, label=None, validators=None, *, integer: bool = False, minimum=None,
                 positive: bool = False, required: bool = False, grouped: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.integer, self.minimum, self.positive, self.required = integer, minimum, positive, required
        self.grouped = grouped
        self.raw = ""
        self.raw_error = None

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "") or ""
        self.raw_error = None
        self.data = None
        text = self.raw.strip().replace("\u00a0", "").replace(" ", "").replace("đ", "").replace("−", "-")
        if not text:
            return
        if self.integer:
            text = text.replace(".", "")
        elif "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.data = None
            self.raw_error = _("Phải là một số")
            return
        if self.integer:
            if number != number.to_integral_value():
                self.raw_error = _("Phải là số nguyên")
                return
            number = int(number)
        self.data = number

    def _value(self):
        if self.raw:
            return self.raw
        if self.data is None:
            return ""
        if self.grouped:
            return format_number(self.data)
        if isinstance(self.data, (Decimal, float)):  # no grouping: "1.000" would read as one
            return format(Decimal(str(self.data)).normalize(), "f").replace(".", ",")
        return str(self.data)

    def pre_validate(self, form):
        if self.raw_error:
            raise ValidationError(self.raw_error)
        if self.data is None:
            if self.required:
                raise ValidationError(_("Không được để trống"))
            return
        if self.positive and self.data <= 0:
            raise ValidationError(_("Phải là số dương (lớn hơn 0)"))
        if self.minimum is not None and self.data < self.minimum:
            raise ValidationError(_("Không được là số âm") if self.minimum == 0
                                  else _("Phải từ %(n)s trở lên", n=self.minimum))


class DurationField(StringField):
    """A duration "mm:ss" (or "h:mm:ss") or a number of seconds; ``data`` is seconds or None."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.raw = ""
        self.raw_error = None

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "") or ""
        text = self.raw.strip()
        self.data = None
        if not text:
            return
        if re.fullmatch(r"\d{1,6}", text):
            self.data = int(text)
        elif re.fullmatch(r"\d{1,3}:[0-5]\d", text):
            m, s = text.split(":")
            self.data = int(m) * 60 + int(s)
        elif re.fullmatch(r"\d{1,2}:[0-5]\d:[0-5]\d", text):
            h, m, s = text.split(":")
            self.data = int(h) * 3600 + int(m) * 60 + int(s)
        else:
            self.raw_error = _("Viết thời lượng dạng phút:giây (ví dụ 3:00) hoặc số giây")

    def _value(self):
        if self.raw:
            return self.raw
        if self.data is None:
            return ""
        return f"{self.data // 60}:{self.data % 60:02d}"

    def pre_validate(self, form):
        if self.raw_error:
            raise ValidationError(self.raw_error)
        if self.data is not None and self.data <= 0:
            raise ValidationError(_("Thời lượng phải lớn hơn 0"))


class DateField(StringField):
    """A date "dd/mm/yyyy" or ISO "yyyy-mm-dd" (what a date input sends); ``data`` is a date."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "") or ""
        self.raw_error = None
        self.data = None
        text = self.raw.strip()
        if not text:
            return
        try:
            if "/" in text:
                d, m, y = (int(x) for x in text.split("/"))
                self.data = dt.date(y, m, d)
            else:
                self.data = dt.date.fromisoformat(text)
        except ValueError:
            self.raw_error = _("Ngày không hợp lệ (viết dd/mm/yyyy)")

    def _value(self):
        if getattr(self, "raw", ""):
            return self.raw
        return self.data.isoformat() if isinstance(self.data, dt.date) else ""

    def pre_validate(self, form):
        if getattr(self, "raw_error", None):
            raise ValidationError(self.raw_error)


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; values outside the choices reach the service, which names them."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass


class Text(StringField):
    def __init__(self, label=None, validators=None, *, max_len: int = 300, **kwargs):
        validators = list(validators or []) + [Length(max=max_len, message=_l("Dài quá %(max)d ký tự"))]
        super().__init__(label, validators, filters=[_strip], **kwargs)
