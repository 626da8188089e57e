"""Sources for procedure day: procedure codes, vital-sign codes, recovery and discharge defaults.

How each fact was checked is recorded in docs/clinical-sources/procedure-and-recovery.md. The
NEWS2, Aldrete and PADSS sources themselves live in ``recovery_scores.py``.
"""

from __future__ import annotations

from spinepath.clinical.sources import Source

AMA_CPT_VERTEBRAL_AUGMENTATION = "ama-cpt-22510-22515"
AAPC_ADD_ON_CODING = "aapc-va-add-on-coding"
BECKERS_2015_CODE_CHANGES = "beckers-2015-va-code-changes"
HL7_FHIR_R4_VITAL_SIGNS = "hl7-fhir-r4-vital-signs"
HL7_UK_CORE_NEWS2 = "hl7-uk-core-news2-total"
VP_POSTOPERATIVE_ORDERS = "vp-textbook-postoperative-orders"
SPINEPATH_PROCEDURE_DAY = "spinepath-procedure-day-rules"

SOURCES: list[Source] = [
    Source(
        id=AMA_CPT_VERTEBRAL_AUGMENTATION,
        title="CPT codes for percutaneous vertebroplasty and vertebral augmentation",
        citation=(
            "American Medical Association. Current Procedural Terminology (CPT), codes 22510, "
            "22511, +22512, 22513, 22514, +22515 (in use since 1 January 2015), as listed in "
            "Medicare contractor policies and coding references."
        ),
        edition="CPT 2015 onward (replaced 22520-22525 and 72291-72292)",
        confidence="S",
        note=(
            "Code meanings read in secondary copies: a Medicare contractor code list "
            "(radiologybillingcoding.com copy), coding references (mirahealth.care, "
            "codingahead, iframe.ai) and the CMS recovery-audit topic 0139 naming the codes. "
            "Vertebroplasty by cervicothoracic or lumbosacral body, augmentation by thoracic or "
            "lumbar body, one add-on per additional body. Descriptors are AMA-copyrighted and "
            "are not shipped."
        ),
    ),
    Source(
        id=AAPC_ADD_ON_CODING,
        title="Vertebroplasty and kyphoplasty add-on codes",
        citation=(
            "AAPC Orthopedic Coding Alert, 'Boost your bottom line by knowing how to use "
            "vertebroplasty, kyphoplasty add-on codes'; Verhovshek GJ, 'Vertebroplasty is not "
            "vertebral augmentation', AAPC blog."
        ),
        edition="as read in the stored copies (article and blog, undated)",
        confidence="S",
        note=(
            "One primary code per session whether the levels are contiguous or not, an add-on "
            "unit per further level; for levels crossing regions a single initial-level code "
            "is chosen (the blog explains it for the 2001-2014 codes). Which primary to choose "
            "across regions is a coding choice, so spinepath sends it to review."
        ),
    ),
    Source(
        id=BECKERS_2015_CODE_CHANGES,
        title="Coding updates for sacroplasty in 2015",
        citation="Becker's Spine Review, 'Coding updates for sacroplasty in 2015'.",
        edition="2015",
        confidence="S",
        note=(
            "The 2015 codes added sacral and cervical levels to the vertebroplasty descriptors "
            "and distinguished sacral vertebroplasty from sacral augmentation (sacroplasty, "
            "0200T/0201T, outside 22513-22515)."
        ),
    ),
    Source(
        id=HL7_FHIR_R4_VITAL_SIGNS,
        title="FHIR R4 Vital Signs value set and profiles",
        citation=(
            "HL7 FHIR R4 (4.0.1), ValueSet observation-vitalsignresult and the vital-signs "
            "profiles (LOINC codes, UCUM units)."
        ),
        edition="FHIR R4 4.0.1",
        confidence="P",
        url="https://hl7.org/fhir/R4/valueset-observation-vitalsignresult.html",
        note=(
            "85353-1 vital signs panel, 85354-9 blood pressure panel with 8480-6 systolic and "
            "8462-4 diastolic, 8867-4 heart rate, 9279-1 respiratory rate (UCUM /min), 2708-6 "
            "and 59408-5 oxygen saturation, 8310-5 body temperature."
        ),
    ),
    Source(
        id=HL7_UK_CORE_NEWS2,
        title="UK Core NEWS2 observations example",
        citation=(
            "HL7 UK, UK Core implementation guide, example UKCore-Bundle-NEWS2Observations: "
            "SNOMED CT 1104051000000101."
        ),
        edition="UK Core STU3 sequence (0.10.0 example)",
        confidence="S",
        note=(
            "The total score observation is coded SNOMED CT 1104051000000101, 'Royal College "
            "of Physicians NEWS2 (National Early Warning Score 2) total score'; there is no "
            "LOINC code for it."
        ),
    ),
    Source(
        id=VP_POSTOPERATIVE_ORDERS,
        title="Sample postoperative orders after percutaneous vertebroplasty",
        citation=(
            "Vertebroplasty textbook chapter on technique, Table 14.2 'Sample postoperative "
            "orders and discharge instructions', as transcribed on 78stepshealth.us."
        ),
        edition="transcribed copy; the book's edition could not be identified",
        confidence="S",
        note=(
            "Bed rest 1 hour; the patient kept recumbent 1-2 hours and monitored; vital signs "
            "and neurological examination every 15 minutes for the first hour, then every 30 "
            "minutes; discharge instructions given. Used for the clinic defaults (60-minute "
            "minimum observation, observations every 15 minutes), which each clinic can change."
        ),
    ),
    Source(
        id=SPINEPATH_PROCEDURE_DAY,
        title="spinepath procedure-day rules",
        citation="spinepath project: procedure day, recovery and discharge readiness.",
        edition="1",
        confidence="P",
        note=(
            "The project's own rules where no clinical source decides: entry guards that only "
            "refuse impossible values, the board's display colours, when a repeated NEWS2 "
            "alert is raised again, and the ranges a clinic setting may take. Not clinical "
            "evidence."
        ),
    ),
]
