"""Sources for codes used when records leave spinepath as FHIR: vertebra body sites, ODI score.

How each code was checked is recorded in docs/fhir.md ("Codes and where they were checked") and
docs/clinical-sources.md.
"""

from __future__ import annotations

from spinepath.clinical.sources import Source

DICOM_CID_7603_VERTEBRA = "dicom-ps3-16-cid-7603"
LOINC_ODI_SCORE = "loinc-97909-6"

SOURCES: list[Source] = [
    Source(
        id=DICOM_CID_7603_VERTEBRA,
        title="SNOMED CT codes for the vertebrae C1 to L5",
        citation=(
            "DICOM PS3.16 Content Mapping Resource, Context Group CID 7603 'Vertebra' "
            "(OID 1.2.840.10008.6.1.1434), as rendered in a FHIR ValueSet of the DICOM "
            "terminology."
        ),
        edition="CID 7603 version 20220115",
        confidence="S",
        url="https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_7603.html",
        note=(
            "Read in a FHIR rendering of the context group (one SNOMED CT code per vertebra, "
            "C1 14806007 to L5 49668003); T8 11068009 and T12 23215003 agree in two further "
            "independent code lists (segmentation label maps). The group has no sacral "
            "vertebrae, so S1-S5 are exported as body-site text only."
        ),
    ),
    Source(
        id=LOINC_ODI_SCORE,
        title="LOINC 97909-6 Oswestry disability index score",
        citation=(
            "Regenstrief Institute. LOINC 97909-6 'Oswestry disability index score ODI', "
            "member of panel 97908-8 'Oswestry Disability Index'."
        ),
        edition="LOINC 2.70 (first released and last updated)",
        confidence="P",
        url="https://loinc.org/97909-6",
        note=(
            "The LOINC term page: a percent based on the scores of the contributing questions. "
            "The same page quotes interpretation bands in raw points (0-50); spinepath reports "
            "the percent and its own cited bands, not LOINC's."
        ),
    ),
]
