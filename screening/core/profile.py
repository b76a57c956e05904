"""The minimal profile of the person screened. No name, no contact details, by design."""

from __future__ import annotations

from dataclasses import dataclass

ADULT_AGE = 18
CONSENT_VALUES: tuple[str, ...] = ("given", "declined", "not_recorded")
#: The screener's estimate when the exact age is not known (CoE Convention Art. 10(3)).
AGE_ESTIMATES: tuple[str, ...] = ("clearly_adult", "may_be_minor", "clearly_child", "cannot_estimate")
CHILD_ESTIMATES = frozenset({"may_be_minor", "clearly_child"})


@dataclass(frozen=True)
class Profile:
    """What the scoring and the referral rules may use about the person.

    ``age`` is the stated or documented age, ``None`` when not known. ``age_estimate`` is the
    screener's estimate. ``age_uncertain`` is the 2026.1 flag "the age is an estimate: the person may
    be under 18", read as ``may_be_minor``.
    """

    age: int | None = None
    age_uncertain: bool = False
    foreign_national: bool | None = None
    asylum_seeker: bool = False
    municipality: str | None = None
    consent: str = "not_recorded"
    age_estimate: str | None = None

    @property
    def age_status(self) -> str:
        """``child`` when there are reasons to believe the person is under 18, ``adult`` when
        the age or the estimate says so, ``unknown`` when neither (a phone call, no estimate)."""
        if self.age_uncertain or self.age_estimate in CHILD_ESTIMATES:
            return "child"
        if self.age is not None:
            return "child" if self.age < ADULT_AGE else "adult"
        if self.age_estimate == "clearly_adult":
            return "adult"
        return "unknown"

    def counts_as_child(self, unknown_is_child: bool) -> bool:
        """Whether the child rule applies; an unknown age follows the scoring version's rule."""
        status = self.age_status
        return status == "child" or (status == "unknown" and unknown_is_child)
