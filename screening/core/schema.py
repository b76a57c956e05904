"""The content formats described once, as pydantic models.

From these models come both the structural validation the loader runs on every content file but
a training scenario (bank item files, the bank head ``bank.yaml``, sets that select from a bank,
the older sets that define their items inline, scoring files, referral-rule files and the contacts
directory) and the JSON Schemas shipped in ``indicators/schema/`` so that content editors validate
as they type (see ``indicators/FORMAT.md``).

The models check the *format*: which keys exist, their types, the closed vocabularies of the core
(strengths, modes, statuses, priorities, intended users, the content languages), the id patterns.
What needs more than one file (an unknown bank id, an undeclared source, a dimension or form the
scoring file does not name) or a rule between fields (an act item is never strong) stays with the
semantic checks in ``screening.core.loading``.

Every vocabulary is taken from the core's constants, never copied, so a new strength or language
reaches the validator and the schema together. ``python -m screening.core.schema`` rewrites the
shipped schema files; a test fails when they are stale.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple, TypeAlias, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from screening.core.checking import ID_PATTERN, KEY_PATTERN, Checker
from screening.core.errors import Problem
from screening.core.languages import CONTENT_LANGUAGES, INTERVIEWEE_LANGUAGES
from screening.core.model import (
    CHILD_STRENGTHS,
    INTENDED_USERS,
    INTERVIEWEE_ANSWERS,
    INTRODUCTION_PARTS,
    MODES,
    PHONE_STATUSES,
    PRIORITIES,
    REVIEW_STATUSES,
    SET_STATUSES,
    SIGNALS,
    STRENGTHS,
)
from screening.core.profile import CONSENT_VALUES
from screening.core.referrals import CONDITION_FIELDS
from screening.core.yamlfile import LoadedYaml, PathKey, format_path

__all__ = ["KINDS", "SCHEMA_FOLDER", "check", "document_kind", "json_schemas", "validate_document", "write_schemas"]

#: The documents described here, by kind; each ships as ``indicators/schema/<kind>.schema.json``.
KINDS: tuple[str, ...] = (
    "bank_items", "bank", "set", "inline_set", "scoring", "referral_rules", "contacts", "interviewee",
)  # fmt: skip
#: Where the schema files live, relative to the content root.
SCHEMA_FOLDER = Path("indicators") / "schema"
#: Draft 7: what the YAML language server of editors validates with (2019-09 and 2020-12 not yet).
JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
#: Levels of the scoring outcomes (level 0 is the fallback).
MAX_LEVEL = 3


def _one_of(values: Sequence[str]) -> Any:
    """``Literal[...]`` of the values of a core constant (pydantic gives it an ``enum`` in the schema)."""
    return Literal.__getitem__(tuple(values))


class _Strict(BaseModel):
    """No unknown keys and no type coercion: ``"true"`` is not true, ``2026.2`` is not a string."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- shared value types ---------------------------------------------------------------------

NonEmpty = Annotated[str, Field(pattern=r"\S")]
Key = Annotated[str, Field(pattern=KEY_PATTERN.pattern)]
ItemId = Annotated[str, Field(pattern=ID_PATTERN.pattern)]
VERSION_PATTERN = r"^\d{4}\.\d+$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ]{1,18}$"
Version = Annotated[str, Field(pattern=VERSION_PATTERN, description='quoted, e.g. "2026.2"')]
Phone = Annotated[str, Field(pattern=PHONE_PATTERN, description="digits and spaces")]

#: How a value that does not match a pattern is described.
_PATTERNS: Mapping[str, str] = {
    ID_PATTERN.pattern: "a valid id (prefix.name: lower-case letters, digits and _, e.g. gen.debt_bondage)",
    KEY_PATTERN.pattern: "a valid key (lower-case letters, digits and _, starting with a letter)",
    VERSION_PATTERN: 'a version such as "2026.2"',
    PHONE_PATTERN: "a phone number (digits and spaces)",
}

if TYPE_CHECKING:
    Strength: TypeAlias = str
    ChildStrength: TypeAlias = str
    Mode: TypeAlias = str
    SetStatus: TypeAlias = str
    Signal: TypeAlias = str
    Priority: TypeAlias = str
    User: TypeAlias = str
    PhoneStatus: TypeAlias = str
    Consent: TypeAlias = str
    IntervieweeLanguage: TypeAlias = str
    ReviewStatus: TypeAlias = str
    Text: TypeAlias = Mapping[str, str]
    Introduction: TypeAlias = Mapping[str, str]
    AnswerWords: TypeAlias = Mapping[str, str]
else:
    Strength = _one_of(STRENGTHS)
    ChildStrength = _one_of(CHILD_STRENGTHS)
    Mode = _one_of(MODES)
    SetStatus = _one_of(SET_STATUSES)
    Signal = _one_of(SIGNALS)
    Priority = _one_of(PRIORITIES)
    User = _one_of(INTENDED_USERS)
    PhoneStatus = _one_of(PHONE_STATUSES)
    Consent = _one_of(CONSENT_VALUES)
    IntervieweeLanguage = _one_of(tuple(INTERVIEWEE_LANGUAGES))
    ReviewStatus = _one_of(REVIEW_STATUSES)
    Introduction = create_model(
        "Introduction",
        __config__=_Strict.model_config,
        __doc__="What the person is told first, one paragraph each, in their language.",
        **{part: (NonEmpty, ...) for part in INTRODUCTION_PARTS},
    )
    AnswerWords = create_model(
        "AnswerWords",
        __config__=_Strict.model_config,
        __doc__="The answer words on the person's buttons.",
        **{answer: (NonEmpty, ...) for answer in INTERVIEWEE_ANSWERS},
    )
    Text = create_model(
        "Text",
        __config__=_Strict.model_config,
        __doc__=f"A text in every content language ({', '.join(CONTENT_LANGUAGES)}), none empty. "
        "Serbian Cyrillic is derived from sr_Latn in the app and never written here.",
        **{language: (NonEmpty, ...) for language in CONTENT_LANGUAGES},
    )

ToConfirm = Literal["to_confirm"]


def _keyed(tags: Mapping[str, str]) -> Callable[[Any], str | None]:
    """A discriminator for a union of one-key mappings: the tag of the key present."""

    def pick(value: Any) -> str | None:
        if isinstance(value, dict) and len(value) == 1:
            return tags.get(str(next(iter(value))))
        return None

    return pick


def _one_or_many(item: Any) -> Any:
    """A value or a non-empty list of them (``positive: purpose`` or ``positive: [a, b]``)."""

    def pick(value: Any) -> str:
        return "<list>" if isinstance(value, list) else "<one>"

    return Annotated[
        Union[Annotated[item, Tag("<one>")], Annotated[list[item], Field(min_length=1), Tag("<list>")]],  # noqa: UP007
        Discriminator(pick),
    ]


# --- indicator bank -------------------------------------------------------------------------


class Source(_Strict):
    """A source the indicators rest on; each item cites one by id."""

    id: Key
    citation: NonEmpty
    url: NonEmpty | None = None


class StrengthPair(_Strict):
    """The strength of an indicator for adults and for children (the ILO child lists have no weak tier)."""

    adult: Strength
    child: ChildStrength


class Item(_Strict):
    """One indicator of the bank, defined once; sets select it by id."""

    id: ItemId
    dimension: Key = Field(description="an ILO dimension, act, purpose, child_protection or context (scoring file)")
    strength: StrengthPair
    forms: list[Key] = Field(min_length=1, description="forms of exploitation the item evidences (scoring file)")
    mode: Mode
    urgent: bool = Field(False, description="danger NOW only: confined now, exploiter present and threatening now")
    speak_alone: bool = Field(False, description="an everyday observation that is a signal only in combination")
    child_sign: bool = Field(
        False, description="a yes says the person is or may be under 18: the child rule applies, whatever the profile"
    )
    source: Key = Field(description="a source id declared in bank.yaml")
    source_note: NonEmpty | None = None
    status: ToConfirm | None = None
    text: Text = Field(description="phrased so that yes is the concerning answer")
    guidance: Text


class BankItems(_Strict):
    """An item file of an indicator bank: indicators/bank/<version>/*.yaml (every file but bank.yaml)."""

    items: list[Item] = Field(min_length=1)


class SafetyCheck(_Strict):
    """A privacy-and-safety check of the first section of every set."""

    id: ItemId
    signal: Signal
    text: Text
    guidance: Text


class ModuleSection(_Strict):
    """A section of the child module: joins every set when the person is or may be under 18."""

    id: Key
    title: Text
    items: list[ItemId] = Field(min_length=1)


class BankHead(_Strict):
    """The head of an indicator bank: indicators/bank/<version>/bank.yaml."""

    version: Version
    status: SetStatus
    scoring: Version
    sources: list[Source] = Field(min_length=1)
    safety_checks: list[SafetyCheck] = Field(min_length=1)
    child_module: list[ModuleSection] = []


# --- sets selecting from a bank -------------------------------------------------------------


class SetSection(_Strict):
    """A section of a set: bank ids in the order they are asked (safety checks in the first section)."""

    id: Key
    kind: Literal["safety", "indicators"]
    title: Text
    items: list[ItemId] = Field(min_length=1)


class _SetHead(_Strict):
    """What every indicator set states about itself, whichever way it holds its items."""

    id: Key = Field(description="the folder name")
    version: Version
    status: SetStatus
    released_on: dt.date | None = Field(None, validate_default=True, description="required when released")
    scoring: Version
    title: Text
    purpose: Text
    intended_users: list[User] = Field(min_length=1)

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"status": {"const": "released"}}},
            "then": {"required": ["released_on"]},
        }
    )

    @field_validator("released_on")
    @classmethod
    def _released_has_date(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is None and info.data.get("status") == "released":
            raise PydanticCustomError("missing", "a released set needs its released_on date")
        return value


class BankSet(_SetHead):
    """An indicator set that selects from a bank: indicators/<set id>/<version>.yaml with a ``bank:`` key."""

    bank: Version
    child_module: bool = Field(False, description="the bank's child module joins for a child")
    sections: list[SetSection] = Field(min_length=2)


# --- sets defining their items inline (2026.1 and before) ---------------------------------


class SafetySection(_Strict):
    """The first section of a set that defines its items inline: the privacy-and-safety checks."""

    id: Key
    kind: Literal["safety"]
    title: Text
    items: list[SafetyCheck] = Field(min_length=1)


class IndicatorSection(_Strict):
    """A section of indicators defined in the set itself (the bank did not exist yet)."""

    id: Key
    kind: Literal["indicators"]
    title: Text
    items: list[Item] = Field(min_length=1)


class InlineSet(_SetHead):
    """An indicator set that defines its items inline: indicators/<set id>/<version>.yaml of 2026.1 and before.

    Released files of this format stay loadable so that stored screenings re-render exactly; new
    content selects from a bank (``set``).
    """

    sources: list[Source] = Field(min_length=1)
    sections: list[Annotated[SafetySection | IndicatorSection, Field(discriminator="kind")]] = Field(min_length=2)


# --- scoring --------------------------------------------------------------------------------


class Named(_Strict):
    name: Text


class Threshold(_Strict):
    """Minimum counts of yes answers by strength (``any`` counts every strength)."""

    strong: int = Field(0, ge=0)
    medium: int = Field(0, ge=0)
    weak: int = Field(0, ge=0)
    any: int = Field(0, ge=0)


Thresholds = Annotated[list[Threshold], Field(min_length=1)]


class DimensionThresholds(_Strict):
    """``default`` thresholds, and thresholds of their own for some dimensions."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Thresholds] = Field(init=False)

    default: Thresholds


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class Positive(_Strict):
    positive: _one_or_many(Key)  # type: ignore[valid-type]


class YesIn(_Strict):
    yes_in: _one_or_many(Key)  # type: ignore[valid-type]


class StrongIn(_Strict):
    strong_in: _one_or_many(Key)  # type: ignore[valid-type]


class ClearYesIn(_Strict):
    """A yes in one of these dimensions that is not an everyday observation (scoring 2026.3)."""

    clear_yes_in: _one_or_many(Key)  # type: ignore[valid-type]


class NoneAnsweredNo(_Strict):
    none_answered_no: _one_or_many(Key)  # type: ignore[valid-type]


class YesTo(_Strict):
    """A yes on one of these indicators (scoring 2026.7): an item whose wording states a means and the
    exploitation together, such as an organ given for a promised payment that was never made."""

    yes_to: _one_or_many(ItemId)  # type: ignore[valid-type]


class AnyStrong(_Strict):
    any_strong: Literal[True]


class AnyYes(_Strict):
    any_yes: Literal[True]


_CONDITIONS: tuple[type[_Strict], ...] = (
    AllOf,
    AnyOf,
    Positive,
    YesIn,
    StrongIn,
    ClearYesIn,
    NoneAnsweredNo,
    YesTo,
    AnyStrong,
    AnyYes,
)
CONDITION_KEYS: tuple[str, ...] = tuple(next(iter(m.model_fields)) for m in _CONDITIONS)

if TYPE_CHECKING:
    Condition = Mapping[str, Any]
else:
    Condition = Annotated[
        Union[tuple(Annotated[m, Tag(f"<{k}>")] for m, k in zip(_CONDITIONS, CONDITION_KEYS, strict=True))],  # noqa: UP007
        Discriminator(
            _keyed({k: f"<{k}>" for k in CONDITION_KEYS}),
            custom_error_type="condition",
            custom_error_message=f"a condition is exactly one of: {', '.join(CONDITION_KEYS)}",
        ),
    ]
for _model in (AllOf, AnyOf):
    _model.model_rebuild()


class ByPopulation(_Strict):
    adult: Text
    child: Text


if TYPE_CHECKING:
    Explanation = Mapping[str, Any]
else:
    Explanation = Annotated[
        Annotated[Text, Tag("<text>")] | Annotated[ByPopulation, Tag("<by_population>")],
        Discriminator(
            lambda v: "<by_population>" if isinstance(v, dict) and ({"adult", "child"} & set(v)) else "<text>"
        ),
    ]


class Level(_Strict):
    """An outcome: the first whose condition holds for the person's population applies."""

    level: int = Field(ge=0, le=MAX_LEVEL)
    key: Key
    label: Text
    when: Condition | None = Field(None, description="both populations")
    adult: Condition | None = None
    child: Condition | None = None
    explanation: Explanation


class ScoringBase(_Strict):
    """A scoring file: indicators/scoring/<version>.yaml."""

    version: Version
    status: SetStatus
    source: NonEmpty
    dimensions: dict[Key, Named] = Field(min_length=1)
    forms: dict[Key, Named] = Field(min_length=1)
    dimension_positive_when: DimensionThresholds
    suspected_form_min_share: float | None = Field(None, gt=0, le=1)
    forms_from: list[Key] = []
    unscored: list[Key] = []
    set_must_cover: list[Key] = []
    unknown_age_is_child: bool = True
    levels: list[Level] = Field(min_length=4)
    texts: dict[Key, Text]


@functools.cache
def _scoring_model() -> type[BaseModel]:
    """The scoring model with the texts the engine fills in (declared by the loader, read lazily)."""
    from screening.core.loading import OPTIONAL_SCORING_TEXTS, SCORING_TEXTS

    fields: dict[str, Any] = {name: (Text, ...) for name in SCORING_TEXTS}
    fields.update({name: (Text | None, None) for name in OPTIONAL_SCORING_TEXTS})
    texts = create_model("ScoringTexts", __config__=_Strict.model_config, **fields)
    return create_model("Scoring", __base__=ScoringBase, __doc__=ScoringBase.__doc__, texts=(texts, ...))


# --- referral rules and contacts ------------------------------------------------------------


def _condition_field(kind: str) -> Any:
    """The value a referral condition field takes, by its kind in ``CONDITION_FIELDS``."""
    if kind == "level":
        return Annotated[int, Field(ge=0, le=MAX_LEVEL)]
    if kind == "bool":
        return bool
    item = {"items": ItemId, "consent": Consent}.get(kind, Key)
    return Annotated[list[item], Field(min_length=1)]  # type: ignore[valid-type]


if TYPE_CHECKING:
    RuleCondition = Mapping[str, Any]
else:
    RuleCondition = create_model(
        "RuleCondition",
        __config__=_Strict.model_config,
        __doc__="Every field given must hold.",
        **{name: (_condition_field(kind) | None, None) for name, kind in CONDITION_FIELDS.items()},
    )


class ContactRef(_Strict):
    contact: Key = Field(description="a contact key of referral_rules/contacts.yaml")
    priority: Priority


class Rule(_Strict):
    id: Key
    when: RuleCondition
    refer: list[ContactRef] = Field(min_length=1)
    reason: Text
    sop: NonEmpty


class ReferralRules(_Strict):
    """A referral-rules file: referral_rules/<version>.yaml. Every matching rule adds its contacts."""

    version: Version
    status: SetStatus
    source: NonEmpty
    rules: list[Rule] = Field(min_length=1)


class Contact(_Strict):
    name: Text
    role: Text
    phone: Phone | None = Field(None, description="never invent a number: null with phone_status to_confirm")
    phone_status: PhoneStatus
    source: NonEmpty
    per_municipality: bool = False
    name_status: ToConfirm | None = None
    name_status_note: NonEmpty | None = None


class Municipality(_Strict):
    name: Text
    csw_phone: Phone | None = None
    csw_phone_status: PhoneStatus


class Contacts(_Strict):
    """The contacts directory: referral_rules/contacts.yaml."""

    contacts: dict[Key, Contact] = Field(min_length=1)
    municipalities: dict[Key, Municipality]


@functools.cache
def _models() -> Mapping[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {
        "bank_items": BankItems,
        "bank": BankHead,
        "set": BankSet,
        "inline_set": InlineSet,
        "scoring": _scoring_model(),
        "referral_rules": ReferralRules,
        "contacts": Contacts,
        "interviewee": Interviewee,
    }
    assert tuple(models) == KINDS
    return models


def document_kind(relative: str, data: Any) -> str | None:
    """The kind of a content file by its path under the content root, or ``None`` for one without a model.

    Sets are of the 2026.2 format when they select from a bank (a ``bank:`` key), else of the inline
    format of 2026.1 and before. Training scenarios have no model here (``screening.core.scenarios``).
    """
    parts = Path(relative).parts
    if len(parts) == 5 and parts[:2] == ("indicators", "bank") and parts[3] == "interviewee":
        return "interviewee"
    if len(parts) == 4 and parts[:2] == ("indicators", "bank"):
        return "bank" if parts[3] == "bank.yaml" else "bank_items"
    if len(parts) == 3 and parts[0] == "indicators" and parts[1] == "scoring":
        return "scoring"
    if len(parts) == 3 and parts[0] == "indicators" and parts[1] not in ("scenarios", "bank", "schema"):
        return "set" if isinstance(data, dict) and "bank" in data else "inline_set"
    if len(parts) == 2 and parts[0] == "referral_rules":
        return "contacts" if parts[1] == "contacts.yaml" else "referral_rules"
    return None


# --- interviewee texts ------------------------------------------------------------------------


class Review(_Strict):
    """Whether a native speaker has reviewed the translation; who and when, once reviewed."""

    status: ReviewStatus
    by: NonEmpty | None = Field(None, validate_default=True, description="required when reviewed")
    on: dt.date | None = Field(None, validate_default=True, description="required when reviewed")

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"status": {"const": "reviewed_by_native_speaker"}}},
            "then": {"required": ["by", "on"]},
        }
    )

    @field_validator("by", "on")
    @classmethod
    def _reviewed_says_by_whom_and_when(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.data.get("status") == "reviewed_by_native_speaker":
            raise PydanticCustomError("missing", "a reviewed translation names who reviewed it (by) and when (on)")
        return value


class Navigation(_Strict):
    """The person's navigation words, and what the person reads after the last question."""

    back: NonEmpty
    next: NonEmpty
    done: NonEmpty = Field(description="thank you; please give the tablet back")


class Interviewee(_Strict):
    """An interviewee language of a bank: indicators/bank/<version>/interviewee/<language>.yaml."""

    language: IntervieweeLanguage = Field(description="the file name without .yaml")
    review: Review
    introduction: Introduction
    answers: AnswerWords
    find_interpreter: NonEmpty = Field(description="we will find an interpreter who speaks your language")
    navigation: Navigation
    items: dict[ItemId, NonEmpty] = Field(
        min_length=1,
        description="every asked bank item of the bank's sets and child module: the question as said to the "
        "person, second person, phrased so that yes means the indicator holds",
    )


# --- validation -----------------------------------------------------------------------------

_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
}
_BOUNDS = {
    "greater_than": "must be more than",
    "greater_than_equal": "must be at least",
    "less_than": "must be less than",
    "less_than_equal": "must be at most",
}


def validate_document(kind: str, data: Any, loaded: LoadedYaml, file: str) -> list[Problem]:
    """Validate one parsed document against the format of ``kind``; one ``Problem`` per error."""
    return [Problem(file, format_path(e.path), loaded.line(e.path), e.message) for e in _errors(kind, data)]


def check(c: Checker, kind: str, data: Any) -> None:
    """Validate a document the loader is reading, before its semantic checks.

    The problems join the checker's; the checker then leaves out what it would report again at the
    same place (an unknown strength, a missing language), so an author reads each fault once.
    """
    for error in _errors(kind, data):
        c.problems.append(Problem(c.file, format_path(error.path), c.loaded.line(error.path), error.message))
        # A list too short is reported on the list; what is inside it is still checked.
        c.cover(error.path, missing=error.type in _MISSING, below=error.type != "too_short")


#: Error types that mean a key is absent (a section without its ``kind`` tag is one).
_MISSING = ("missing", "union_tag_not_found")


class _Error(NamedTuple):
    path: PathKey
    type: str
    message: str


def _errors(kind: str, data: Any) -> list[_Error]:
    model = _models()[kind]
    try:
        model.model_validate(data)
    except ValidationError as exc:
        found: list[_Error] = []
        for error in exc.errors():
            loc, missing = _tagged_location(error)
            path = _data_path(data, loc, missing)
            entry = _Error(path, error["type"], _message(kind, path, error, data))
            if entry not in found:
                found.append(entry)
        return found
    return []


def _tagged_location(error: Any) -> tuple[tuple[str | int, ...], bool]:
    """The location of an error, and whether it is a missing key; a bad ``kind:`` tag is the ``kind`` key's."""
    loc = tuple(error["loc"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    tag_key = str(ctx.get("discriminator", "")).strip("'")
    if error["type"] in ("union_tag_invalid", "union_tag_not_found") and tag_key.isidentifier():
        return (*loc, tag_key), error["type"] in _MISSING
    return loc, error["type"] in _MISSING


def _data_path(data: Any, loc: tuple[str | int, ...], missing: bool) -> PathKey:
    """The path in the document of a pydantic location (union tags and ``[key]`` left out)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            path.append(str(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif missing and index == len(loc) - 1 and isinstance(part, str):
            path.append(part)
    return tuple(path)


def _message(kind: str, path: PathKey, error: Any, data: Any) -> str:
    kind_of_error: str = error["type"]
    value = error.get("input")
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind_of_error == "missing":
        return str(error["msg"]) if error["msg"] != "Field required" else f"missing {path[-1]!r}"
    if kind_of_error == "union_tag_not_found" and path and isinstance(path[-1], str):
        return f"missing {path[-1]!r}"
    if kind_of_error == "union_tag_invalid" and "tag" in ctx:
        return f"unknown value {ctx['tag']!r} (allowed: {str(ctx.get('expected_tags', '')).replace(chr(39), '')})"
    if kind_of_error == "extra_forbidden":
        allowed, titles = _allowed_keys(kind, path[:-1], data)
        noun = next((_KEY_NOUNS[t] for t in titles if t in _KEY_NOUNS), "key")
        hint = ""
        if set(allowed) == set(CONTENT_LANGUAGES):
            noun = "language"
            hint = " (Cyrillic is derived from sr_Latn)" if str(path[-1]).startswith("sr") else ""
        else:
            close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown {noun} {path[-1]!r} (allowed: {', '.join(allowed)}){hint}"
    if kind_of_error == "literal_error":
        hint = ""
        if path[-2:] == ("strength", "child") and value == "weak":
            hint = ": 'weak' is not a child strength, the ILO child lists have no weak tier"
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"unknown value {value!r} (allowed: {expected}){hint}"
    if kind_of_error in ("string_pattern_mismatch", "string_too_short"):
        pattern = ctx.get("pattern")
        if pattern == r"\S" or kind_of_error == "string_too_short":
            return "must not be empty"
        return f"{value!r} is not {_PATTERNS.get(str(pattern), f'matching {pattern}')}"
    if kind_of_error in _EXPECTED:
        found = f"expected {_EXPECTED[kind_of_error]}, found {_kind(value)}"
        if kind_of_error == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
            found += ": quote it so YAML keeps it a string"
            found += ', e.g. "2026.2"' if isinstance(value, float) else ""
        return found
    if kind_of_error == "too_short" and path == ("sections",) and kind in ("set", "inline_set"):
        return "a set needs at least a safety section and one indicator section"
    if kind_of_error == "too_short":
        count = ctx.get("min_length")
        return f"give at least {count} {'entry' if count == 1 else 'entries'}"
    if kind_of_error in _BOUNDS:
        return f"{_BOUNDS[kind_of_error]} {next(iter(ctx.values()), '')}, found {value!r}"
    return str(error["msg"])


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


#: What an unknown key is called, by the title of the mapping it is in.
_KEY_NOUNS: Mapping[str, str] = {"RuleCondition": "condition field", "ScoringTexts": "text"}


def _allowed_keys(kind: str, path: PathKey, data: Any) -> tuple[list[str], list[str]]:
    """The keys the schema allows at ``path`` in ``data``, and the titles of its mappings.

    Where a union is tagged (a section's ``kind``), the branch the document names; else every branch.
    """
    schema = _json_schemas()[kind]
    defs: Mapping[str, Any] = schema.get("definitions", {})
    nodes = list(_expand(schema, defs))
    for depth, part in enumerate(path):
        following: list[Any] = []
        for node in nodes:
            if isinstance(part, int) and isinstance(node.get("items"), dict):
                following.append(node["items"])
            elif isinstance(part, str) and part in node.get("properties", {}):
                following.append(node["properties"][part])
            elif isinstance(part, str):
                following.extend(node.get("patternProperties", {}).values())
                if isinstance(node.get("additionalProperties"), dict):
                    following.append(node["additionalProperties"])
        nodes = [n for f in following for n in _expand(_tagged_branch(f, data, path[: depth + 1]), defs)]
    keys: list[str] = []
    for node in nodes:
        keys.extend(k for k in node.get("properties", {}) if k not in keys)
    return keys, [str(node.get("title", "")) for node in nodes]


def _tagged_branch(node: Any, data: Any, path: PathKey) -> Any:
    """The branch of a tagged union the document at ``path`` names by its tag; ``node`` itself otherwise."""
    tagging = node.get("discriminator") if isinstance(node, dict) else None
    if not tagging:
        return node
    value: Any = data
    for part in path:
        value = _child(value, part)
    tag = value.get(tagging["propertyName"]) if isinstance(value, dict) else None
    target = tagging["mapping"].get(tag) if isinstance(tag, str) else None
    return {"$ref": target} if target else node


def _child(node: Any, part: str | int) -> Any:
    """``node[part]`` in a parsed document, or ``None`` where there is no such entry."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _expand(node: Any, defs: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        yield from _expand(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return
    yield node
    for branch in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(branch, ()):
            yield from _expand(sub, defs)


# --- JSON Schema ----------------------------------------------------------------------------


class _ContentSchema(GenerateJsonSchema):
    """Keys of a mapping that must match a pattern admit no other key."""

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        result = super().dict_schema(schema)
        if "patternProperties" in result:
            result["additionalProperties"] = False
        return result


_TITLES = {
    "bank_items": "Indicator bank items (indicators/bank/<version>/*.yaml)",
    "bank": "Indicator bank head (indicators/bank/<version>/bank.yaml)",
    "set": "Indicator set selecting from a bank (indicators/<set>/<version>.yaml, 2026.2 on)",
    "inline_set": "Indicator set defining its items inline (indicators/<set>/<version>.yaml, 2026.1 and before)",
    "scoring": "Scoring rules (indicators/scoring/<version>.yaml)",
    "referral_rules": "Referral rules (referral_rules/<version>.yaml)",
    "contacts": "Contacts directory (referral_rules/contacts.yaml)",
    "interviewee": "Interviewee language (indicators/bank/<version>/interviewee/<language>.yaml)",
}


@functools.cache
def _json_schemas() -> Mapping[str, Mapping[str, Any]]:
    schemas: dict[str, Mapping[str, Any]] = {}
    for kind, model in _models().items():
        body = model.model_json_schema(ref_template="#/definitions/{model}", schema_generator=_ContentSchema)
        if "$defs" in body:  # draft 7 names them definitions
            body["definitions"] = body.pop("$defs")
        schemas[kind] = {"$schema": JSON_SCHEMA_DIALECT, **body, "title": _TITLES[kind]}
    return schemas


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every kind of document, as shipped in ``indicators/schema/``."""
    return {kind: json.loads(json.dumps(schema)) for kind, schema in _json_schemas().items()}


def schema_text(schema: Mapping[str, Any]) -> str:
    """A schema file's text: sorted keys, so a regenerated file differs only where the format did."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(root: Path) -> list[Path]:
    """Write ``<root>/indicators/schema/<kind>.schema.json``; returns the files that changed."""
    folder = root / SCHEMA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for kind, schema in json_schemas().items():
        file = folder / f"{kind}.schema.json"
        text = schema_text(schema)
        if not file.is_file() or file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")
            changed.append(file)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m screening.core.schema [--check] [ROOT]``: write (or check) the shipped schemas."""
    args = list(sys.argv[1:] if argv is None else argv)
    only_check = "--check" in args
    args = [a for a in args if a != "--check"]
    root = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    if only_check:
        stale = [
            kind
            for kind, schema in json_schemas().items()
            if not (root / SCHEMA_FOLDER / f"{kind}.schema.json").is_file()
            or (root / SCHEMA_FOLDER / f"{kind}.schema.json").read_text(encoding="utf-8") != schema_text(schema)
        ]
        for kind in stale:
            print(f"{SCHEMA_FOLDER / kind}.schema.json is stale: run python -m screening.core.schema", file=sys.stderr)
        return 1 if stale else 0
    for file in write_schemas(root):
        print(f"wrote {file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
