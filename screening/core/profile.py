"""The minimal profile of the person screened. No name, no contact details, by design."""

from __future__ import annotations

from dataclasses import dataclass

ADULT_AGE = 18
CONSENT_VALUES: tuple[str, ...] = ("given", "declined", "not_recorded")


@dataclass(frozen=True)
class Profile:
    """What the scoring and the referral rules may use about the person.

    ``age`` is ``None`` when unknown. Unknown or uncertain age counts as a child (Palermo
    Protocol Art. 3(d) and the presumption of minority): a wrong "adult" would demand means
    that the law does not require for a child.
    """

    age: int | None = None
    age_uncertain: bool = False
    foreign_national: bool | None = None
    asylum_seeker: bool = False
    municipality: str | None = None
    consent: str = "not_recorded"

    @property
    def is_child(self) -> bool:
        return self.age is None or self.age_uncertain or self.age < ADULT_AGE
