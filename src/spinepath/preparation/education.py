"""Education pages for patients and families: public, no login, no patient data.

Written for this project in plain words, aiming at reading grade 6 or below (a test measures
every page). Each page is data: a title, a one-line summary for the index, and its parts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class LearnPage:
    slug: str
    title: str
    summary: str
    parts: tuple[Part, ...]
    see_also: tuple[str, ...] = ()  # slugs of related pages


DISCLAIMER = (
    "This page gives general facts. Your own care team knows your health best. Ask them if "
    "you have a question."
)

PAGES: tuple[LearnPage, ...] = (
    LearnPage(
        slug="compression-fracture",
        title="What is a spinal compression fracture?",
        summary="What happens when a bone in your back breaks, and how we find it.",
        parts=(
            Part(
                "Your spine",
                (
                    "Your spine is your backbone. It is a stack of small bones, one on top of "
                    "the next.",
                    "Each of these bones is called a vertebra. Soft pads sit between them.",
                ),
            ),
            Part(
                "The break",
                (
                    "A compression fracture is a break in one of these bones. The bone gets "
                    "squashed, most of all at the front. On an x-ray it can look like a wedge.",
                    "A hard fall can do this. When bones are weak, a small thing can do it too. "
                    "It can happen when you cough, sneeze, bend or lift a bag.",
                ),
            ),
            Part(
                "How it feels",
                ("Not every break hurts. When it does, you may notice:",),
                (
                    "Back pain that starts all of a sudden.",
                    "Pain that is worse when you stand or walk.",
                    "Pain that gets better when you lie down.",
                    "Your back curves forward, or you get a bit shorter.",
                ),
            ),
            Part(
                "How we find it",
                (
                    "We look at x-rays of your back. Some people also need an MRI scan or a "
                    "bone scan. These show if a break is new or old.",
                    "Most of these breaks heal in 6 to 8 weeks.",
                ),
            ),
        ),
    ),
    LearnPage(
        slug="soft-bones",
        title="Why soft bones break",
        summary="How bones get weak, and who is more likely to have weak bones.",
        parts=(
            Part(
                "Bone is alive",
                (
                    "Your body takes away old bone and builds new bone all the time.",
                    "As we get older, we can lose bone faster than we build it. Then the bones "
                    "get thin and weak inside. Doctors call this osteoporosis.",
                    "Weak bones break more easily. The back, hip and wrist break most often.",
                ),
            ),
            Part(
                "What makes bones weak",
                ("Some things make weak bones more likely:",),
                (
                    "Getting older.",
                    "Being a woman after your periods have stopped.",
                    "A mom or dad who broke a hip.",
                    "Smoking, or a lot of alcohol.",
                    "Some medicines, like steroid pills taken for a long time.",
                    "Moving very little, or a low body weight.",
                ),
            ),
            Part(
                "You may not feel it",
                (
                    "You cannot feel your bones get weak. A break may be the first sign.",
                    "A bone scan called a DXA scan checks how strong your bones are. It is "
                    "quick and it does not hurt.",
                    "One break makes the next break more likely. Treatment can lower that chance.",
                ),
            ),
        ),
    ),
    LearnPage(
        slug="first-treatment",
        title="Why care starts with pain medicine, rest, a brace and therapy",
        summary="Most breaks heal on their own. Here is how simple care helps.",
        parts=(
            Part(
                "Most breaks heal",
                (
                    "Most breaks in the back heal on their own in 6 to 8 weeks. So we start "
                    "with simple care. It helps most people.",
                ),
            ),
            Part(
                "Pain medicine",
                (
                    "Pain medicine helps you move and sleep. Take it the way your doctor says.",
                    "Tell us if it makes you feel sick or too sleepy. Tell us if you cannot poop.",
                ),
            ),
            Part(
                "Rest, but not too much",
                (
                    "Rest when your back hurts. But do not stay in bed all day.",
                    "Too much time in bed makes your muscles and bones weaker. Short walks help.",
                ),
            ),
            Part(
                "A back brace",
                (
                    "A brace holds your back still. This can ease the pain.",
                    "Wear it the way your care team shows you.",
                ),
            ),
            Part(
                "Physical therapy",
                (
                    "A therapist shows you safe ways to sit, stand, move and lift.",
                    "You also learn exercises. They make the muscles that hold up your back "
                    "strong.",
                ),
            ),
            Part(
                "If the pain does not get better",
                (
                    "Most people feel better in a few weeks. Some still have bad pain.",
                    "Then your doctor may talk with you about a procedure to fix the bone.",
                ),
            ),
        ),
    ),
    LearnPage(
        slug="vertebroplasty-and-kyphoplasty",
        title="Vertebroplasty and kyphoplasty",
        summary="Two ways to put bone cement into a broken bone, and how they differ.",
        parts=(
            Part(
                "What they do",
                (
                    "Both of these put bone cement into the broken bone. The cement gets hard in "
                    "a short time. It holds the bone still, and this can ease the pain.",
                ),
            ),
            Part(
                "Vertebroplasty",
                (
                    "The doctor puts a thin needle through the skin of your back. It goes into "
                    "the broken bone. An x-ray camera shows the doctor the way.",
                    "Then the doctor pushes cement through the needle into the bone.",
                ),
            ),
            Part(
                "Kyphoplasty",
                (
                    "This is much the same. But first the doctor puts a small balloon into the "
                    "bone.",
                    "The balloon is filled up. It makes a space, and it may lift the bone back up "
                    "a bit. Then the balloon comes out and cement fills the space.",
                ),
            ),
            Part(
                "How they differ",
                (),
                (
                    "Both use a needle, an x-ray camera and cement.",
                    "Only kyphoplasty uses a balloon.",
                    "Kyphoplasty may give back some of the height of the bone.",
                    "Both take a short time. Most people go home the same day.",
                ),
            ),
            Part(
                "Who may have one",
                (
                    "Your doctor may talk about this if your pain is still bad after weeks of "
                    "simple care. It may also help if the pain stops you from walking or doing "
                    "your daily tasks.",
                    "Your doctor looks at your scans and talks with you. You make the choice "
                    "together.",
                ),
            ),
        ),
    ),
    LearnPage(
        slug="getting-ready",
        title="Getting ready: medicines and food",
        summary="Why some medicines stop for a while, and why you cannot eat before.",
        parts=(
            Part(
                "Medicines that thin your blood",
                (
                    "Some medicines make it hard for your blood to clot. Then you may bleed "
                    "more during the procedure.",
                    "Some of these are warfarin, Eliquis, Xarelto, Plavix and aspirin. Pain pills "
                    "like ibuprofen can do it too.",
                    "Your care team will tell you if you need to stop each one. They will also "
                    "tell you the day and time.",
                ),
                (),
                (
                    "Do not stop a medicine on your own. Some are not safe to stop without a plan.",
                    "Tell us about every pill, shot, vitamin and herb you take.",
                ),
            ),
            Part(
                "Food and drink",
                (
                    "You get medicine to make you sleepy. Your stomach needs to be empty for "
                    "this. Food in your stomach could go into your lungs.",
                    "Your plan tells you when to stop eating. It also tells you when to stop "
                    "drinking.",
                    "Do you take a weekly shot for sugar or weight, like Ozempic? Tell us. You "
                    "may need a different plan.",
                ),
            ),
            Part(
                "Your plan",
                (
                    "You will get your own plan on paper. You can also get a calendar file. It "
                    "puts each step in your phone with a reminder.",
                ),
            ),
        ),
        see_also=("procedure-day",),
    ),
    LearnPage(
        slug="procedure-day",
        title="What the day is like",
        summary="From the time you arrive to the time you go home.",
        parts=(
            Part(
                "When you arrive",
                (
                    "A nurse checks you in. You may get a small tube in a vein in your arm. "
                    "This is for medicine and fluids.",
                ),
            ),
            Part(
                "Sleepy medicine",
                (
                    "You get medicine to help you relax and feel sleepy. This is called sedation.",
                    "The doctor also numbs the skin on your back. This way you feel little "
                    "or no pain.",
                ),
            ),
            Part(
                "The procedure",
                (
                    "You lie on your stomach. The procedure takes about 15 to 60 minutes. It "
                    "takes longer when more than one bone needs cement.",
                ),
            ),
            Part(
                "After the procedure",
                (
                    "We watch you for about an hour. A nurse checks your heart rate, your blood "
                    "pressure and how much oxygen is in your blood.",
                    "Most people go home the same day. A few stay one night.",
                ),
            ),
            Part(
                "Going home",
                (
                    "An adult must take you home. Do not drive on that day.",
                    "You may get pain medicine to take at home. Some people also get medicine to "
                    "stop germs. This is called an antibiotic.",
                ),
            ),
        ),
    ),
    LearnPage(
        slug="risks",
        title="The risks",
        summary="What can go wrong, and what to watch for.",
        parts=(
            Part(
                "Most people do well",
                (
                    "Problems are not common. But every procedure has some risk. Here are the "
                    "main ones.",
                ),
            ),
            Part(
                "Possible problems",
                (),
                (
                    "Bleeding where the needle went in.",
                    "A break in a rib or another bone. Weak bones can break from the push of "
                    "the needle, or from lying on your stomach.",
                    "A fever.",
                    "A nerve near the spine gets sore. This can cause pain, tingling or "
                    "weakness in your chest, belly or legs.",
                    "An infection.",
                    "Cement leaks out of the bone. Most of the time this does no harm. Once in "
                    "a while, it can press on a nerve or move to the lungs.",
                    "More pain for a few hours while the cement sets.",
                ),
                (
                    "Your doctor will talk with you about your own risks. Then you decide.",
                    "Know the signs that mean you should call us.",
                ),
            ),
        ),
        see_also=("warning-signs",),
    ),
    LearnPage(
        slug="recovery",
        title="Recovery",
        summary="What the first days and weeks feel like.",
        parts=(
            Part(
                "The first days",
                (
                    "Many people have less pain soon after. For some, it takes a few days.",
                    "Your back muscles may be sore for 2 to 3 days. Your pain medicine can help.",
                ),
            ),
            Part(
                "The next weeks",
                (
                    "The bone keeps healing for 8 weeks or more. Take it slow.",
                    "Start with short walks. Do a bit more each day.",
                    "Do not lift heavy things until your doctor says it is OK.",
                    "Keep the spot where the needle went in clean and dry.",
                ),
            ),
            Part(
                "Your medicines",
                (
                    "Start your stopped medicines again at the time your plan says. Ask us if "
                    "you are not sure.",
                ),
            ),
        ),
        see_also=("warning-signs", "follow-up"),
    ),
    LearnPage(
        slug="warning-signs",
        title="Warning signs: when to call",
        summary="Signs that mean you should call us, or get help right away.",
        parts=(
            Part(
                "Call us right away if you have",
                (),
                (
                    "A fever or chills.",
                    "Red skin, heat, swelling or fluid where the needle went in.",
                    "New weakness, tingling or a numb feeling in your legs or arms.",
                    "Back pain that gets much worse, or bad new pain in a new place.",
                    "New trouble when you pee or poop.",
                    "Pain that your medicine does not help.",
                ),
            ),
            Part(
                "Call for an ambulance if you have",
                (),
                (
                    "Chest pain.",
                    "Trouble breathing.",
                    "You pass out.",
                    "You cannot move your legs.",
                ),
            ),
        ),
    ),
    LearnPage(
        slug="follow-up",
        title="Why follow-up and bone treatment matter",
        summary="How visits and bone medicine help stop the next break.",
        parts=(
            Part(
                "Go to every visit",
                (
                    "At each visit we check your pain and how well you move. We also look for "
                    "new breaks.",
                    "Please do not miss a visit. Call us if you need a new time.",
                ),
            ),
            Part(
                "Treat the cause",
                (
                    "Your bone broke because your bones are weak. If we do not treat the weak "
                    "bones, more breaks can happen.",
                    "One break in the back makes the next break more likely.",
                ),
            ),
            Part(
                "Bone medicine",
                (
                    "Medicine for weak bones can lower the chance of a new break. Some are pills "
                    "you take once a week. Others are shots or drips a few times a year.",
                    "Your doctor will help you choose.",
                ),
            ),
            Part(
                "Other ways to help your bones",
                (),
                (
                    "Get enough calcium and vitamin D.",
                    "Stay active. Walk, and do the exercises your therapist shows you.",
                    "Do not smoke, and keep alcohol low.",
                    "Make your home safe from falls. Use good lights, take away loose rugs, and "
                    "hold the rail on stairs.",
                ),
                ("Tell your usual doctor about your break too.",),
            ),
        ),
    ),
)

BY_SLUG = {page.slug: page for page in PAGES}
assert all(slug in BY_SLUG for page in PAGES for slug in page.see_also)
