"""The public report form, built from a category's questionnaire."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from tipline import crypto
from tipline.lib.i18n import localized
from tipline.profiles.models import Category

STORAGE_FULL = _(
    "Your report could not be stored just now: the service is out of storage "
    "space. Nothing was saved. Your answers are kept below: please send the report "
    "again later."
)
UNREADABLE = _(
    "Some of this text could not be read (it was not valid UTF-8). "
    "Please type it again."
)


def reject_unreadable(value: str) -> None:
    # Django decodes bad bytes to U+FFFD instead of failing; refusing them tells the
    # reporter their text arrived damaged rather than storing it silently altered.
    if "\ufffd" in value:
        raise forms.ValidationError(UNREADABLE, code="unreadable")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files from one input. Their checks (type, size, damage) happen in
    tipline.intake.attachments, which can say what is wrong with each file."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Files (optional)"))
        kwargs.setdefault(
            "help_text",
            _(
                "Photos, documents or recordings. Hidden details such as GPS location "
                "and author names are removed from the copy that is stored. After "
                "sending you will see, for each file, what was removed and anything "
                "that could not be."
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else [data]
        return [upload for upload in uploads if upload]


# The value the box posts when ticked. Anything else (a forged "true", "0", "no",
# several values) counts as not ticked: no original is kept on a guess.
KEEP_ORIGINALS_VALUE = "yes"


class KeepOriginalsInput(forms.CheckboxInput):
    """Ticked only when the box's own value arrives, once."""

    def __init__(self, described_by: str = "id_keep_originals_helptext") -> None:
        super().__init__(
            attrs={"value": KEEP_ORIGINALS_VALUE, "aria-describedby": described_by}
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return values == [KEEP_ORIGINALS_VALUE]


class KeepOriginalsField(forms.BooleanField):
    """The reporter's choice to keep the untouched originals of their files as well
    (issue 11, point 4). Unticked unless the profile says otherwise."""

    widget = KeepOriginalsInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "label", _("Also keep the untouched original files, as evidence")
        )
        kwargs.setdefault("help_text", ORIGINALS_HELP)
        super().__init__(**kwargs)


ORIGINALS_HELP = _(
    "Leave this unticked and only the copies with hidden details removed are "
    "stored. An untouched original still holds everything hidden in the file, such "
    "as the place where a photo was taken, the device that made it, the author's "
    "name and when it was made or edited, and it may show who you are. If you tick "
    "this box, each original is also kept, encrypted: only the supervisors of the "
    "team handling your report can open it, and so can whoever holds the "
    "organisation's escrow key, a recovery key kept by its administrators. Other "
    "staff work with the cleaned copy only."
)


class RewardWishField(forms.BooleanField):
    """The reporter's wish to be considered for a reward or commendation (issue
    14, point 2): optional, unticked, and ticked only by the box's own value."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "label", _("Consider me for a reward or commendation if my report helps")
        )
        kwargs.setdefault("help_text", REWARD_WISH_HELP)
        kwargs.setdefault(
            "widget", KeepOriginalsInput(described_by="id_reward_wish_helptext")
        )
        super().__init__(**kwargs)


REWARD_WISH_HELP = _(
    "Optional. You stay anonymous: if a reward or commendation is offered, you "
    "will see it on the follow-up page with your receipt code, and a claim code "
    "lets you collect it without giving your name. Some ways of paying a reward "
    "may need you to give your identity later; that is always your choice, and "
    "you can still say no then."
)

HONEYPOT = "homepage"
# Posted from inside each conditional question's fieldset: which of them the
# reporter was shown (a disabled fieldset posts nothing).
SHOWN_FIELD = "shown_questions"
# Posted with the value "yes" once the guardrail's reminder was shown (issue 15,
# point 3): the reporter chose to send the report as it is.
GUARDRAIL_FIELD = "guardrail_confirmed"
TEXT_TYPES = frozenset({"text", "textarea"})
GUARDRAIL_REMINDER = _(
    "Your report mentions someone's religion, ethnicity, nationality, opinions or "
    "another personal characteristic, but does not say what anyone did. Who a "
    "person is, or what they believe, is not a reason for suspicion. If you can, "
    "describe what the person did or said: for example what they asked for, "
    "offered or photographed, or where they went. You may also send the report "
    "as it is."
)


@dataclass(frozen=True)
class Row:
    """One question of the form as the template lays it out: ``condition`` is
    the JSON of its ``show_if`` (empty: always shown), ``shown`` whether the
    answers so far meet it."""

    field: BoundField
    condition: str
    shown: bool


class ReportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(
        self, *args: Any, category: Category, in_steps: bool = False, **kwargs: Any
    ) -> None:
        """``in_steps``: the HTML form, which asks the questions whose condition
        was met but which were not shown (no JavaScript) in a second step."""
        super().__init__(*args, **kwargs)
        self.category = category
        for spec in category.fields:
            self.fields[spec["name"]] = build_field(spec)
        self.conditions = {
            spec["name"]: spec["show_if"]
            for spec in category.fields
            if "show_if" in spec
        }
        self.unmet = [name for name in self.conditions if not self._met(name)]
        self.pending: list[str] = []
        if self.is_bound:
            self._drop_unmet(in_steps=in_steps)
        self.fields["files"] = EvidenceField(**_files_text(category))
        self.fields["keep_originals"] = KeepOriginalsField(
            initial=category.profile.originals_default
        )
        self.fields["reward_wish"] = RewardWishField()
        for bound in self.fields.values():
            # Nothing a reporter types goes into the browser's autofill store, and
            # browsers keep no form state of such fields in their session files.
            bound.widget.attrs["autocomplete"] = "off"

    def _met(self, name: str) -> bool:
        condition = self.conditions[name]
        source = condition["field"]
        value = self.data.get(source) if self.is_bound else self.initial.get(source)
        return isinstance(value, str) and value in condition["values"]

    def _drop_unmet(self, *, in_steps: bool) -> None:
        # Answers to questions whose condition is not met are dropped, even if a
        # hostile client sends them.
        # Bound data is a QueryDict; the stubs type it as a plain Mapping.
        lists = self.data.lists()  # type: ignore[attr-defined]
        data: MultiValueDict[str, Any] = MultiValueDict(dict(lists))
        for name in self.unmet:
            data.pop(name, None)
        self.data = data
        shown = set(data.getlist(SHOWN_FIELD))
        if in_steps:
            self.pending = [
                name
                for name in self.conditions
                if name not in self.unmet and name not in shown
            ]

    def full_clean(self) -> None:
        super().full_clean()
        # A question still to be asked in the second step is not an error yet.
        errors = self.errors
        for name in self.pending:
            errors.pop(name, None)

    @property
    def rows(self) -> list[Row]:
        return [
            Row(
                field=bound,
                condition=json.dumps(self.conditions[bound.name])
                if bound.name in self.conditions
                else "",
                shown=bound.name not in self.unmet,
            )
            for bound in self.visible_fields()
        ]

    def typed_texts(self) -> list[str]:
        """What the reporter typed in their own words (not their choices), for
        the guardrail (tipline.profiles.guardrail)."""
        return [
            str(answer["value"])
            for answer in self.answers()
            if answer["type"] in TEXT_TYPES and answer["value"]
        ]

    @property
    def honeypot_filled(self) -> bool:
        """The field people never see (hidden by the style sheet and from screen
        readers) was filled in: a script filling every field posted this."""
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def answers(self) -> list[dict[str, Any]]:
        """Answers with the question labels as they were asked, for staff to read.

        A choice is stored as its value (a list of values for a multiple choice);
        its label is looked up in the reader's language when shown
        (tipline.profiles.answers)."""
        return [
            {
                "name": spec["name"],
                "type": spec["type"],
                "label": spec["label"],
                "value": _as_text(self.cleaned_data.get(spec["name"])),
            }
            for spec in self.category.fields
            if spec["name"] not in self.unmet
        ]


def _files_text(category: Category) -> dict[str, Any]:
    """The category's own label and help for its files question, if it has any
    (the online-approach category asks for screenshots)."""
    texts = category.files_text or {}
    kwargs = {"label": localized(texts["label"])} if "label" in texts else {}
    if "help" in texts:
        kwargs["help_text"] = localized(texts["help"])
    return kwargs


def build_field(spec: dict[str, Any]) -> forms.Field:
    common: dict[str, Any] = {
        "label": localized(spec["label"]),
        "help_text": localized(spec.get("help")),
        "required": bool(spec.get("required")),
    }
    kind = spec["type"]
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        choices = [(c["value"], localized(c["label"])) for c in spec["choices"]]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == "multichoice":
        choices = [(c["value"], localized(c["label"])) for c in spec["choices"]]
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    widget = forms.Textarea(attrs={"rows": 8}) if kind == "textarea" else None
    return forms.CharField(
        max_length=spec["max_length"],
        widget=widget,
        validators=[reject_unreadable],
        **common,
    )


def _as_text(value: Any) -> str | list[str]:
    if value is None:
        return ""
    if isinstance(value, list):
        return [str(item) for item in value]
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# One message for every failed sign-in: it must not hint whether a report exists.
RECEIPT_NOT_OPENED = _(
    "We could not open a report with this receipt code. Check the code and try again."
)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text=_("The 28-digit code you were given when you sent your report."),
    )

    def clean_receipt(self) -> str:
        try:
            return crypto.normalise_receipt(self.cleaned_data["receipt"])
        except crypto.MalformedReceipt:
            raise forms.ValidationError(
                _(
                    "A receipt code has 28 digits, usually written in groups of four. "
                    "Check the code and try again."
                ),
                code="malformed",
            ) from None


class MessageForm(forms.Form):
    """A reporter's message. The receipt is not part of it: on the web the follow-up
    handle stands for it, and the API checks it with ReceiptForm first."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    body = forms.CharField(
        label=_("Your message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
        validators=[reject_unreadable],
    )
    # Declared fields leave the class (Django's form metaclass), so ``self.files``
    # stays the uploaded files; django-stubs sees the class attribute.
    files = EvidenceField()  # type: ignore[assignment]

    def __init__(self, *args: Any, originals_default: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["keep_originals"] = KeepOriginalsField(initial=originals_default)
