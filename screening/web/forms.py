"""Forms. Answer forms are built from the indicator set, as Indico builds survey forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from babel import Locale
from flask_babel import get_locale, get_translations, gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from screening.core.languages import INTERVIEWEE_LANGUAGES, INTERVIEWEE_NAMES, NATIVE_NAMES, UI_LOCALES
from screening.core.model import Content, IndicatorSet
from screening.models import FULL_NAME_LENGTH
from screening.web.vocabulary import (
    AGE_ESTIMATE_LABELS,
    ANSWER_LABELS,
    ASYLUM_LABELS,
    NATIONALITIES,
    ROLES,
    SEXES,
    SPOKEN_LANGUAGES,
)

FIELD_PREFIX = "a_"

#: The WTForms messages our forms can show, marked here so they are extracted into our catalogs
#: and translated with the rest (WTForms' own catalogs have no Albanian, and their Serbian is Cyrillic).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Number must be between %(min)s and %(max)s."),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 2
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Field must be equal to %(other_name)s."),
    _l("Invalid input."),
)

#: Why a name for the slips was refused.
FULL_NAME_MESSAGE = _l("Use at most 120 characters for the name.")


class Form(FlaskForm):  # type: ignore[misc]
    """All our forms: WTForms' own messages come from the app's catalogs, in the page's language."""

    class Meta(FlaskForm.Meta):  # type: ignore[misc]
        def get_translations(self, form: object) -> object:
            return get_translations()


def full_name_field() -> StringField:
    """The name a user prints on referral slips (the admin's new-user form and the user's own page)."""
    return StringField(
        _l("Full name (printed on referral slips)"),
        validators=[Optional(), Length(max=FULL_NAME_LENGTH, message=FULL_NAME_MESSAGE)],
    )


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


CASE_REFERENCE_MAX = 40

#: The empty first option of a select the screener must choose in (it fails ``InputRequired``).
CHOOSE = _l("Choose…")


def field_name(item_id: str) -> str:
    """A form field name for an indicator or safety-check id (``gen.x`` -> ``a_gen__x``)."""
    return FIELD_PREFIX + item_id.replace(".", "__")


class StartForm(Form):
    #: One key per start page: a double tap or a retry of "Start" opens the same screening.
    start_key = HiddenField(validators=[DataRequired(), Length(min=16, max=43)])
    role = SelectField(_l("Your role"), choices=options(ROLES.items()), validators=[DataRequired()])
    indicator_set = SelectField(_l("Indicator set"), validators=[DataRequired()])
    language = SelectField(_l("Your language"), choices=options((code, NATIVE_NAMES[code]) for code in UI_LOCALES))
    second_language = SelectField(
        _l("Second language, for the person you interview (optional)"),
        choices=options(
            [
                ("", _l("None")),
                *((code, NATIVE_NAMES[code]) for code in UI_LOCALES),
                *((code, INTERVIEWEE_NAMES[code]) for code in INTERVIEWEE_LANGUAGES),
            ]
        ),
        validators=[Optional()],
    )


class PersonLanguageForm(Form):
    """The language the tablet shows the person (the show-the-person view, issue 15)."""

    language = RadioField(
        _l("The person's language"),
        choices=options((code, INTERVIEWEE_NAMES[code]) for code in INTERVIEWEE_LANGUAGES),
        validators=[InputRequired()],
    )


class PersonAnswerForm(Form):
    """One answer from the show-the-person view: the person taps yes, no or don't know."""

    answer = HiddenField(validators=[Optional(), AnyOf(tuple(ANSWER_LABELS))])


def start_form(content: Content, usual_set: str | None, formdata: object = None) -> StartForm:
    form = StartForm(formdata=formdata) if formdata is not None else StartForm()
    sets = [content.get_set(set_id) for set_id in content.set_ids()]
    ordered = sorted((s for s in sets if s), key=lambda s: (s.id != usual_set, s.id))
    locale = str(get_locale())
    from screening.core.languages import localise

    form.indicator_set.choices = options((s.id, f"{localise(s.title, locale)} ({s.version})") for s in ordered)
    return form


#: The fourth choice of a question: not asked (yet). Choosing it clears an answer, without JavaScript.
NOT_ASKED = "not_asked"


#: What a question's radio may send: an answer, or "not asked" (blank means not asked too).
ANSWER_CHOICES = frozenset([*ANSWER_LABELS, NOT_ASKED])


@dataclass
class AnswerField:
    """What one question's radio sent (``None`` when nothing) and why it was refused, if it was."""

    data: str | None
    errors: list[str]


class PageMessages:
    """What the error summary shows on a page without a WTForms form: messages about the page as a
    whole (``form_errors``) and per field (``errors``). A page whose form sends nothing but the
    CSRF token uses it as it is: ``CSRFProtect`` checks the token before any view runs."""

    def __init__(self) -> None:
        self.form_errors: list[str] = []

    @property
    def errors(self) -> dict[str, list[str]]:
        return {}

    def validate(self) -> bool:
        return not self.errors and not self.form_errors


class AnswersSubmission(PageMessages):
    """One page of answers as posted, checked: each question's value is one of its four choices.

    Not a WTForms form on purpose: a page has up to 22 questions, and building and validating 22
    WTForms radio fields took 0.7 ms of a 4 ms save (issue 13), while the check is one set lookup
    per question. It reads like a form where the templates need it (``form[name].data``,
    ``.errors``, ``form.errors``, ``form.form_errors``). The CSRF token is checked before any view
    runs (``CSRFProtect``).
    """

    def __init__(self, item_ids: Iterable[str], formdata: Mapping[str, str]) -> None:
        super().__init__()
        self.fields: dict[str, AnswerField] = {}
        for item_id in item_ids:
            name = field_name(item_id)
            raw = formdata.get(name) or None
            self.fields[name] = (
                AnswerField(raw, [])
                if raw is None or raw in ANSWER_CHOICES
                else AnswerField(None, [gettext("Not a valid choice.")])
            )

    def __getitem__(self, name: str) -> AnswerField:
        return self.fields[name]

    @property
    def errors(self) -> dict[str, list[str]]:
        return {name: field.errors for name, field in self.fields.items() if field.errors}


def answers_from_form(form: AnswersSubmission, item_ids: Iterable[str], *, valid_only: bool = False) -> dict[str, str]:
    """Plain answers from a submitted page; blank or "not asked" means not asked."""
    answers: dict[str, str] = {}
    for item_id in item_ids:
        field = form[field_name(item_id)]
        if field.errors and valid_only:
            continue  # keep what was stored rather than a tampered value
        answers[item_id] = field.data or NOT_ASKED
    return answers


def unexpected_fields(formdata: Mapping[str, str], item_ids: Iterable[str]) -> list[str]:
    """Answer fields in the request that this page does not ask (a tampered form)."""
    expected = {field_name(i) for i in item_ids}
    return [key for key in formdata if key.startswith(FIELD_PREFIX) and key not in expected]


def language_name(code: str, display: Locale) -> str:
    """A language's name in the display locale, from CLDR (so it is never translated by hand)."""
    return str(display.languages.get(code, code)).capitalize()


def country_choices() -> list[SelectChoice]:
    """ISO 3166 countries named in the interface language, from CLDR (never translated by hand)."""
    display = Locale.parse(str(get_locale()))
    names = [(code, str(name)) for code, name in display.territories.items() if len(code) == 2 and code.isalpha()]
    return options([("", _l("Not known")), *sorted(names, key=lambda pair: pair[1])])


def spoken_language_choices() -> list[SelectChoice]:
    display = Locale.parse(str(get_locale()))
    names = [(code, language_name(code, display)) for code in SPOKEN_LANGUAGES]
    return options([("", _l("Not known")), *sorted(names, key=lambda pair: pair[1]), ("other", _l("Other language"))])


class ProfileForm(Form):
    age = IntegerField(_l("Age in years, if known"), validators=[Optional(), NumberRange(min=0, max=120)])
    #: Required when the age is blank; may also go with a stated age the screener doubts.
    age_estimate = RadioField(
        _l("If you do not know the exact age, what is your estimate?"),
        choices=options(AGE_ESTIMATE_LABELS.items()),
        validators=[Optional()],
    )
    # No default: each starts unchosen, "Not stated" / "Unknown" are choices the screener makes.
    sex = SelectField(
        _l("Sex"),
        choices=options([("", CHOOSE), *SEXES.items()]),
        validators=[InputRequired(message=_l("Choose the person's sex, or 'Not stated'."))],
    )
    nationality = SelectField(
        _l("Nationality"),
        choices=options([("", CHOOSE), *NATIONALITIES.items()]),
        validators=[InputRequired(message=_l("Choose the nationality, or 'Unknown'."))],
    )
    asylum_seeker = RadioField(
        _l("Asylum seeker"),
        choices=options(ASYLUM_LABELS.items()),
        validators=[InputRequired(message=_l("Say whether the person is an asylum seeker, or 'Don't know'."))],
    )
    country = SelectField(_l("Country of origin, if another country"), validators=[Optional()])
    spoken_language = SelectField(_l("Language the person speaks"), validators=[Optional()])
    municipality = SelectField(_l("Municipality where the screening takes place"), validators=[Optional()])
    case_reference = StringField(
        _l("Case reference (optional, no names)"),
        validators=[
            Optional(),
            Length(max=CASE_REFERENCE_MAX),
            Regexp(r"^[A-Za-z0-9/_.\-]*$", message=_l("Use only letters, digits and / - _ .")),
        ],
    )

    def validate(self, extra_validators: object = None) -> bool:  # type: ignore[override]
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        if self.age.data is None and not self.age.errors and not self.age_estimate.data:
            self.age_estimate.errors = [
                *self.age_estimate.errors,
                _l("Enter the age in years, or choose your estimate of the age."),
            ]
            ok = False
        return ok


def profile_form(
    content: Content, locale: str, formdata: object = None, data: Mapping[str, object] | None = None
) -> ProfileForm:
    from screening.core.languages import localise

    form = ProfileForm(formdata=formdata, data=data) if formdata is not None else ProfileForm(data=data)
    form.spoken_language.choices = spoken_language_choices()
    form.country.choices = country_choices()
    municipalities = sorted(content.directory.municipalities.values(), key=lambda m: localise(m.name, locale))
    form.municipality.choices = options(
        [("", _l("Not known")), *((m.key, localise(m.name, locale)) for m in municipalities)]
    )
    return form


class ConsentForm(Form):
    consent = RadioField(
        _l("Did the person agree to be referred?"),
        choices=options(
            [
                ("given", _l("Yes, the person agreed")),
                ("declined", _l("No, the person declined")),
                ("not_recorded", _l("Not asked yet")),
            ]
        ),
        validators=[InputRequired()],
    )
    informed_of_rights = RadioField(
        _l("Was the person informed of their rights, including the reflection period?"),
        choices=options([("yes", ANSWER_LABELS["yes"]), ("no", ANSWER_LABELS["no"])]),
        validators=[InputRequired()],
    )


class ConfirmForm(Form):
    """Only the CSRF token, for an action that sends no data of its own (admin actions, leaving the
    person view)."""


def section_items(indicator_set: IndicatorSet, section_id: str, *, child: bool = False) -> list[str]:
    """The ids a section's page asks; the child module's sections are there only for a child."""
    for section in indicator_set.sections_for(child):
        if section.id == section_id:
            return [c.id for c in section.safety_checks] + [i.id for i in section.indicators]
    raise KeyError(section_id)
