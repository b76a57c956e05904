"""Small, fixed content for the decision tests, built in Python from the model's dataclasses.

It mirrors the shape of scoring 2026.2 and referral rules 2026.2 (and keeps a 2026.1-style scoring
version for the old conditions), but it does not read ``indicators/`` or ``referral_rules/``: the
decision tests, and so ``make mutation``, do not move when content editors change the shipped files.
Every text differs by language, so a line shown in the wrong language is noticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from screening.core.model import (
    Condition,
    Contact,
    ContactRef,
    Content,
    Directory,
    Indicator,
    IndicatorSet,
    LevelRule,
    Municipality,
    ReferralRule,
    ReferralRules,
    SafetyCheck,
    ScoringRules,
    Section,
    Text,
    Threshold,
)


def T(en: str) -> Text:
    """A text in the three content languages, recognisably different in each."""
    return MappingProxyType({"sq": f"[sq] {en}", "sr_Latn": f"[sr] {en}", "en": en})


ILO = (
    "act",
    "deceptive_recruitment",
    "coercive_recruitment",
    "vulnerability_recruitment",
    "exploitative_conditions",
    "coercion_destination",
    "vulnerability_destination",
)
RECRUITMENT = ("deceptive_recruitment", "coercive_recruitment", "vulnerability_recruitment")
FORMS = (
    "prostitution",
    "pornography",
    "forced_labour",
    "begging",
    "domestic_servitude",
    "organ_removal",
)


def item(
    item_id: str,
    dimension: str,
    adult: str,
    child: str | None = None,
    *,
    forms: tuple[str, ...] = (),
    urgent: bool = False,
    speak_alone: bool = False,
) -> Indicator:
    return Indicator(
        id=item_id,
        dimension=dimension,
        strength_adult=adult,
        strength_child=child or adult,
        forms=forms,
        mode="ask",
        urgent=urgent,
        source="test",
        text=T(item_id),
        guidance=T(item_id),
        speak_alone=speak_alone,
    )


SAFETY = (
    SafetyCheck("safety.immediate_danger", "urgent", T("danger now?"), T("")),
    SafetyCheck("safety.person_alone", "privacy", T("alone?"), T("")),
    SafetyCheck("safety.interpreter_not_neutral", "privacy", T("interpreter?"), T("")),
    SafetyCheck("safety.medical", "medical", T("medical?"), T("")),
)

RECRUITMENT_ITEMS = (
    item("act.moved", "act", "weak", "medium"),
    item("dec.false_job", "deceptive_recruitment", "medium"),
    item("dec.false_pay", "deceptive_recruitment", "medium"),
    item("dec.vague_offer", "deceptive_recruitment", "weak", "medium"),
    item("rec.abducted", "coercive_recruitment", "strong"),
    item("vrec.debt", "vulnerability_recruitment", "medium"),
    item("vrec.poverty", "vulnerability_recruitment", "weak", "medium"),
)
WORK_ITEMS = (
    item("cond.hours", "exploitative_conditions", "medium", forms=("forced_labour",)),
    item("cond.pay", "exploitative_conditions", "medium", "strong", forms=("forced_labour",)),
    item("cond.no_contract", "exploitative_conditions", "weak", "medium", forms=("forced_labour", "begging")),
    item("cond.dangerous", "exploitative_conditions", "strong", forms=("forced_labour",)),
)
CONTROL_ITEMS = (
    item("coer.confined_now", "coercion_destination", "strong", urgent=True),
    item("coer.threats", "coercion_destination", "strong"),
    item("coer.watched", "coercion_destination", "medium"),
    # An everyday observation, strong for an adult only in combination: alone it prompts a talk alone.
    item("coer.companion", "coercion_destination", "medium", speak_alone=True),
    item("vdest.isolated", "vulnerability_destination", "medium"),
    item("vdest.no_language", "vulnerability_destination", "weak", "medium"),
    item("vdest.exploited_illness", "vulnerability_destination", "strong", "medium"),
)
PURPOSE_ITEMS = (
    item("pur.sexual", "purpose", "strong", forms=("prostitution", "pornography")),
    item("pur.organ", "purpose", "strong", forms=("organ_removal",)),
    item("pur.begging", "purpose", "medium", "strong", forms=("begging",)),
    item("pur.domestic", "purpose", "medium", forms=("domestic_servitude", "forced_labour")),
    item("pur.escort", "purpose", "medium", forms=("prostitution",)),
)
CONTEXT_ITEMS = (
    item("ctx.private_household", "context", "weak"),
    item("ctx.abroad", "context", "weak"),
)
CHILD_ITEMS = (
    item("chd.street", "child_protection", "medium"),
    item("chd.online", "purpose", "strong", forms=("pornography",)),
)


def indicator_set(set_id: str = "general", scoring: str = "2026.2", version: str = "2026.2") -> IndicatorSet:
    return IndicatorSet(
        id=set_id,
        version=version,
        status="released",
        released_on=None,
        scoring=scoring,
        title=T(set_id),
        purpose=T(set_id),
        intended_users=("police",),
        sources=(),
        sections=(
            Section("safety", "safety", T("Safety"), safety_checks=SAFETY),
            Section("recruitment", "indicators", T("Recruitment"), indicators=RECRUITMENT_ITEMS),
            Section("work", "indicators", T("Work"), indicators=WORK_ITEMS),
            Section("control", "indicators", T("Control"), indicators=CONTROL_ITEMS),
            Section("purpose", "indicators", T("Purpose"), indicators=PURPOSE_ITEMS),
            Section("context", "indicators", T("Context"), indicators=CONTEXT_ITEMS),
        ),
        child_sections=(Section("child", "indicators", T("Child module"), indicators=CHILD_ITEMS),),
        file="synthetic",
        sha256="",
    )


def level(
    n: int,
    key: str,
    adult: Condition | None,
    child: Condition | None,
) -> LevelRule:
    return LevelRule(
        level=n,
        key=key,
        label=T(f"label {key}"),
        adult=adult,
        child=child,
        explanation_adult=T(f"{key} (adult rule)"),
        explanation_child=T(f"{key} (child rule)"),
    )


def _texts(*, new: bool) -> Mapping[str, Text]:
    texts = {
        "positive_dimension": T("Positive dimension – {dimension}: {indicators}."),
        "strong_indicator": T("Strong indicators answered yes: {indicators}."),
        "indicators_present": T("Other indicators answered yes: {indicators}."),
        "child_rule": T("The child rule applies."),
        "urgent": T("Someone is in immediate danger: call 192 now."),
        "medical": T("Urgent medical care is needed."),
        "not_counted": T("{count} indicators were answered 'unknown' or not asked; they are not counted as 'no'."),
        "standing_note_early": T("Early identification, not formal identification."),
        "standing_note_absence": T("The absence of indicators does not rule trafficking out."),
    }
    if new:
        texts["speak_alone"] = T("Speak to the person alone.")
        texts["age_to_establish"] = T("The age must be established; involve the CSW if under 18.")
    return MappingProxyType(texts)


DEFAULT_THRESHOLDS = (
    Threshold(strong=2),
    Threshold(strong=1, medium=1),
    Threshold(strong=1, weak=1),
    Threshold(medium=3),
    Threshold(medium=2, weak=1),
)


def scoring_2026_2() -> ScoringRules:
    """The shape of scoring 2026.2: purpose, means required for "possible", labour rights, age rule."""
    dimensions = (*ILO, "purpose", "child_protection", "context")
    all_scored = (*ILO, "purpose")
    recruitment_unknown: Condition = {
        "all": (
            {"positive": ("exploitative_conditions", "purpose")},
            {"positive": ("coercion_destination",)},
            {"none_answered_no": RECRUITMENT},
        )
    }
    levels = (
        level(
            3,
            "presumed",
            {
                "all": (
                    {"positive": RECRUITMENT},
                    {"positive": ("exploitative_conditions", "purpose")},
                    {"positive": ("coercion_destination", "vulnerability_destination")},
                )
            },
            {
                "any": (
                    {"positive": ("purpose",)},
                    {
                        "all": (
                            {"positive": ("act", *RECRUITMENT)},
                            {"positive": ("exploitative_conditions",)},
                        )
                    },
                )
            },
        ),
        level(3, "presumed_recruitment_unknown", recruitment_unknown, recruitment_unknown),
        level(
            2,
            "possible",
            {
                "any": (
                    {"positive": ("coercive_recruitment", "coercion_destination", "purpose")},
                    {
                        "strong_in": (
                            "coercive_recruitment",
                            "coercion_destination",
                            "vulnerability_destination",
                            "purpose",
                        )
                    },
                    {
                        "all": (
                            {
                                "positive": (
                                    "deceptive_recruitment",
                                    "vulnerability_recruitment",
                                    "vulnerability_destination",
                                )
                            },
                            {
                                "yes_in": (
                                    "exploitative_conditions",
                                    "purpose",
                                    "coercive_recruitment",
                                    "coercion_destination",
                                )
                            },
                        )
                    },
                )
            },
            {
                "any": (
                    {
                        "positive": (
                            "deceptive_recruitment",
                            "coercive_recruitment",
                            "exploitative_conditions",
                            "coercion_destination",
                        )
                    },
                    {"strong_in": ("coercive_recruitment", "coercion_destination", "vulnerability_destination")},
                )
            },
        ),
        level(1, "labour_rights", {"positive": ("exploitative_conditions",)}, None),
        level(1, "concern", {"yes_in": all_scored}, {"yes_in": all_scored}),
        level(1, "child_protection", None, {"yes_in": ("child_protection",)}),
    )
    return ScoringRules(
        version="2026.2",
        status="released",
        dimensions=dimensions,
        dimension_names=MappingProxyType({d: T(f"name of {d}") for d in dimensions}),
        forms=FORMS,
        form_names=MappingProxyType({f: T(f) for f in FORMS}),
        thresholds=DEFAULT_THRESHOLDS,
        threshold_overrides=MappingProxyType(
            {
                "act": (Threshold(any=1),),
                "purpose": (Threshold(strong=1), Threshold(medium=2)),
                "child_protection": (Threshold(any=1),),
            }
        ),
        levels=levels,
        level_zero=level(0, "none", None, None),
        texts=_texts(new=True),
        file="synthetic-2026.2",
        forms_from=("purpose",),
        unscored=("context",),
        unknown_age_is_child=False,
    )


def scoring_2026_1() -> ScoringRules:
    """The shape of scoring 2026.1: a share of all items names the forms, unknown age is a child,
    ``any_strong`` and ``any_yes`` conditions, no speak-alone or age texts."""
    levels = (
        level(
            3,
            "presumed",
            {
                "all": (
                    {"positive": RECRUITMENT},
                    {"positive": ("exploitative_conditions",)},
                    {"positive": ("coercion_destination", "vulnerability_destination")},
                )
            },
            {"all": ({"positive": ("act", *RECRUITMENT)}, {"positive": ("exploitative_conditions",)})},
        ),
        level(
            2,
            "possible",
            {"any": ({"positive": ILO[1:]}, {"any_strong": True})},
            {"any": ({"positive": ILO}, {"all": ({"any_strong": True}, {"any_yes": True})})},
        ),
        level(1, "concern", {"any_yes": True}, {"any_yes": True}),
    )
    return ScoringRules(
        version="2026.1",
        status="released",
        dimensions=ILO,
        dimension_names=MappingProxyType({d: T(f"name of {d}") for d in ILO}),
        forms=FORMS,
        form_names=MappingProxyType({f: T(f) for f in FORMS}),
        thresholds=DEFAULT_THRESHOLDS,
        threshold_overrides=MappingProxyType({"act": (Threshold(any=1),)}),
        levels=levels,
        level_zero=level(0, "none", None, None),
        texts=_texts(new=False),
        file="synthetic-2026.1",
        suspected_form_min_share=0.5,
    )


def rule(rule_id: str, when: Mapping[str, object], *refer: tuple[str, str], sop: str | None = None) -> ReferralRule:
    return ReferralRule(
        id=rule_id,
        when=MappingProxyType(dict(when)),
        refer=tuple(ContactRef(contact, priority) for contact, priority in refer),
        reason=T(f"reason {rule_id}"),
        sop=sop or f"SOP {rule_id}",
    )


def referral_rules_2026_2() -> ReferralRules:
    """The shape of referral rules 2026.2 (plus a rule on each condition field it does not use)."""
    return ReferralRules(
        version="2026.2",
        status="released",
        rules=(
            rule("immediate_danger", {"urgent": True}, ("police_emergency", "now")),
            rule("medical_emergency", {"medical_emergency": True}, ("emergency_medical", "now")),
            rule("adult_presumed", {"child": False, "level_at_least": 3}, ("dithb", "now"), ("vaao", "now")),
            rule(
                "child_presumed",
                {"child": True, "level_at_least": 3},
                ("csw", "now"),
                ("dithb", "now"),
                ("vaao", "now"),
                sop="SOP children",
            ),
            rule(
                "child_possible",
                {"child": True, "level": 2},
                ("csw", "now"),
                ("dithb", "now"),
                ("vaao", "within_24h"),
                sop="SOP children",
            ),
            rule("child_concern", {"child": True, "outcome": ("concern",)}, ("csw", "within_24h"), sop="SOP children"),
            rule("child_protection", {"child": True, "outcome": ("child_protection",)}, ("csw", "routine")),
            rule("adult_possible", {"child": False, "level": 2}, ("dithb", "within_24h"), ("vaao", "within_24h")),
            rule(
                "adult_possible_coercion_now",
                {"child": False, "level": 2, "positive_any": ("coercion_destination",)},
                ("dithb", "now"),
            ),
            rule("adult_possible_urgent_now", {"child": False, "level": 2, "urgent": True}, ("dithb", "now")),
            rule("organ_removal", {"forms_any": ("organ_removal",)}, ("dithb", "now")),
            rule(
                "adult_declined_rights",
                {"child": False, "level_at_least": 2, "consent": ("declined",)},
                ("vaao", "within_24h"),
            ),
            rule(
                "labour_rights_inspectorate",
                {
                    "outcome": ("labour_rights",),
                    "yes_none": ("ctx.private_household", "ctx.abroad"),
                    "forms_none": ("prostitution", "pornography"),
                },
                ("labour_inspectorate", "routine"),
            ),
            rule(
                "adult_concern_advice", {"child": False, "outcome": ("concern",)}, ("antitrafficking_line", "routine")
            ),
            rule("abroad_cooperation", {"yes_any": ("ctx.abroad",), "level_at_least": 2}, ("ngo", "routine")),
            rule(
                "coercion_seen_concern",
                {"child": False, "level": 1, "evidence_in_any": ("coercion_destination",)},
                ("ngo", "within_24h"),
            ),
            rule("age_to_establish", {"age_to_establish": True, "level_at_least": 1}, ("csw", "routine")),
            rule("foreign_national_dcam", {"foreign_national": True, "level_at_least": 2}, ("dcam", "routine")),
            rule("asylum_seeker_dcam", {"asylum_seeker": True, "level_at_least": 1}, ("dcam", "routine")),
        ),
        file="synthetic-rules-2026.2",
    )


def referral_rules_2026_1() -> ReferralRules:
    """An older rules version: a possible case goes to DITHB within 24 h, nothing else."""
    return ReferralRules(
        version="2026.1",
        status="released",
        rules=(rule("possible", {"level_at_least": 2}, ("dithb", "within_24h")),),
        file="synthetic-rules-2026.1",
    )


def content(*rules: ReferralRules) -> Content:
    sets = {
        ("general", "2026.1"): indicator_set("general", scoring="2026.1", version="2026.1"),
        ("general", "2026.2"): indicator_set(),
        ("labour", "2026.2"): indicator_set("labour"),
    }
    rules = rules or (referral_rules_2026_1(), referral_rules_2026_2())
    return Content(
        sets=MappingProxyType(sets),
        scoring=MappingProxyType({"2026.1": scoring_2026_1(), "2026.2": scoring_2026_2()}),
        referral_rules=MappingProxyType({r.version: r for r in rules}),
        directory=Directory(
            contacts=MappingProxyType(
                {
                    key: Contact(key, T(key), T(key), "192", "published", "test")
                    for key in ("police_emergency", "dithb", "vaao", "csw", "dcam", "labour_inspectorate")
                }
            ),
            municipalities=MappingProxyType(
                {
                    "prishtine": Municipality("prishtine", T("Prishtinë"), "038 000 000", "published"),
                    "gjilan": Municipality("gjilan", T("Gjilan"), None, "to_confirm"),
                }
            ),
            file="synthetic-contacts",
        ),
        root=".",
        defaults=MappingProxyType({"general": "2026.2", "labour": "2026.2"}),
    )
