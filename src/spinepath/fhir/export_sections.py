"""Every part of the episode export, from the packages that own the records."""

from __future__ import annotations

from spinepath.fhir import sections
from spinepath.fhir.export import Section, checked_sections
from spinepath.follow_up import fhir as follow_up_fhir
from spinepath.preparation import fhir as preparation_fhir
from spinepath.procedures import fhir as procedures_fhir
from spinepath.recovery import fhir as recovery_fhir

ALL_SECTIONS: tuple[Section, ...] = checked_sections(
    [
        *sections.FHIR_SECTIONS,
        *preparation_fhir.FHIR_SECTIONS,
        *procedures_fhir.FHIR_SECTIONS,
        *recovery_fhir.FHIR_SECTIONS,
        *follow_up_fhir.FHIR_SECTIONS,
    ]
)
