"""Plain-language text for the patient's questionnaire page and emails (grade 6 or below).

The ODI and RMDQ statements are copyrighted and are not shipped: the page asks for each ODI
part on a 0-5 scale with short neutral labels, and for each RMDQ statement by its number, with
a place for the licensed wording a clinic adds.
"""

from __future__ import annotations

CLINIC_HELP = (
    "Is your pain much worse? Do you have a fever? Are your legs weak? Is it hard to hold in "
    "your pee or poop? If so, call your clinic or get help now."
)

PAGE_INTRO = (
    "These questions help your care team see how your back is doing. There are no right or "
    "wrong answers. Pick the answer that fits you today."
)

NRS_QUESTION = "How bad is your back pain right now?"
NRS_HELP = "0 means no pain. 10 means the worst pain you can think of."

ODI_INTRO = (
    "Each part asks how much your back gets in the way of one thing you do. Pick a number from "
    "0 to 5. 0 means it does not get in the way at all. 5 means it gets in the way the most. "
    "You may skip a part that does not apply to you."
)
# The ten parts of the ODI v2.1a, by topic only (the statements themselves are not shipped).
ODI_TOPICS = (
    "Pain",
    "Washing and dressing",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleep",
    "Sex life",
    "Time with friends and family",
    "Travel",
)
ODI_SCALE = ("0 - not at all", "1", "2", "3", "4", "5 - the most")

RMDQ_INTRO = (
    "Your clinic gives you a sheet with 24 short sentences. For each one, pick Yes if it is "
    "true for you today, or No if it is not."
)
RMDQ_STATEMENT = "Sentence {number} on your sheet"

SUBMIT_LABEL = "Send my answers"
THANK_YOU = "Thank you. Your answers were sent to your care team."

GONE_TEXT = {
    "used": "You already sent your answers with this link. Thank you.",
    "expired": "This link is too old to use now. Please call your clinic for a new one.",
    "revoked": "This link does not work any more. Please use the newest link we sent you.",
}
NOT_FOUND_TEXT = "This link does not work. Please check it, or call your clinic."
FIX_ANSWERS = "Please check the answers marked below."
