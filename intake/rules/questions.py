"""The questions of the health step, as data: each Question is one question a patient answers, with the follow-ups
it reveals ("If yes: ..."); the areas and sides of step 2 and the lists of choices come first.

Wording changes here change what patients read, so they are a new rule set version too (see the package's README).
"""

from .vocabulary import FollowUp, Question

YES_NO = (("no", "No"), ("yes", "Yes"))
YES_NO_UNSURE = (("no", "No"), ("yes", "Yes"), ("unsure", "Not sure"))

# Where it hurts (step 2). Several rules compare a problem's place with the area to treat.
AREAS = (
    ("head_jaw", "Head or jaw"),
    ("neck", "Neck"),
    ("shoulder", "Shoulder"),
    ("upper_back", "Upper back"),
    ("chest", "Chest or ribs"),
    ("lower_back", "Lower back"),
    ("elbow_arm", "Elbow or forearm"),
    ("wrist_hand", "Wrist or hand"),
    ("hip_buttock", "Hip or buttock"),
    ("thigh", "Thigh"),
    ("knee", "Knee"),
    ("calf_shin", "Calf or shin"),
    ("ankle_foot", "Ankle or foot"),
    ("other", "Somewhere else"),
)

# The side of the body the areas to treat are on (step 2), asked so that "lymphoedema of the left arm" can be
# compared with "right shoulder".
SIDES = (
    ("left", "Left"),
    ("right", "Right"),
    ("both", "Both sides"),
    ("middle", "The middle, such as the spine or the front of the neck"),
)

# The areas that belong to an affected arm, leg or head and neck, and those of the trunk quadrant beside it (whose
# lymph drains to the same nodes). The neck counts with the arm: the upper trapezius spans neck and shoulder, and
# a patient with armpit nodes removed cannot be expected to know where a quadrant ends. Tuples, not sets, so the
# fingerprint does not depend on hash order.
LIMB_AREAS = {
    "arm": ("shoulder", "elbow_arm", "wrist_hand"),
    "leg": ("hip_buttock", "thigh", "knee", "calf_shin", "ankle_foot"),
    "head_neck": ("head_jaw", "neck"),
}
QUADRANT_AREAS = {
    "arm": ("neck", "upper_back", "chest"),
    "leg": ("lower_back", "hip_buttock"),
    "head_neck": ("shoulder", "upper_back"),
}
NEAR_THE_CHEST = ("neck", "shoulder", "upper_back", "chest")

BODY_SIDE_OR_UNSURE = (("left", "Left"), ("right", "Right"), ("both", "Both sides"), ("unsure", "Not sure"))

ANTITHROMBOTICS = (
    ("warfarin", "Warfarin, acenocoumarol or another vitamin K antagonist"),
    ("doac", "Apixaban, rivaroxaban, dabigatran or edoxaban"),
    ("heparin", "Heparin injections (for example enoxaparin)"),
    ("clopidogrel", "Clopidogrel, prasugrel or ticagrelor"),
    ("aspirin", "Aspirin (including low dose)"),
    ("other", "Another blood-thinning medicine"),
)
IF_VKA = "If you take warfarin, acenocoumarol or another vitamin K antagonist: "

# Medicines and supplements that add to a blood thinner's effect on bleeding (docs/clinical.md, "all medicines").
BLEEDING_RISK_MEDICINES = (
    ("nsaid", "Anti-inflammatory painkillers, such as ibuprofen, naproxen or diclofenac"),
    ("ssri", "Antidepressants such as sertraline, fluoxetine or citalopram"),
    ("fish_oil", "Fish oil or omega-3"),
    ("ginkgo", "Ginkgo"),
    ("garlic", "Garlic tablets or capsules"),
    ("turmeric", "Turmeric or curcumin"),
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "bleeding_disorder",
        "Do you have a bleeding disorder, such as haemophilia, von Willebrand disease or a low platelet count?",
        follow_ups=(
            FollowUp("bleeding_disorder_which", "If yes: which condition?"),
            FollowUp("bleeding_platelets", "If yes: your platelet count, if you know it", required=False),
            FollowUp("bleeding_bruise_easily", "If yes: do you bruise easily?", kind="yesno"),
            FollowUp(
                "bleeding_long_after",
                "If yes: do you bleed for a long time after a blood test or dental work?",
                kind="yesno",
            ),
        ),
    ),
    Question(
        "antithrombotic",
        "Do you take a medicine that thins the blood or stops clots, such as warfarin, acenocoumarol, apixaban, "
        "heparin, clopidogrel or aspirin?",
        help="Please keep taking your medicines as prescribed. Never stop a medicine because of this appointment.",
        follow_ups=(
            FollowUp(
                "antithrombotic_medicines",
                "If yes: which medicines? Choose all you take.",
                kind="multi",
                choices=ANTITHROMBOTICS,
            ),
            FollowUp("antithrombotic_why", "If yes: what do you take them for?"),
            FollowUp(
                "inr_latest",
                f"{IF_VKA}your latest INR, if you know it",
                kind="decimal",
                required=False,
                min_value=0.5,
                max_value=15,
                help="For example 2.4",
            ),
            FollowUp(
                "inr_date",
                f"{IF_VKA}the date of that INR test",
                kind="date",
                required=False,
                help="If it was more than a week ago, a therapist may ask for a newer result.",
            ),
            FollowUp(
                "inr_target_high",
                f"{IF_VKA}the top of your INR target range, if you know it",
                kind="decimal",
                required=False,
                min_value=1,
                max_value=5,
                help="For a target range of 2 to 3, enter 3",
            ),
        ),
    ),
    Question(
        "medicines",
        "Do you take any other medicines, vitamins or supplements, including ones you buy without a prescription?",
        help="Some painkillers, antidepressants and supplements can make you bleed or bruise a little more easily.",
        follow_ups=(
            FollowUp(
                "medicines_list",
                "If yes: please list them all",
                kind="long_text",
                help="For example: ibuprofen when needed, sertraline 50 mg, fish oil.",
            ),
            FollowUp(
                "medicines_bleeding",
                "If yes: do you take any of these? Choose all that apply.",
                kind="multi",
                choices=BLEEDING_RISK_MEDICINES,
                required=False,
            ),
        ),
    ),
    Question(
        "blood_clot",
        "Have you had a blood clot, such as a deep vein thrombosis (DVT) in a leg or a clot in the lungs?",
        follow_ups=(
            FollowUp(
                "clot_when",
                "If yes: when?",
                kind="choice",
                choices=(("recent", "Now, or in the last 3 months"), ("older", "More than 3 months ago")),
            ),
            FollowUp(
                "clot_where",
                "If yes: where was the clot? Choose all that apply.",
                kind="multi",
                choices=(("leg", "A leg"), ("arm", "An arm"), ("lung", "The lungs"), ("other", "Somewhere else")),
            ),
            FollowUp(
                "clot_side",
                "If yes: on which side?",
                kind="choice",
                choices=(
                    ("left", "Left"),
                    ("right", "Right"),
                    ("both", "Both sides"),
                    ("unsure", "Not sure, or not in an arm or leg"),
                ),
            ),
            FollowUp("clot_treatment", "If yes: how is it treated, or how was it treated?"),
        ),
    ),
    Question(
        "pregnant",
        "Are you pregnant, or could you be?",
        choices=YES_NO_UNSURE,
        reveal_on=("yes",),
        follow_ups=(
            FollowUp(
                "pregnancy_stage",
                "If yes: how far along are you?",
                kind="choice",
                choices=(("first", "Up to 12 weeks"), ("later", "13 weeks or more"), ("unsure", "Not sure")),
            ),
            FollowUp(
                "pregnancy_weeks",
                "If yes: how many weeks pregnant, if you know",
                kind="number",
                required=False,
                min_value=1,
                max_value=42,
            ),
            FollowUp(
                "pregnancy_complications",
                "If yes: any complications in this pregnancy? Tell us briefly, or write “none”.",
            ),
        ),
    ),
    Question(
        "skin_problem",
        "Do you have a skin infection, an open wound, a rash or inflamed skin?",
        follow_ups=(
            FollowUp(
                "skin_where",
                "If yes: where is it?",
                kind="choice",
                choices=(
                    ("at_area", "At or near the area I want treated"),
                    ("elsewhere", "Somewhere else on my body"),
                ),
            ),
            FollowUp("skin_signs", "If yes: is it red, hot or weeping pus?", kind="yesno"),
            FollowUp("skin_antibiotics", "If yes: are you taking antibiotics for it?", kind="yesno"),
        ),
    ),
    Question(
        "acute_illness",
        "Are you unwell today, or do you have a fever or a high temperature?",
    ),
    Question(
        "needle_fear",
        "How do you feel about needles?",
        choices=(
            ("fine", "I'm fine with needles"),
            ("nervous", "I'm a little nervous"),
            ("strong", "I have a strong fear of needles, or I don't want needles"),
        ),
        reveal_on=(),
    ),
    Question(
        "fainted_needles",
        "Have you ever fainted, or nearly fainted, with needles, injections or blood tests?",
    ),
    Question(
        "consent_capacity",
        "Does the person having treatment find it hard to understand information or make decisions about their "
        "care, for example because of confusion or memory problems?",
        follow_ups=(FollowUp("decision_maker", "If yes: who makes care decisions with or for them?", required=False),),
    ),
    Question(
        "bad_reaction",
        "Have you ever had a serious or allergic reaction to dry needling, acupuncture or an injection?",
        help="For example a severe allergy (anaphylaxis), fainting and getting hurt, or an infection that needed "
        "treatment. A sore arm after a vaccine does not count.",
        follow_ups=(FollowUp("bad_reaction_what", "If yes: what happened?", kind="long_text"),),
    ),
    Question(
        "lymphoedema",
        "Do you have lymphoedema (swelling from the lymph system), or have you had lymph nodes removed?",
        follow_ups=(
            FollowUp(
                "lymph_part",
                "If yes: which part of your body? Choose all that apply.",
                kind="multi",
                choices=(
                    ("arm", "An arm, or lymph nodes removed from the armpit"),
                    ("leg", "A leg, or lymph nodes removed from the groin"),
                    ("head_neck", "The head or neck, or lymph nodes removed from the neck"),
                    ("other", "Somewhere else"),
                ),
            ),
            FollowUp("lymph_side", "If yes: on which side?", kind="choice", choices=BODY_SIDE_OR_UNSURE),
            FollowUp("lymph_details", "If yes: when did it start, or when were the lymph nodes removed?"),
        ),
    ),
    Question(
        "lung_disease",
        "Do you have a lung disease, such as COPD, emphysema or cystic fibrosis, or have you ever had a collapsed "
        "lung?",
        follow_ups=(
            FollowUp("lung_which", "If yes: which condition?"),
            FollowUp("lung_collapse", "If a lung collapsed: when, and on which side?", required=False),
        ),
    ),
    Question(
        "weakened_immunity",
        "Is your immune system weakened, for example by chemotherapy, steroid tablets, biologic medicines or HIV?",
        follow_ups=(FollowUp("weakened_immunity_which", "If yes: which condition or medicine?"),),
    ),
    Question(
        "heart_valve",
        "Do you have heart valve disease or a replaced heart valve?",
        follow_ups=(FollowUp("heart_valve_which", "If yes: which condition or valve?"),),
    ),
    Question(
        "diabetes",
        "Do you have diabetes?",
        follow_ups=(
            FollowUp(
                "diabetes_control",
                "If yes: how well controlled is it?",
                kind="choice",
                choices=(("well", "Well controlled"), ("not_well", "Not well controlled"), ("unsure", "Not sure")),
            ),
            FollowUp("diabetes_numbness", "If yes: do you have numbness in your feet or hands?", kind="yesno"),
            FollowUp("diabetes_ulcers", "If yes: do you have, or have you had, foot ulcers?", kind="yesno"),
        ),
    ),
    Question(
        "vascular",
        "Do you have a circulation (blood vessel) disease or varicose veins?",
        follow_ups=(FollowUp("vascular_where", "If yes: where?"),),
    ),
    Question(
        "epilepsy",
        "Do you have epilepsy or seizures?",
        follow_ups=(
            FollowUp("epilepsy_type", "If yes: what type, if you know", required=False),
            FollowUp("epilepsy_last", "If yes: when was your last seizure?"),
            FollowUp(
                "epilepsy_controlled", "If yes: is it controlled with treatment?", kind="choice", choices=YES_NO_UNSURE
            ),
        ),
    ),
    Question(
        "metal_allergy",
        "Are you allergic to metals (such as nickel), latex or antiseptics?",
        follow_ups=(
            FollowUp(
                "metal_allergy_which",
                "If yes: which ones? Choose all that apply.",
                kind="multi",
                choices=(("nickel", "Nickel or other metals"), ("latex", "Latex"), ("antiseptic", "Antiseptics")),
            ),
        ),
    ),
    Question(
        "implanted_device",
        "Do you have a pacemaker, a defibrillator or another implanted electrical device?",
        follow_ups=(FollowUp("implanted_device_what", "If yes: what type, and where is it?"),),
    ),
    Question(
        "cancer_near_area",
        "Do you have, or have you had, cancer in or near the area you want treated?",
        follow_ups=(
            FollowUp("cancer_site", "If yes: where?"),
            FollowUp("cancer_treatment", "If yes: any current treatment? Tell us briefly, or write “none”."),
        ),
    ),
    Question(
        "recent_surgery",
        "Have you had surgery or an implant near the area you want treated in the last 3 months?",
        follow_ups=(FollowUp("recent_surgery_what", "If yes: what, where and when?"),),
    ),
    Question(
        "joint_replacement",
        "Do you have a joint replacement, such as a new hip, knee or shoulder, in or near the area you want treated?",
        help="However long ago it was.",
        follow_ups=(FollowUp("joint_replacement_which", "If yes: which joint, and when was it replaced?"),),
    ),
    Question(
        "alcohol_today",
        "Have you had alcohol or recreational drugs today?",
    ),
)

QUESTIONS_BY_NAME = {q.name: q for q in QUESTIONS}
FOLLOW_UP_PARENT = {f.name: q.name for q in QUESTIONS for f in q.follow_ups}
# Answers that are not questions of the health step: the areas and side (step 2), and what the service adds.
OTHER_ANSWERS = ("areas", "area_side", "what_brings_you", "age", "answered_on")

# Questions of earlier rule sets that are no longer asked, so staff can still read old intakes' answers.
RETIRED_QUESTIONS = {
    "fainted_before": "Fainted with needles or blood tests before (asked of nervous patients until 2026.1)",
    "lymph_where": "Where the lymphoedema is, compared with the area to treat (until 2026.1)",
}
RETIRED_VALUES = {"yes": "Yes", "no": "No", "at_area": "At or near the area to treat", "elsewhere": "Elsewhere"}
