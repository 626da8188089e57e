"""Sources for grading a vertebral fracture: morphometry and Genant grade, SINS, the OF score.

What was read for each, where and how sure we are is in
``docs/clinical-sources/fracture-grading.md``.
"""

from __future__ import annotations

from spinepath.clinical.sources import Source

GENANT_1993 = "genant-1993-sq"
DIACINTI_2010 = "diacinti-2010-morphometry"
FISHER_2010 = "fisher-2010-sins"
FOURNEY_2011 = "fourney-2011-sins"
SCHNAKE_2018 = "schnake-2018-of-classification"
BLATTERT_2018 = "blattert-2018-of-treatment"
AOSPINE_OF_CARD = "aospine-dgou-of-pocket-card"

SOURCES: list[Source] = [
    Source(
        id=GENANT_1993,
        title="Vertebral fracture assessment using a semiquantitative technique",
        citation=(
            "Genant HK, Wu CY, van Kuijk C, Nevitt MC. J Bone Miner Res 1993;8(9):1137-1148."
        ),
        edition="1993",
        confidence="S",
        note=(
            "Grades by height reduction: 0 normal (< 20 %), 1 mild (about 20-25 %), "
            "2 moderate (about 25-40 %), 3 severe (> 40 %). The paper's abstract was read; the "
            "percentages are from secondary descriptions that agree (Wang, QIMS 2019; "
            "J Thorac Dis)."
        ),
    ),
    Source(
        id=DIACINTI_2010,
        title="Vertebral morphometry",
        citation="Diacinti D, Guglielmi G. Radiol Clin North Am 2010;48(3):561-575.",
        edition="2010",
        confidence="S",
        url="https://doi.org/10.1016/j.rcl.2010.02.018",
        note=(
            "Six-point quantitative morphometry: anterior, middle and posterior heights "
            "(Ha, Hm, Hp) from points on the two endplates; Ha/Hp for wedge and Hm/Hp for "
            "biconcave deformity. Abstract read; the method details are from secondary "
            "descriptions (Chou & Vokes, J Clin Densitom 2015, doi:10.1016/j.jocd.2015.08.005)."
        ),
    ),
    Source(
        id=FISHER_2010,
        title=(
            "A novel classification system for spinal instability in neoplastic disease: an "
            "evidence-based approach and expert consensus from the Spine Oncology Study Group"
        ),
        citation="Fisher CG, DiPaola CP, Ryken TC, et al. Spine 2010;35(22):E1221-E1229.",
        edition="2010",
        confidence="S",
        url="https://doi.org/10.1097/BRS.0b013e3181e16ae2",
        note=(
            "SINS: six components, total 0-18; 0-6 stable, 7-12 indeterminate (possibly "
            "impending) instability, 13-18 unstable; 7 or more warrants surgical consultation. "
            "For neoplastic spinal disease only. Abstract read; the component table agrees in "
            "every secondary copy read."
        ),
    ),
    Source(
        id=FOURNEY_2011,
        title=(
            "Spinal Instability Neoplastic Score: an analysis of reliability and validity from "
            "the Spine Oncology Study Group"
        ),
        citation="Fourney DR, Frangou EM, Ryken TC, et al. J Clin Oncol 2011;29(22):3072-3077.",
        edition="2011",
        confidence="S",
        note="Reliability and validity of SINS; reprints the same component table.",
    ),
    Source(
        id=SCHNAKE_2018,
        title=(
            "Classification of osteoporotic thoracolumbar spine fractures: recommendations of "
            "the Spine Section of the German Society for Orthopaedics and Trauma (DGOU)"
        ),
        citation=(
            "Schnake KJ, Blattert TR, Hahn P, et al. Global Spine J 2018;8(2 Suppl):46S-49S."
        ),
        edition="2018",
        confidence="P",
        url="https://doi.org/10.1177/2192568217717972",
        note=(
            "OF 1 no deformation (oedema only); OF 2 deformation of one endplate, no or minor "
            "(< 1/5) posterior wall involvement; OF 3 one endplate with distinct (> 1/5) "
            "posterior wall involvement; OF 4 loss of the vertebral frame, collapse or pincer "
            "type; OF 5 distraction or rotation. Abstract read."
        ),
    ),
    Source(
        id=BLATTERT_2018,
        title=(
            "Nonsurgical and surgical management of osteoporotic vertebral body fractures: "
            "recommendations of the Spine Section of the German Society for Orthopaedics and "
            "Trauma (DGOU)"
        ),
        citation=(
            "Blattert TR, Schnake KJ, Gonschorek O, et al. Global Spine J 2018;8(2 Suppl):50S-55S."
        ),
        edition="2018",
        confidence="P",
        note=(
            "Abstract: an OF classification-based score from 707 cases; fewer than 6 points "
            "advocates nonsurgical management, more than 6 surgical. The item weights of this "
            "2018 original were not read (unverified)."
        ),
    ),
    Source(
        id=AOSPINE_OF_CARD,
        title=(
            "AO Spine-DGOU Osteoporotic Fracture (OF) Classification System pocket card: "
            "modified score for therapeutic decision making in OF"
        ),
        citation="AO Spine / DGOU Spine Section, pocket card (undated), as transcribed online.",
        edition="pocket card, modified score",
        confidence="S",
        note=(
            "Morphology 2 x OF type; T-score < -3 or QCT <= 90 HU +1; deformity progression "
            "+1 yes / -1 no; pain on WHO step II analgesia VAS >= 5 +1 / < 5 -1; neurological "
            "symptoms (N2-N4) +2; mobilisation under analgesia impossible +1 / possible -1; "
            "ASA > 3, modified frailty index > 2, anticoagulation -1 each, at most -2; unknown "
            "item 0. 0-5 conservative, 6 conservative or surgery, > 6 surgery. The card says "
            "the score has not been validated yet and should be used as a reference only."
        ),
    ),
]
