"""Sources for the preparation planner: medicine holds, labs, fasting, GLP-1 receptor agonists.

How each encoded fact was checked (what was read, where, how sure) is recorded in
docs/clinical-sources/preparation.md. Confidence here is per source as a whole; each hold-table
row also carries its own confidence.
"""

from __future__ import annotations

from spinepath.clinical.sources import Source

SIR_2019 = "sir-2019-periprocedural"
ASRA_2018 = "asra-2018-pain-anticoagulation"
ASRA_2015_HERBAL = "asra-2015-pain-herbal"
ASA_2017_FASTING = "asa-2017-fasting"
ASA_2023_FASTING = "asa-2023-fasting"
ASA_2023_GLP1 = "asa-2023-glp1"
MULTISOCIETY_2024_GLP1 = "multisociety-2024-glp1"

SOURCES: list[Source] = [
    Source(
        id=SIR_2019,
        title=(
            "Society of Interventional Radiology Consensus Guidelines for the Periprocedural "
            "Management of Thrombotic and Bleeding Risk in Patients Undergoing Percutaneous "
            "Image-Guided Interventions - Part II: Recommendations"
        ),
        citation=(
            "Patel IJ, Rahim S, Davidson JC, et al. J Vasc Interv Radiol. 2019;30(8):1168-1184."
            " doi:10.1016/j.jvir.2019.04.017"
        ),
        edition="sir-2019 (high bleeding risk column: vertebroplasty and kyphoplasty)",
        confidence="S",
        url="https://doi.org/10.1016/j.jvir.2019.04.017",
        note=(
            "Primary tables not reachable from this workplace. Rows encoded from two "
            "independent transcriptions (the project reference and a public transcription of "
            "the Part II tables) plus radiology-practice pages that copy the lab thresholds. "
            "Kidney bands below those transcribed are not encoded (clinician review)."
        ),
    ),
    Source(
        id=ASRA_2018,
        title=(
            "Interventional Spine and Pain Procedures in Patients on Antiplatelet and "
            "Anticoagulant Medications (Second Edition): Guidelines From ASRA, ESRA, AAPM, INS, "
            "NANS and WIP"
        ),
        citation=(
            "Narouze S, Benzon HT, Provenzano D, et al. Reg Anesth Pain Med. 2018;43(3):225-262."
            " doi:10.1097/AAP.0000000000000700"
        ),
        edition="asra-2018 (high-risk pain procedures column)",
        confidence="S",
        url="https://doi.org/10.1097/AAP.0000000000000700",
        note=(
            "Rows for aspirin, NSAIDs, cilostazol, dipyridamole, warfarin, acenocoumarol, "
            "heparins and dalteparin read in a secondary copy of the guideline's summary table. "
            "Direct oral anticoagulants, fondaparinux and P2Y12 inhibitors were not verified "
            "and are shown as not encoded (clinician review)."
        ),
    ),
    Source(
        id=ASRA_2015_HERBAL,
        title=(
            "Interventional Spine and Pain Procedures in Patients on Antiplatelet and "
            "Anticoagulant Medications: Guidelines (first edition) - herbal medications"
        ),
        citation=(
            "Narouze S, Benzon HT, Provenzano DA, et al. Reg Anesth Pain Med. 2015;40(3):182-212."
            " doi:10.1097/AAP.0000000000000223"
        ),
        edition="asra-2015 herbal section (garlic, ginkgo)",
        confidence="S",
        url="https://doi.org/10.1097/AAP.0000000000000223",
        note=(
            "The ASRA 2015 text itself was not read. Garlic 7 days and ginkgo 36 hours agree "
            "across the project reference, OpenAnesthesia and reviews derived from Ang-Lee "
            "(JAMA 2001); one paraphrase gives ginkgo 3 days. Other herbs are not encoded."
        ),
    ),
    Source(
        id=ASA_2017_FASTING,
        title=(
            "Practice Guidelines for Preoperative Fasting and the Use of Pharmacologic Agents to "
            "Reduce the Risk of Pulmonary Aspiration"
        ),
        citation="American Society of Anesthesiologists. Anesthesiology. 2017;126(3):376-393.",
        edition="2017",
        confidence="S",
        url="https://doi.org/10.1097/ALN.0000000000001452",
        note=(
            "Clear liquids 2 h, light meal 6 h, non-human milk 6 h; fried or fatty food or meat "
            "may need additional time (e.g. 8 h or more). Read in copies of the guideline text."
        ),
    ),
    Source(
        id=ASA_2023_FASTING,
        title=(
            "2023 American Society of Anesthesiologists Practice Guidelines for Preoperative "
            "Fasting: Carbohydrate-containing Clear Liquids with or without Protein, Chewing Gum,"
            " and Pediatric Fasting Duration"
        ),
        citation="Joshi GP, Abdelmalak BB, Weigel WA, et al. Anesthesiology. 2023;138(2):132-151.",
        edition="2023 modular update",
        confidence="S",
        url="https://doi.org/10.1097/ALN.0000000000004381",
        note="Carbohydrate-containing clear liquids allowed until 2 h; fasting times unchanged.",
    ),
    Source(
        id=ASA_2023_GLP1,
        title=(
            "American Society of Anesthesiologists Consensus-Based Guidance on Preoperative "
            "Management of Patients (Adults and Children) on Glucagon-Like Peptide-1 (GLP-1) "
            "Receptor Agonists"
        ),
        citation=(
            "Joshi GP, Abdelmalak BB, Weigel WA, et al. ASA Task Force on Preoperative Fasting. "
            "ASA news release, 29 June 2023."
        ),
        edition="asa-2023",
        confidence="P",
        url=(
            "https://www.asahq.org/about-asa/newsroom/news-releases/2023/06/"
            "american-society-of-anesthesiologists-consensus-based-guidance-on-preoperative"
        ),
        note=(
            "Daily dosing: consider holding on the day of the procedure; weekly dosing: consider "
            "holding a week before the day of the procedure; GI symptoms on the day: consider "
            "delaying. ASA later affirmed the 2024 multisociety guidance."
        ),
    ),
    Source(
        id=MULTISOCIETY_2024_GLP1,
        title="Multi-society clinical practice guidance for the safe use of GLP-1 receptor "
        "agonists in the perioperative period",
        citation=(
            "Kindel TL, et al. (ASMBS, ASA, AGA, ISPCOP, SAGES). Surg Obes Relat Dis, published "
            "online 29 October 2024; also published in Clin Gastroenterol Hepatol."
        ),
        edition="multisociety-2024",
        confidence="S",
        url="https://guidelinecentral.com/guideline/4050576",
        note=(
            "Most patients continue the drug; a liquid diet for at least 24 h before the "
            "procedure; risk rises with dose escalation, higher doses, weekly dosing, GI "
            "symptoms and other causes of slow gastric emptying; if the drug is held, the ASA "
            "2023 hold times apply. Shared decision-making."
        ),
    ),
]

CLINCALC_TOP_200 = "clincalc-drugstats-top-200"
ADA_PERIOPERATIVE = "ada-standards-perioperative"
FDA_SGLT2_SURGERY = "fda-2020-sglt2-surgery"

SOURCES += [
    Source(
        id=CLINCALC_TOP_200,
        title="ClinCalc DrugStats Database: the Top 200 (and Top 300) drugs",
        citation=(
            "Kane SP. ClinCalc DrugStats Database. US outpatient prescription estimates from the "
            "Medical Expenditure Panel Survey (AHRQ). clincalc.com/DrugStats."
        ),
        edition="DrugStats releases for survey years 2019-2022",
        confidence="S",
        url="https://clincalc.com/DrugStats/Top300Drugs.aspx",
        note=(
            "Used only to choose which medicines the planner knows by name. The ranking pages "
            "were read in part (the method, the data source and the top entries); the table "
            "also holds medicines common in older patients outside the ranking. No rule rests "
            "on this source."
        ),
    ),
    Source(
        id=ADA_PERIOPERATIVE,
        title=(
            "American Diabetes Association Standards of Care in Diabetes: Diabetes Care in the "
            "Hospital (perioperative care)"
        ),
        citation="American Diabetes Association. Diabetes Care (Standards of Care supplement).",
        edition="Standards of Care 2021-2024, perioperative recommendations",
        confidence="S",
        url="https://diabetesjournals.org/care",
        note=(
            "Read in a secondary table that sets the ADA recommendations beside other "
            "guidelines (BMC Anesthesiology 2023, doi 10.1186/s12871-023-02145-6): metformin "
            "withheld on the day of surgery; SGLT2 inhibitors discontinued 3-4 days before; "
            "other oral glucose-lowering agents withheld the morning of surgery; half the NPH "
            "dose or 75-80 % of long-acting analogue or pump basal insulin; glucose every 2-4 h "
            "while nothing by mouth. The ADA text itself was not read."
        ),
    ),
    Source(
        id=FDA_SGLT2_SURGERY,
        title=(
            "FDA approves label changes to SGLT2 inhibitors regarding temporary discontinuation "
            "of medication before scheduled surgery"
        ),
        citation="US Food and Drug Administration. Safety labelling change, March 2020.",
        edition="fda-2020",
        confidence="S",
        url="https://www.medscape.com/viewarticle/927047",
        note=(
            "Read in four news copies of the FDA release (Medscape/MDedge 18 March 2020, "
            "Endocrinology Advisor/MPR, Consultant360, DiabetologNytt): canagliflozin, "
            "dapagliflozin and empagliflozin discontinued at least 3 days before scheduled "
            "surgery, ertugliflozin at least 4 days; monitor glucose; restart once oral intake "
            "is back to baseline and other ketoacidosis risks have resolved. The FDA page "
            "itself was not read. The change dates from 2020, not 2022."
        ),
    ),
]
