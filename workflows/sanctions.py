"""Sanctions by the inspectorate and other authorities (A §4.2; RULES.md §6), as pure rules: which
outcomes the CKI's determination allows, which need a recorded motivation, and which finding
category a kept certificate's notice becomes (scheme data: ``sanction_category_a``)."""
from __future__ import annotations

from datetime import date
from enum import StrEnum

from workflows.rules import SchemeRef, _version


class Authority(StrEnum):
    INSPECTORATE = "inspectorate"
    OTHER = "other_authority"


class NoticeKind(StrEnum):
    STILLEGGING = "stillegging"
    PROCES_VERBAAL = "proces_verbaal"
    HEAVY_FINE = "heavy_fine"
    OTHER = "other"


AUTHORITY_LABELS = {Authority.INSPECTORATE: "de Arbeidsinspectie", Authority.OTHER: "een andere overheidsinstelling"}
KIND_LABELS = {NoticeKind.STILLEGGING: "stillegging", NoticeKind.PROCES_VERBAAL: "proces-verbaal",
               NoticeKind.HEAVY_FINE: "zware boete", NoticeKind.OTHER: "andere sanctie"}


class Assessment(StrEnum):
    """Why not to withdraw (or reject) despite a deviation from the scheme, if any."""

    INCIDENT = "incident"
    OTHER_REASON = "other_reason"
    NEITHER = "neither"


class Outcome(StrEnum):
    WITHDRAW = "withdraw"  # certificate: the decider starts the withdrawal (with its zienswijze)
    KEEP = "keep"  # certificate: kept, motivated; the §8.2 procedure follows as a finding
    REJECT = "reject"  # application
    WEIGH = "weigh_in_assessment"  # application: the facts are weighed in the assessment


def allowed_outcomes(subject: str, deviation: bool | None, assessment: str | None) -> list[Outcome]:
    """What may follow the determination (RULES.md §6). For a certificate: a deviation with neither
    an incident nor another reason means withdrawal; with one of them the certificate is kept and
    the §8.2 procedure follows; no deviation: the CKI weighs freely and keeps it. For an
    application: reject on the same terms, or weigh the facts in the assessment."""
    if deviation is None:
        return []
    if subject == "certificate":
        if not deviation:
            return [Outcome.KEEP]
        return [Outcome.WITHDRAW] if assessment == Assessment.NEITHER else [Outcome.KEEP]
    if deviation and assessment == Assessment.NEITHER:
        return [Outcome.REJECT, Outcome.WEIGH]
    return [Outcome.WEIGH]


def needs_motivation(deviation: bool | None, outcome: str) -> bool:
    """A certificate kept, or an application weighed on, after a notice that showed a deviation is
    motivated and listed for the annual report (A §4.2 c)."""
    return bool(deviation) and outcome in (Outcome.KEEP, Outcome.WEIGH)


def finding_category(scheme: SchemeRef, authority: str, kind: str, *, on: date) -> str:
    """The category of the finding a kept certificate's deviating notice becomes: A where the scheme
    says so (SC-530: only an inspectorate stillegging), else the category of the non-A path."""
    version = _version(scheme, on)
    rule = version.param("sanction_category_a")
    wanted = "category_a" if authority in rule["authorities"] and kind in rule["kinds"] else "non_a"
    return next(c["code"] for c in version.param("finding_categories") if c["procedure"] == wanted)
