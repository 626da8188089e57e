"""Sources for candidacy: who is a candidate for vertebral augmentation, and who is not.

What was read for each, where and how sure we are is in ``docs/clinical-sources/candidacy.md``.
A source's confidence is that of the facts spinepath takes from it; a fact taken with a different
confidence says so in the table that encodes it.
"""

from __future__ import annotations

from spinepath.clinical.sources import Source

CMS_LCD_L38201 = "cms-lcd-l38201"
CMS_LCD_L38213 = "cms-lcd-l38213"
CMS_LCD_L34228 = "cms-lcd-l34228"
CMS_ARTICLE_A58534 = "cms-article-a58534"
NICE_TA279 = "nice-ta279-2013"
ACR_VA_PRACTICE_PARAMETER_2017 = "acr-asnr-assr-sir-snis-va-2017"
MULTISOCIETY_VA_POSITION_2014 = "barr-2014-va-position"
SIR_QI_VERTEBROPLASTY_2014 = "sir-qi-vertebroplasty-2014"
HIRSCH_2018_PATHWAY = "hirsch-2018-vcf-pathway"
PAPANASTASSIOU_2012 = "papanastassiou-2012-bkp-vp-nsm"
SPINEPATH_CANDIDACY = "spinepath-candidacy-rules"
PALOS_2006_NRS_CUTPOINTS = "palos-2006-nrs-cutpoints"
FSRH_2017_CONTRACEPTION_OVER_40 = "fsrh-2017-contraception-over-40"

SOURCES: list[Source] = [
    Source(
        id=CMS_LCD_L38201,
        title=(
            "Local Coverage Determination L38201: Percutaneous Vertebral Augmentation (PVA) for "
            "Vertebral Compression Fracture (VCF)"
        ),
        citation="Centers for Medicare & Medicaid Services, Medicare Coverage Database, L38201.",
        edition="revision effective 2024-10-03 (original 2019-11-18), as given in REFERENCE.md",
        confidence="S",
        url="https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?lcdid=38201",
        note=(
            "Criteria A (acute < 6 weeks or subacute VCF, T1-L5, oedema on MRI or uptake on bone "
            "scan), B1 (hospitalised, NRS/VAS >= 8) or B2 (not hospitalised, NRS/VAS >= 5 "
            "despite optimal non-surgical management, and worsening pain or stable/improved "
            "pain with at least two of: height loss > 25 %, kyphotic deformity, RDQ > 17), C "
            "(referral for BMD evaluation with osteoporosis education, and instruction to join a "
            "prevention/treatment programme); absolute contraindications: pain not mainly from "
            "the fracture, active infection, pregnancy; relative: more than three fractures, "
            "cement/contrast allergy, uncorrected coagulopathy, spinal instability, neurological "
            "compromise, retropulsion. Osteolytic metastasis or myeloma with intractable pain "
            "unresponsive to medical therapy is covered. The LCD page itself could not be read "
            "here; these facts agree across a summary of L38201 and transcriptions of its "
            "sibling LCDs. Progression of height loss is not in the L38201 summary and is not "
            "counted (see the docs)."
        ),
    ),
    Source(
        id=CMS_LCD_L38213,
        title=(
            "Local Coverage Determination L38213: Percutaneous Vertebral Augmentation (PVA) for "
            "Vertebral Compression Fracture (VCF)"
        ),
        citation="Centers for Medicare & Medicaid Services, Medicare Coverage Database, L38213.",
        edition="as summarised, read 2026",
        confidence="S",
        url="https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?lcdid=38213",
        note=(
            "A sibling of L38201 that lists pregnancy among the relative, not the absolute, "
            "contraindications. Kept to document the disagreement; not a criteria set here."
        ),
    ),
    Source(
        id=CMS_LCD_L34228,
        title=(
            "Local Coverage Determination L34228: Percutaneous Vertebral Augmentation (PVA) for "
            "Osteoporotic Vertebral Compression Fracture (VCF)"
        ),
        citation="Centers for Medicare & Medicaid Services, Medicare Coverage Database, L34228.",
        edition="revision effective 2021-01-10",
        confidence="S",
        url="https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?LCDId=34228",
        note=(
            "A sibling of L38201 with the same criteria. A checklist transcription of it gives the "
            "subacute window as 6-12 weeks from symptom onset and lists progression of height "
            "loss among the 'two or more' findings; this is the only written 12-week bound found."
        ),
    ),
    Source(
        id=CMS_ARTICLE_A58534,
        title=(
            "Response to Comments: Percutaneous Vertebral Augmentation (PVA) for Osteoporotic "
            "Vertebral Compression Fracture (VCF), article A58534"
        ),
        citation=(
            "National Government Services, Medicare Coverage Database article A58534 "
            "(notice period from 2020-11-26)."
        ),
        edition="version 3",
        confidence="P",
        url=(
            "https://www.cms.gov/medicare-coverage-database/details/article-details.aspx?"
            "articleId=58534&ver=3"
        ),
        note=(
            "Read in the primary text: levels widened from T5-L5 to T1-L5; the 'imaging within "
            "30 days' requirement removed now that subacute fractures are covered; coverage of "
            "chronic fractures refused even with oedema on MRI (acuity means time and imaging "
            "appearance together). Issued for the NGS LCD of the same family as L38201."
        ),
    ),
    Source(
        id=NICE_TA279,
        title=(
            "Percutaneous vertebroplasty and percutaneous balloon kyphoplasty for treating "
            "osteoporotic vertebral compression fractures (TA279)"
        ),
        citation=(
            "National Institute for Health and Care Excellence. Technology appraisal guidance "
            "279, 2013."
        ),
        edition="2013",
        confidence="P",
        url="https://www.nice.org.uk/guidance/ta279/chapter/1-Guidance",
        note=(
            "1.1: vertebroplasty, and balloon kyphoplasty without stenting, are options only for "
            "people who have severe ongoing pain after a recent, unhealed vertebral fracture "
            "despite optimal pain management, and in whom the pain has been confirmed to be at "
            "the level of the fracture by physical examination and imaging. NICE set no number "
            "of weeks and did not define optimal pain management or severe pain: spinepath takes "
            "these as the clinician's assertions."
        ),
    ),
    Source(
        id=ACR_VA_PRACTICE_PARAMETER_2017,
        title="ACR-ASNR-ASSR-SIR-SNIS Practice Parameter for the Performance of Vertebral "
        "Augmentation",
        citation="American College of Radiology et al. Revised 2017 (Resolution 16).",
        edition="2017",
        confidence="S",
        note=(
            "Version confirmed from the document's heading. Contraindications as commonly listed "
            "from it (the section text was not reached): absolute - septicaemia or active "
            "osteomyelitis of the target vertebra, uncorrectable coagulopathy, allergy to cement "
            "or opacification agent; relative - radicular pain from compression unrelated to the "
            "collapse, retropulsed fragment or epidural tumour with neurological signs, systemic "
            "infection, patient improving on medical therapy, myelopathy at the level."
        ),
    ),
    Source(
        id=MULTISOCIETY_VA_POSITION_2014,
        title="Position statement on percutaneous vertebral augmentation: a consensus statement",
        citation="Barr JD, Jensen ME, Hirsch JA, et al. J Vasc Interv Radiol 2014;25(2):171-181.",
        edition="2014",
        confidence="S",
        note=(
            "Augmentation is offered only when non-operative medical therapy has not given "
            "adequate pain relief or the pain substantially alters the patient's life (read in "
            "society summaries and in the 2007 statement's full text)."
        ),
    ),
    Source(
        id=SIR_QI_VERTEBROPLASTY_2014,
        title="Quality improvement guidelines for percutaneous vertebroplasty",
        citation="Society of Interventional Radiology, J Vasc Interv Radiol 2014, as quoted by "
        "payer policies.",
        edition="2014",
        confidence="S",
        note=(
            "Failed medical therapy: cannot walk because of fracture pain despite 24 h of "
            "analgesia; pain prevents physical therapy despite analgesia; or analgesics cause "
            "unacceptable side effects. Shown as information only; not encoded as a criterion."
        ),
    ),
    Source(
        id=HIRSCH_2018_PATHWAY,
        title="Management of vertebral fragility fractures: a clinical care pathway developed by "
        "a multispecialty panel using the RAND/UCLA Appropriateness Method",
        citation="Hirsch JA, Beall DP, Chambers MR, et al. Spine J 2018;18(11):2152-2161.",
        edition="2018",
        confidence="S",
        note=(
            "Variables include advanced imaging, height loss, kyphotic deformity, progression "
            "of height loss, symptom evolution and RDQ; augmentation appropriate when imaging is "
            "positive and symptoms worsen, or with 2-4 unfavourable conditions; BMD assessment "
            "and osteoporosis treatment for all. Used for context, not as a criteria set."
        ),
    ),
    Source(
        id=PAPANASTASSIOU_2012,
        title="Comparing effects of kyphoplasty, vertebroplasty, and non-surgical management in a "
        "systematic review of randomized and non-randomized controlled studies",
        citation="Papanastassiou ID, Phillips FM, Van Meirhaeghe J, et al. Eur Spine J "
        "2012;21(9):1826-1843.",
        edition="2012",
        confidence="P",
        url="https://doi.org/10.1007/s00586-012-2314-z",
        note=(
            "Abstract read: pain reduction did not differ between balloon kyphoplasty and "
            "vertebroplasty; kyphoplasty gave greater kyphosis reduction (4.8 vs 1.7 degrees) and "
            "less cement extravasation."
        ),
    ),
    Source(
        id=PALOS_2006_NRS_CUTPOINTS,
        title="Asking the community about cutpoints used to describe mild, moderate, and severe "
        "pain",
        citation="Palos GR, Mendoza TR, Mobley GM, Cantor SB, Cleeland CS. J Pain 2006;7(1):49-56.",
        edition="2006",
        confidence="P",
        url="https://pubmed.ncbi.nlm.nih.gov/16414555/",
        note=(
            "Abstract read: community adults placed the cut-points much as patients with "
            "clinical pain did, 1 to 4 mild, 5 to 6 moderate and 7 to 10 severe on the 0-10 "
            "scale. Used to derive NICE TA279's 'severe' pain from a recorded NRS of 7 or more; "
            "the clinician's explicit judgement wins. Other studies place the moderate-severe "
            "cut-point at 6 to 8 (Boonstra 2016 review table)."
        ),
    ),
    Source(
        id=FSRH_2017_CONTRACEPTION_OVER_40,
        title="FSRH Clinical Guideline: Contraception for Women Aged over 40 Years",
        citation="Faculty of Sexual & Reproductive Healthcare, Clinical Guideline, 2017 "
        "(amended 2019), as summarised in Guidelines in Practice and the FSRH stopping table.",
        edition="2017, amended 2019",
        confidence="S",
        note=(
            "Secondary summaries read: contraception can be stopped at age 55, when natural "
            "loss of fertility can be assumed for most women. Used only to stop asking the "
            "pregnancy question of a woman aged 55 or more; the question is still answerable, "
            "and an answer given is used."
        ),
    ),
    Source(
        id=SPINEPATH_CANDIDACY,
        title="spinepath candidacy rules",
        citation="spinepath project: its own rules for candidacy decision support.",
        edition="1",
        confidence="P",
        note=(
            "The project's own rules where the sources leave a choice: the order of the "
            "suggested actions, fracture age bands as spinepath specifies them, and how unknown "
            "facts are reported. Not clinical evidence."
        ),
    ),
]
