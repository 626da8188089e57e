"""Sources for the patient-reported outcome measures: ODI, RMDQ and the NRS pain change.

How each fact was checked is recorded in docs/clinical-sources/recovery-and-outcome-scores.md.
"""

from __future__ import annotations

from spinepath.clinical.sources import Source

FAIRBANK_PYNSENT_2000 = "fairbank-pynsent-2000"
AO_CID_ODI_2012 = "ao-cid-odi-2012"
ROLAND_MORRIS_1983 = "roland-morris-1983"
ROLAND_FAIRBANK_2000 = "roland-fairbank-2000"
FARRAR_2001 = "farrar-2001"
OSTELO_2008 = "ostelo-2008"

SOURCES: list[Source] = [
    Source(
        id=FAIRBANK_PYNSENT_2000,
        title="The Oswestry Disability Index",
        citation="Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine "
        "2000;25(22):2940-2952.",
        edition="ODI version 2.1a scoring",
        confidence="S",
        note=(
            "Scoring read in copies of the ODI v2.1a scoring instructions: each section 0-5; "
            "16 of 50 = 32 %; one section missed: 16 of 45 printed as 35.5 % (the exact value "
            "is 35.56; spinepath rounds half-up to 35.6). Bands 0-20 minimal, 21-40 moderate, "
            "41-60 severe, 61-80 crippled, 81-100 bed-bound. The questionnaire text is "
            "copyrighted (licensed through Mapi Research Trust) and is not shipped."
        ),
    ),
    Source(
        id=AO_CID_ODI_2012,
        title="odi: Stata scoring program for the Oswestry Disability Index",
        citation=(
            "Blauth J, Daigl M. odi: calculates the Oswestry Disability Index. AO Clinical "
            "Investigation and Documentation, 26 April 2012 (Boston College SSC archive)."
        ),
        edition="supports ODI 1.0, 2.0 and 2.1a",
        confidence="S",
        url="http://fmwww.bc.edu/RePEc/bocode/o/odi.html",
        note=(
            "Missing data: at most one unanswered section; more than one gives no score. Cites "
            "Fairbank & Pynsent 2000. The awell-health/awell-score Oswestry calculation applies "
            "the same limit (fewer than 9 answers: no score)."
        ),
    ),
    Source(
        id=ROLAND_MORRIS_1983,
        title="A study of the natural history of back pain. Part I: development of a reliable "
        "and sensitive measure of disability in low-back pain",
        citation="Roland M, Morris R. A study of the natural history of back pain. Part I. "
        "Spine 1983;8(2):141-144.",
        edition="RMDQ, 24 items",
        confidence="S",
        note="Scoring (one point per statement ticked, 0-24) read in Roland & Fairbank 2000.",
    ),
    Source(
        id=ROLAND_FAIRBANK_2000,
        title="The Roland-Morris Disability Questionnaire and the Oswestry Disability "
        "Questionnaire",
        citation="Roland M, Fairbank J. The Roland-Morris Disability Questionnaire and the "
        "Oswestry Disability Questionnaire. Spine 2000;25(24):3115-3124.",
        edition="2000 review by the instruments' authors",
        confidence="S",
        note="Read in a stored copy of the authors' manuscript.",
    ),
    Source(
        id=FARRAR_2001,
        title="Clinical importance of changes in chronic pain intensity measured on an "
        "11-point numerical pain rating scale",
        citation=(
            "Farrar JT, Young JP Jr, LaMoreaux L, Werth JL, Poole RM. Clinical importance of "
            "changes in chronic pain intensity measured on an 11-point numerical pain rating "
            "scale. Pain 2001;94(2):149-158. doi:10.1016/S0304-3959(01)00349-9."
        ),
        edition="2001",
        confidence="P",
        url="https://pubmed.ncbi.nlm.nih.gov/11690728/",
        note=(
            "Abstract: on average a reduction of about two points or about 30 % represented a "
            "clinically important difference; percent change was consistent whatever the "
            "baseline, raw change needed to be larger at higher baselines. Two alternative "
            "measures, not a combined rule."
        ),
    ),
    Source(
        id=OSTELO_2008,
        title="Interpreting change scores for pain and functional status in low back pain: "
        "towards international consensus regarding minimal important change",
        citation=(
            "Ostelo RWJG, Deyo RA, Stratford P, et al. Interpreting change scores for pain and "
            "functional status in low back pain. Spine 2008;33(1):90-94. "
            "doi:10.1097/BRS.0b013e31815e3a10."
        ),
        edition="2008 consensus",
        confidence="P",
        note=(
            "Abstract: minimal important change 15 (VAS 0-100), 2 (NRS 0-10), 5 (Roland "
            "Disability Questionnaire 0-24), 10 (ODI 0-100), 20 (QBPDS); a 30 % improvement "
            "from baseline is a useful threshold on each measure."
        ),
    ),
]
