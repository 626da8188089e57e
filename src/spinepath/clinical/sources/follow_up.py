"""Sources for follow-up: visit schedules, fracture-liaison indicators, summary statistics.

How each fact was checked (what was read, where, how sure) is recorded in
docs/clinical-sources/follow-up.md (including the 2-4 week visit read for Hirsch 2018). The
minimal important changes used for responder status are the instruments' own (sources in
``outcome_measures``).
"""

from __future__ import annotations

from spinepath.clinical.sources import Source
from spinepath.clinical.sources.candidacy import HIRSCH_2018_PATHWAY

# The Hirsch 2018 pathway is registered with the candidacy sources; follow-up cites the same id.
HIRSCH_2018 = HIRSCH_2018_PATHWAY
VERTOS_IV_2018 = "vertos-iv-2018"
EVOLVE_2019 = "evolve-2019"
JAVAID_2020 = "iof-ctf-kpi-2020"
HYNDMAN_FAN_1996 = "hyndman-fan-1996"

SOURCES: list[Source] = [
    Source(
        id=VERTOS_IV_2018,
        title=(
            "Vertebroplasty versus sham procedure for painful acute osteoporotic vertebral "
            "compression fractures (VERTOS IV): randomised sham controlled clinical trial"
        ),
        citation=(
            "Firanescu CE, de Vries J, Lodder P, et al. BMJ 2018;361:k1551. doi:10.1136/bmj.k1551"
        ),
        edition="2018",
        confidence="P",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC5941218",
        note=(
            "Abstract: pain (VAS) measured at one day, one week, and one, three, six and 12 "
            "months after the procedure."
        ),
    ),
    Source(
        id=EVOLVE_2019,
        title=(
            "Prospective and multicenter evaluation of outcomes for quality of life and activities "
            "of daily living for balloon kyphoplasty in the treatment of vertebral compression "
            "fractures: the EVOLVE trial"
        ),
        citation="Beall DP, Chambers MR, Thomas S, et al. Neurosurgery 2019;84(1):169-178.",
        edition="2019",
        confidence="S",
        note=(
            "Follow-up at 7 days and 1, 3, 6 and 12 months (NRS, ODI, SF-36, EQ-5D), as given "
            "in the project's clinical reference; not read again."
        ),
    ),
    Source(
        id=JAVAID_2020,
        title=(
            "A patient-level key performance indicator set to measure the effectiveness of "
            "fracture liaison services and guide quality improvement: a position paper of the "
            "IOF Capture the Fracture Working Group, National Osteoporosis Foundation and "
            "Fragility Fracture Network"
        ),
        citation=(
            "Javaid MK, Sami A, Lems W, et al. Osteoporos Int. 2020;31(7):1193-1204. "
            "doi:10.1007/s00198-020-05377-1"
        ),
        edition="IOF Capture the Fracture patient-level KPIs, 2020",
        confidence="P",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC7280347",
        note=(
            "Abstract: proportion of patients having DXA within 12 weeks of the sentinel "
            "fracture; started anti-osteoporosis medication within 16 weeks; prescribed "
            "anti-osteoporosis medication 52 weeks after the sentinel fracture. Levels of "
            "achievement set at < 50 %, 50-80 % and > 80 % (except treatment recommendation, "
            "50 %)."
        ),
    ),
    Source(
        id=HYNDMAN_FAN_1996,
        title="Sample quantiles in statistical packages",
        citation="Hyndman RJ, Fan Y. The American Statistician 1996;50(4):361-365.",
        edition="definition 7 (linear interpolation between order statistics)",
        confidence="S",
        note=(
            "Definition 7 is the default of R's quantile() and of numpy, and Python's "
            "statistics.quantiles(method='inclusive'); spinepath's results are checked against "
            "the standard library in tests."
        ),
    ),
]
