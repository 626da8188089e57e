"""Sources for the recovery and discharge scores: NEWS2, modified Aldrete, modified PADSS.

How each fact was checked is recorded in docs/clinical-sources/recovery-and-outcome-scores.md.
"""

from __future__ import annotations

from spinepath.clinical.sources import Source

RCP_NEWS2_2017 = "rcp-news2-2017"
NICE_MIB205_NEWS_SCOPE = "nice-mib205-news-scope"
ALDRETE_1995 = "aldrete-1995"
ALDRETE_KROULIK_1970 = "aldrete-kroulik-1970"
MARSHALL_CHUNG_1999 = "marshall-chung-1999"
CHUNG_1995_PADSS = "chung-1995-padss"

SOURCES: list[Source] = [
    Source(
        id=RCP_NEWS2_2017,
        title=(
            "National Early Warning Score (NEWS) 2: Standardising the assessment of "
            "acute-illness severity in the NHS"
        ),
        citation=(
            "Royal College of Physicians. National Early Warning Score (NEWS) 2: Standardising "
            "the assessment of acute-illness severity in the NHS. Updated report of a working "
            "party. London: RCP, 2017. ISBN 978-1-86016-682-2."
        ),
        edition="December 2017: Chart 1 (scoring), Chart 2 (thresholds), Chart 4 (response)",
        confidence="S",
        url="https://www.rcplondon.ac.uk/projects/outputs/national-early-warning-score-news-2",
        note=(
            "Chart 1 bands and Chart 4 monitoring frequencies and responses read in "
            "transcriptions of the RCP charts; risk labels and scale 2 rules agree with the "
            "Thorax and Clinical Medicine tables that reproduce them. The RCP allows "
            "reproduction with acknowledgement; response texts here are close paraphrases."
        ),
    ),
    Source(
        id=NICE_MIB205_NEWS_SCOPE,
        title="NICE medtech innovation briefing MIB205: equality considerations",
        citation=(
            "National Institute for Health and Care Excellence. Medtech innovation briefing "
            "MIB205, section 'Equality considerations'."
        ),
        edition="as read in the stored copy of the NICE page",
        confidence="S",
        url="https://www.nice.org.uk/advice/mib205/chapter/Equality-considerations",
        note=(
            "States that the National Early Warning Score does not apply to children under 16 "
            "or to pregnant women. The openEHR UK NEWS2 archetype says the same. The RCP "
            "report's own sentence was not read."
        ),
    ),
    Source(
        id=ALDRETE_1995,
        title="The post-anesthesia recovery score revisited",
        citation="Aldrete JA. The post-anesthesia recovery score revisited. J Clin Anesth "
        "1995;7(1):89-91.",
        edition="1995 modification: pulse oximetry (SpO2) replaces colour",
        confidence="S",
        note=(
            "Primary text not reached. Items from secondary tables (StatPearls, Wikipedia "
            "side-by-side table, Kim et al. World J Gastroenterol 2015 Table 2, CRAN cliot). "
            "Circulation: sources disagree between mmHg and percent of the pre-anaesthetic "
            "level; the percent wording of the 1970 original is used because the 1995 "
            "revision is described as only replacing colour with SpO2."
        ),
    ),
    Source(
        id=ALDRETE_KROULIK_1970,
        title="A postanesthetic recovery score",
        citation="Aldrete JA, Kroulik D. A postanesthetic recovery score. Anesth Analg "
        "1970;49(6):924-934.",
        edition="1970 original (activity, respiration, circulation, consciousness, colour)",
        confidence="S",
        note=(
            "Opening pages read in a stored copy; the item table (circulation as BP within "
            "±20 % / 20-49 % / ≥ 50 % of the pre-anaesthetic level) from secondary "
            "transcriptions."
        ),
    ),
    Source(
        id=MARSHALL_CHUNG_1999,
        title="Discharge criteria and complications after ambulatory surgery",
        citation="Marshall SI, Chung F. Discharge criteria and complications after ambulatory "
        "surgery. Anesth Analg 1999;88(3):508-517.",
        edition="modified PADSS (1999): vital signs, ambulation, nausea/vomiting, pain, "
        "surgical bleeding",
        confidence="S",
        note=(
            "Primary text not reached. Items from secondary transcriptions (Clinician.com "
            "table credited to F. Chung; Trevisani et al. World J Gastrointest Endosc 2013 "
            "Table 1). Some variants score pain as acceptable yes (2) / no (1), others by NRS "
            "0-3 / 4-6 / 7-10; points 0-2 are accepted either way."
        ),
    ),
    Source(
        id=CHUNG_1995_PADSS,
        title="A post-anesthetic discharge scoring system for home readiness after "
        "ambulatory surgery",
        citation="Chung F, Chan VWS, Ong D. A post-anesthetic discharge scoring system for "
        "home readiness after ambulatory surgery. J Clin Anesth 1995;7(6):500-506.",
        edition="original PADSS (1995), with intake and output",
        confidence="P",
        note="Abstract read (PubMed 8534468): patients fit for discharge at a score of at "
        "least 9. Kept for the threshold; the modified items are Marshall & Chung 1999.",
    ),
]
