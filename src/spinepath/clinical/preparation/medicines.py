"""Recognising a patient's medicine: generic names, brand names and RxNorm codes.

``recognise`` turns free text such as ``"Eliquis 5 mg tablet"`` (and an optional RxNorm code) into
a canonical medicine id from ``MEDICINES``. Matching is case-insensitive and word-based: strength,
form, route and dosing words are understood and ignored; any other word is reported back, so
that a combination product ("Tylenol PM", "hydrocodone/acetaminophen") is never mistaken for its
one recognised ingredient. A name always wins over a code.

RxNorm codes are listed only where verified: each code below appears with its display text in the
Synthea sample bundles under ``shared/fixtures/synthea`` (see docs/clinical-sources/preparation.md).

The medicines on the *continue list* (``continue_reason`` set) are ones known to carry no bleeding
or sedation rule; every other medicine, recognised or not, gets a rule from the hold table or a
clinician review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from spinepath.clinical.preparation.common_medicines import COMMON_MEDICINES
from spinepath.clinical.preparation.medicine_record import Medicine

MatchedBy = Literal["name", "brand", "rxnorm"]


_NO_RULE = "No encoded source (SIR 2019, ASRA 2018) lists it"


def _continue(why: str) -> str:
    return f"{why}. {_NO_RULE}; it has no bleeding or sedation rule: keep taking it as usual."


_BISPHOSPHONATE = _continue(
    "Bisphosphonate for osteoporosis: it does not affect platelets or clotting and does not "
    "cause sleepiness (plain water taken with it counts as a clear liquid)"
)
_STATIN = _continue("Statin for cholesterol: it does not affect platelets, clotting or alertness")
_ACID = _continue("Stomach-acid reducer: it does not affect platelets, clotting or alertness")

_CORE_MEDICINES: tuple[Medicine, ...] = (
    # --- anticoagulants -----------------------------------------------------------------------
    Medicine(
        "warfarin",
        "warfarin",
        "vitamin_k_antagonist",
        ("warfarin",),
        ("coumadin", "jantoven", "marevan"),
        rxnorm=(("855332", "Warfarin Sodium 5 MG Oral Tablet"),),
    ),
    Medicine(
        "acenocoumarol", "acenocoumarol", "vitamin_k_antagonist", ("acenocoumarol",), ("sintrom",)
    ),
    Medicine(
        "heparin",
        "heparin (unfractionated)",
        "unfractionated_heparin",
        ("heparin", "unfractionated heparin", "ufh", "heparin sodium"),
    ),
    Medicine(
        "enoxaparin",
        "enoxaparin",
        "low_molecular_weight_heparin",
        ("enoxaparin",),
        ("lovenox", "clexane"),
    ),
    Medicine(
        "dalteparin", "dalteparin", "low_molecular_weight_heparin", ("dalteparin",), ("fragmin",)
    ),
    Medicine(
        "tinzaparin", "tinzaparin", "low_molecular_weight_heparin", ("tinzaparin",), ("innohep",)
    ),
    Medicine(
        "fondaparinux",
        "fondaparinux",
        "factor_xa_inhibitor_injectable",
        ("fondaparinux",),
        ("arixtra",),
    ),
    Medicine("apixaban", "apixaban", "factor_xa_inhibitor", ("apixaban",), ("eliquis",)),
    Medicine("rivaroxaban", "rivaroxaban", "factor_xa_inhibitor", ("rivaroxaban",), ("xarelto",)),
    Medicine("edoxaban", "edoxaban", "factor_xa_inhibitor", ("edoxaban",), ("savaysa", "lixiana")),
    Medicine(
        "dabigatran",
        "dabigatran",
        "direct_thrombin_inhibitor",
        ("dabigatran", "dabigatran etexilate"),
        ("pradaxa",),
    ),
    # --- antiplatelets ------------------------------------------------------------------------
    Medicine("clopidogrel", "clopidogrel", "p2y12_inhibitor", ("clopidogrel",), ("plavix",)),
    Medicine("prasugrel", "prasugrel", "p2y12_inhibitor", ("prasugrel",), ("effient", "efient")),
    Medicine(
        "ticagrelor", "ticagrelor", "p2y12_inhibitor", ("ticagrelor",), ("brilinta", "brilique")
    ),
    Medicine(
        "aspirin",
        "aspirin",
        "aspirin",
        ("aspirin", "acetylsalicylic acid", "asa", "baby aspirin", "low dose aspirin"),
        ("ecotrin", "bayer aspirin", "durlaza"),
    ),
    Medicine(
        "dipyridamole",
        "dipyridamole",
        "phosphodiesterase_inhibitor",
        ("dipyridamole",),
        ("persantine",),
    ),
    Medicine(
        "aspirin_dipyridamole",
        "aspirin with dipyridamole",
        "aspirin_combination",
        ("aspirin dipyridamole", "dipyridamole aspirin", "aspirin and dipyridamole"),
        ("aggrenox", "asasantin"),
        components=("aspirin", "dipyridamole"),
    ),
    Medicine(
        "cilostazol", "cilostazol", "phosphodiesterase_inhibitor", ("cilostazol",), ("pletal",)
    ),
    # --- non-aspirin NSAIDs -------------------------------------------------------------------
    Medicine(
        "ibuprofen",
        "ibuprofen",
        "nsaid",
        ("ibuprofen",),
        ("advil", "motrin", "nurofen"),
        rxnorm=(("310965", "Ibuprofen 200 MG Oral Tablet"),),
    ),
    Medicine(
        "naproxen",
        "naproxen",
        "nsaid",
        ("naproxen", "naproxen sodium"),
        ("aleve", "naprosyn", "anaprox"),
        rxnorm=(("849574", "Naproxen sodium 220 MG Oral Tablet"),),
    ),
    Medicine(
        "diclofenac", "diclofenac", "nsaid", ("diclofenac",), ("voltaren", "cataflam", "zorvolex")
    ),
    Medicine("ketorolac", "ketorolac", "nsaid", ("ketorolac",), ("toradol", "sprix")),
    Medicine("etodolac", "etodolac", "nsaid", ("etodolac",), ("lodine",)),
    Medicine(
        "indomethacin", "indomethacin", "nsaid", ("indomethacin", "indometacin"), ("indocin",)
    ),
    Medicine("meloxicam", "meloxicam", "nsaid", ("meloxicam",), ("mobic",)),
    Medicine("nabumetone", "nabumetone", "nsaid", ("nabumetone",), ("relafen",)),
    Medicine("oxaprozin", "oxaprozin", "nsaid", ("oxaprozin",), ("daypro",)),
    Medicine("piroxicam", "piroxicam", "nsaid", ("piroxicam",), ("feldene",)),
    Medicine("ketoprofen", "ketoprofen", "nsaid", ("ketoprofen",)),
    Medicine("sulindac", "sulindac", "nsaid", ("sulindac",), ("clinoril",)),
    Medicine("flurbiprofen", "flurbiprofen", "nsaid", ("flurbiprofen",), ("ansaid",)),
    Medicine("celecoxib", "celecoxib", "cox2_selective_nsaid", ("celecoxib",), ("celebrex",)),
    # --- herbal and dietary supplements -------------------------------------------------------
    Medicine("garlic", "garlic supplement", "herbal_supplement", ("garlic", "garlic extract")),
    Medicine(
        "ginkgo",
        "ginkgo biloba",
        "herbal_supplement",
        ("ginkgo", "ginkgo biloba", "gingko", "gingko biloba"),
    ),
    Medicine("ginseng", "ginseng", "herbal_supplement", ("ginseng",)),
    Medicine(
        "fish_oil",
        "fish oil (omega-3)",
        "dietary_supplement",
        ("fish oil", "omega 3", "omega 3 fatty acids"),
    ),
    Medicine("vitamin_e", "vitamin E", "dietary_supplement", ("vitamin e", "tocopherol")),
    Medicine("turmeric", "turmeric", "herbal_supplement", ("turmeric", "curcumin")),
    Medicine("ginger", "ginger", "herbal_supplement", ("ginger",)),
    Medicine("feverfew", "feverfew", "herbal_supplement", ("feverfew",)),
    # --- GLP-1 receptor agonists (fasting rules, see fasting.py) ------------------------------
    Medicine(
        "semaglutide",
        "semaglutide",
        "glp1_receptor_agonist",
        ("semaglutide",),
        ("ozempic", "wegovy", "rybelsus"),
    ),
    Medicine(
        "liraglutide",
        "liraglutide",
        "glp1_receptor_agonist",
        ("liraglutide",),
        ("victoza", "saxenda"),
    ),
    Medicine(
        "dulaglutide", "dulaglutide", "glp1_receptor_agonist", ("dulaglutide",), ("trulicity",)
    ),
    Medicine(
        "exenatide",
        "exenatide",
        "glp1_receptor_agonist",
        ("exenatide",),
        ("byetta", "bydureon", "bydureon bcise"),
    ),
    Medicine(
        "lixisenatide", "lixisenatide", "glp1_receptor_agonist", ("lixisenatide",), ("adlyxin",)
    ),
    Medicine(
        "tirzepatide",
        "tirzepatide",
        "glp1_receptor_agonist",
        ("tirzepatide",),
        ("mounjaro", "zepbound"),
    ),
    # --- the continue list: no bleeding or sedation rule --------------------------------------
    Medicine(
        "levothyroxine",
        "levothyroxine",
        "thyroid_hormone",
        ("levothyroxine", "thyroxine", "levothyroxine sodium"),
        ("synthroid", "levoxyl", "unithroid", "euthyrox", "tirosint"),
        continue_reason=_continue(
            "Thyroid hormone replacement: it does not affect platelets, clotting or alertness"
        ),
    ),
    Medicine(
        "alendronate",
        "alendronate",
        "bisphosphonate",
        ("alendronate", "alendronic acid", "alendronate sodium"),
        ("fosamax", "binosto"),
        rxnorm=(("904419", "Alendronic acid 10 MG Oral Tablet"),),
        continue_reason=_BISPHOSPHONATE,
    ),
    Medicine(
        "risedronate",
        "risedronate",
        "bisphosphonate",
        ("risedronate",),
        ("actonel", "atelvia"),
        continue_reason=_BISPHOSPHONATE,
    ),
    Medicine(
        "ibandronate",
        "ibandronate",
        "bisphosphonate",
        ("ibandronate",),
        ("boniva",),
        continue_reason=_BISPHOSPHONATE,
    ),
    Medicine(
        "zoledronic_acid",
        "zoledronic acid",
        "bisphosphonate",
        ("zoledronic acid", "zoledronate"),
        ("reclast", "aclasta"),
        continue_reason=_BISPHOSPHONATE,
    ),
    Medicine(
        "denosumab",
        "denosumab",
        "rank_ligand_inhibitor",
        ("denosumab",),
        ("prolia", "xgeva"),
        continue_reason=_continue(
            "Osteoporosis injection every few months: it does not affect platelets, clotting "
            "or alertness"
        ),
    ),
    Medicine(
        "teriparatide",
        "teriparatide",
        "bone_anabolic",
        ("teriparatide",),
        ("forteo",),
        continue_reason=_continue(
            "Daily bone-building injection: it does not affect platelets, clotting or alertness"
        ),
    ),
    Medicine(
        "abaloparatide",
        "abaloparatide",
        "bone_anabolic",
        ("abaloparatide",),
        ("tymlos",),
        continue_reason=_continue(
            "Daily bone-building injection: it does not affect platelets, clotting or alertness"
        ),
    ),
    Medicine(
        "calcium",
        "calcium supplement",
        "mineral_supplement",
        ("calcium", "calcium carbonate", "calcium citrate"),
        continue_reason=_continue(
            "Calcium supplement: it does not affect platelets, clotting or alertness"
        ),
    ),
    Medicine(
        "vitamin_d",
        "vitamin D",
        "vitamin_supplement",
        ("vitamin d", "vitamin d3", "vitamin d2", "cholecalciferol", "ergocalciferol"),
        continue_reason=_continue(
            "Vitamin D supplement: it does not affect platelets, clotting or alertness"
        ),
    ),
    Medicine(
        "acetaminophen",
        "acetaminophen (paracetamol)",
        "analgesic",
        ("acetaminophen", "paracetamol", "apap"),
        ("tylenol", "panadol"),
        rxnorm=(("313782", "Acetaminophen 325 MG Oral Tablet"),),
        continue_reason=_continue(
            "Acetaminophen (paracetamol) alone: it does not affect platelets and does not cause "
            "sleepiness at usual doses"
        ),
    ),
    Medicine(
        "atorvastatin",
        "atorvastatin",
        "statin",
        ("atorvastatin",),
        ("lipitor",),
        continue_reason=_STATIN,
    ),
    Medicine(
        "rosuvastatin",
        "rosuvastatin",
        "statin",
        ("rosuvastatin",),
        ("crestor",),
        continue_reason=_STATIN,
    ),
    Medicine(
        "simvastatin",
        "simvastatin",
        "statin",
        ("simvastatin",),
        ("zocor",),
        rxnorm=(("316672", "Simvistatin 10 MG"),),
        continue_reason=_STATIN,
    ),
    Medicine(
        "pravastatin",
        "pravastatin",
        "statin",
        ("pravastatin",),
        ("pravachol",),
        continue_reason=_STATIN,
    ),
    Medicine(
        "omeprazole",
        "omeprazole",
        "proton_pump_inhibitor",
        ("omeprazole",),
        ("prilosec",),
        continue_reason=_ACID,
    ),
    Medicine(
        "esomeprazole",
        "esomeprazole",
        "proton_pump_inhibitor",
        ("esomeprazole",),
        ("nexium",),
        continue_reason=_ACID,
    ),
    Medicine(
        "pantoprazole",
        "pantoprazole",
        "proton_pump_inhibitor",
        ("pantoprazole",),
        ("protonix",),
        continue_reason=_ACID,
    ),
    Medicine(
        "lansoprazole",
        "lansoprazole",
        "proton_pump_inhibitor",
        ("lansoprazole",),
        ("prevacid",),
        continue_reason=_ACID,
    ),
    Medicine(
        "famotidine",
        "famotidine",
        "h2_blocker",
        ("famotidine",),
        ("pepcid",),
        continue_reason=_ACID,
    ),
)

MEDICINES: tuple[Medicine, ...] = _CORE_MEDICINES + COMMON_MEDICINES

BY_ID: dict[str, Medicine] = {medicine.id: medicine for medicine in MEDICINES}

# Words that describe strength, form, route or dosing, and are safe to ignore.
_FILLER = frozenset(
    word
    for line in (
        "mg mcg g gm gram grams ml l unit units iu meq kg percent tablet tablets tab tabs",
        "capsule capsules cap caps pill pills oral po injection injectable inj pen pens",
        "prefilled syringe syringes solution suspension liquid chewable chew film coated",
        "enteric ec er xr sr xl dr la cr extended delayed release immediate ir sustained",
        "controlled subcutaneous subcut subq sc sq iv intravenous infusion drip gtt by mouth",
        "under skin take takes taking one two three four half a an the of and with without food",
        "meals meal water at in on per each every daily day days once twice thrice times time",
        "bid tid qid qd od qhs hs qam am morning evening night nightly bedtime weekly week hour",
        "hours hr hrs h as needed prn directed dose doses low strength regular generic usp x or",
        "to then for prophylactic prophylaxis therapeutic treatment full primary secondary",
        "prevention dvt vte afib pain arthritis blood thinner clot clots thyroid cholesterol",
        "bones osteoporosis reflux heartburn hfa inhaler inhalation inh puff puffs spray nasal",
        "drops drop eye ophthalmic cream ointment topical patch vial diskus ellipta respimat",
        "flexpen kwikpen solostar handihaler nebulizer neb",
    )
    for word in line.split()
)
# Salt names: ignored when they follow a medicine name ("warfarin sodium", "atorvastatin calcium").
_SALTS = frozenset(
    word
    for line in (
        "sodium potassium calcium magnesium bisulfate hydrochloride hcl mesylate etexilate",
        "tosylate tromethamine besylate maleate succinate tartrate sulfate acetate bitartrate",
    )
    for word in line.split()
)
_NUMBER_WITH_UNIT = re.compile(r"\d+(?:\.\d+)?[a-z%]*")
_EVERY_N_HOURS = re.compile(r"q\d+h")


def tokens(text: str) -> list[str]:
    """Lower-case words and numbers; apostrophes dropped, other punctuation splits words."""
    cleaned = text.lower().replace("'", "").replace("\u2019", "")
    return [token.strip(".") for token in re.split(r"[^a-z0-9.%]+", cleaned) if token.strip(".")]


def _is_filler(token: str) -> bool:
    return (
        token in _FILLER
        or _NUMBER_WITH_UNIT.fullmatch(token) is not None
        or _EVERY_N_HOURS.fullmatch(token) is not None
    )


def _phrase_index() -> dict[tuple[str, ...], tuple[str, MatchedBy]]:
    index: dict[tuple[str, ...], tuple[str, MatchedBy]] = {}
    for medicine in MEDICINES:
        phrases: list[tuple[str, MatchedBy]] = [(medicine.id.replace("_", " "), "name")]
        phrases += [(name, "name") for name in medicine.names]
        phrases += [(brand, "brand") for brand in medicine.brands]
        for phrase, kind in phrases:
            key = tuple(tokens(phrase))
            existing = index.get(key)
            if existing is not None and existing[0] != medicine.id:
                raise ValueError(f"{phrase!r} names both {existing[0]} and {medicine.id}")
            index[key] = (medicine.id, kind)
    return index


_PHRASES = _phrase_index()
_LONGEST = max(len(key) for key in _PHRASES)
RXNORM: dict[str, tuple[str, str]] = {
    code: (medicine.id, display) for medicine in MEDICINES for code, display in medicine.rxnorm
}
_COMBINATIONS: dict[frozenset[str], str] = {
    frozenset(medicine.components): medicine.id for medicine in MEDICINES if medicine.components
}


@dataclass(frozen=True)
class Recognition:
    """What the text (and code) was recognised as; ``medicine`` is None when not recognised."""

    medicine: Medicine | None
    matched_by: MatchedBy | None
    matched_text: str | None
    components: tuple[str, ...]  # more than one medicine named in one line
    unknown_words: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    medicine_id: str
    kind: MatchedBy


def _find_matches(words: list[str]) -> list[_Match]:
    found: list[_Match] = []
    position = 0
    while position < len(words):
        for length in range(min(_LONGEST, len(words) - position), 0, -1):
            hit = _PHRASES.get(tuple(words[position : position + length]))
            if hit is not None:
                found.append(_Match(position, position + length, hit[0], hit[1]))
                position += length
                break
        else:
            position += 1
    # A salt word right after a medicine name belongs to it ("atorvastatin calcium").
    kept: list[_Match] = []
    for match in found:
        previous = kept[-1] if kept else None
        is_salt = match.end - match.start == 1 and words[match.start] in _SALTS
        if previous is not None and is_salt and previous.end == match.start:
            kept[-1] = _Match(previous.start, match.end, previous.medicine_id, previous.kind)
            continue
        kept.append(match)
    return kept


# A pure function of its two strings with an immutable answer: the same line (a plan's, a
# FHIR import's, a CDS call's) is read once. Bounded, so text from outside cannot grow it.
@lru_cache(maxsize=4096)
def recognise(text: str, rxnorm: str | None = None) -> Recognition:
    """Recognise a medicine line; see the module docstring for the rules."""
    words = tokens(text)
    matches = _find_matches(words)
    covered = {index for match in matches for index in range(match.start, match.end)}
    unknown = tuple(
        word
        for index, word in enumerate(words)
        if index not in covered
        and not _is_filler(word)
        and not (word in _SALTS and index - 1 in covered)
    )
    notes: list[str] = []
    ids = list(dict.fromkeys(match.medicine_id for match in matches))
    if "insulin" in ids and any(
        BY_ID[i].medicine_class == "insulin" for i in ids if i != "insulin"
    ):
        ids.remove("insulin")  # "Lantus insulin": the word insulin names the same medicine
    code_hit = RXNORM.get(rxnorm) if rxnorm else None
    if rxnorm and code_hit is None:
        notes.append(f"RxNorm {rxnorm} is not in the planner's verified code list")

    if len(ids) > 1:
        combined = _COMBINATIONS.get(frozenset(ids))
        if combined is None:
            return Recognition(None, None, None, tuple(ids), unknown, tuple(notes))
        ids = [combined]
    if ids:
        medicine = BY_ID[ids[0]]
        if code_hit is not None and code_hit[0] != medicine.id:
            notes.append(
                f"RxNorm {rxnorm} ({code_hit[1]}) names {code_hit[0]}, but the name says "
                f"{medicine.id}: the name was used"
            )
        matched_text = " + ".join(" ".join(words[m.start : m.end]) for m in matches)
        kind: MatchedBy = "brand" if any(m.kind == "brand" for m in matches) else "name"
        return Recognition(medicine, kind, matched_text, (), unknown, tuple(notes))
    if code_hit is not None:
        if unknown:
            notes.append(
                f"the name ({' '.join(unknown)}) was not recognised; RxNorm {rxnorm} was used"
            )
        return Recognition(BY_ID[code_hit[0]], "rxnorm", code_hit[1], (), (), tuple(notes))
    return Recognition(None, None, None, (), unknown, tuple(notes))
