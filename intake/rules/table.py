"""The screening rules, one row per rule; docs/clinical.md, "The rules", gives the clinical basis of each.

Staff read the reasons of an intake in the order of these rows, and the order is part of the version's fingerprint,
so the rows are grouped here as they have always stood rather than in the order of the table in docs/clinical.md.
"""

from .questions import BLEEDING_RISK_MEDICINES, NEAR_THE_CHEST
from .vocabulary import (
    INFORM,
    NEEDS_REVIEW,
    NOT_SUITABLE,
    Escalation,
    Rule,
    all_of,
    answer_above,
    answer_above_answer,
    answer_at_most,
    answer_below,
    answer_in,
    answer_is_yes,
    answer_missing,
    chosen,
    chosen_any,
    chosen_at_least,
    date_older_than,
    part_at_area,
    service_uses_estim,
    yes_to,
)

ADULT_AGE = 18
INR_MAX_AGE_DAYS = 7  # an INR older than this is not a current one (Muñoz et al. 2022)
INR_LIMIT_WITHOUT_TARGET = "3.5"  # above this, with no target range known, no needling before a talk
KEEP_TAKING = "Please keep taking your medicine as your doctor advised."

RULES: tuple[Rule, ...] = (
    # Blood and bleeding: docs/clinical.md, "The rules", rows "bleeding disorder", "anticoagulant or
    # antiplatelet medicine" (with Muñoz et al. 2022 for the INR), "all medicines" and "current or recent
    # (3 months) deep vein thrombosis".
    yes_to(
        "bleeding_disorder",
        disposition=NOT_SUITABLE,
        staff_reason="Bleeding disorder",
        patient_text="With a bleeding disorder, even a very fine needle can cause bleeding that is hard to stop. We "
        "would like to talk with you about what is safe before you book.",
    ),
    yes_to(
        "antithrombotic",
        disposition=NEEDS_REVIEW,
        staff_reason="Takes an anticoagulant or antiplatelet medicine",
        patient_text="You take a medicine that thins your blood, so a therapist will look at your answers before "
        f"your visit. {KEEP_TAKING}",
        escalations=(
            Escalation(
                when=answer_above_answer("inr_latest", "inr_target_high"),
                disposition=NOT_SUITABLE,
                staff_reason="Latest INR above the top of the target range",
                patient_text="Your last INR was above your target range, so you may bleed more easily right now. We "
                f"would like to talk with you before any needling. {KEEP_TAKING}",
            ),
            Escalation(
                when=all_of(answer_above("inr_latest", INR_LIMIT_WITHOUT_TARGET), answer_missing("inr_target_high")),
                disposition=NOT_SUITABLE,
                staff_reason="Latest INR above 3.5 and no target range given",
                patient_text="Your last INR was above 3.5, which is too high for needling to be safe, so we would "
                f"like to talk with you first. {KEEP_TAKING}",
            ),
            Escalation(
                when=chosen_at_least("antithrombotic_medicines", 2),
                disposition=NOT_SUITABLE,
                staff_reason="Takes two or more antithrombotic medicines",
                patient_text="You take two medicines that thin the blood, and together they make bleeding more "
                f"likely. We would like to talk with you before any needling. {KEEP_TAKING}",
            ),
            Escalation(
                when=all_of(chosen("antithrombotic_medicines", "warfarin"), answer_missing("inr_date")),
                disposition=NEEDS_REVIEW,
                staff_reason="Vitamin K antagonist: INR date not given (never cleared without a recent INR)",
                patient_text="We do not know when your last INR test was. A therapist will look at your answers, and "
                "may ask for a test from the week before your visit.",
            ),
            Escalation(
                when=all_of(
                    chosen("antithrombotic_medicines", "warfarin"), date_older_than("inr_date", INR_MAX_AGE_DAYS)
                ),
                disposition=NEEDS_REVIEW,
                staff_reason="Vitamin K antagonist: INR more than 7 days old",
                patient_text="Your last INR test was more than a week ago. A therapist will look at your answers, "
                "and may ask for a newer result before needling.",
            ),
        ),
    ),
    yes_to(
        "medicines",
        disposition=INFORM,
        staff_reason="Other medicines or supplements (see the list)",
        patient_text="Thank you for listing your medicines. Your therapist will read the list before your session.",
        escalations=(
            Escalation(
                when=all_of(
                    answer_is_yes("antithrombotic"), chosen_any("medicines_bleeding", *dict(BLEEDING_RISK_MEDICINES))
                ),
                disposition=NEEDS_REVIEW,
                staff_reason="Blood thinner together with medicines or supplements that add to bleeding",
                patient_text="Some of your other medicines or supplements can add to the effect of a blood thinner. "
                "A therapist will look at them all together before your visit.",
            ),
        ),
    ),
    yes_to(
        "blood_clot",
        disposition=NEEDS_REVIEW,
        staff_reason="Blood clot (DVT or other), elsewhere or more than 3 months ago",
        patient_text="You have had a blood clot, so a therapist will look at your answers before your visit.",
        escalations=(
            Escalation(
                when=all_of(
                    answer_in("clot_when", "recent"), part_at_area("clot_where", "clot_side", with_quadrant=False)
                ),
                disposition=NOT_SUITABLE,
                staff_reason="Blood clot now or in the last 3 months in the limb to treat",
                patient_text="You have had a blood clot in the last three months in the arm or leg you want treated. "
                "Needling there could move the clot, so we would like to talk with you before you book.",
            ),
        ),
    ),
    # The body on the day: docs/clinical.md, "The rules", rows "pregnancy", "skin infection, open wound, rash or
    # inflamed skin" and "acute illness or fever today".
    Rule(
        id="pregnancy",
        applies_when=answer_in("pregnant", "yes", "unsure"),
        disposition=NEEDS_REVIEW,
        staff_reason="Pregnant, or could be",
        patient_text="As you are pregnant, a therapist will look at your answers first and plan a gentle treatment "
        "that suits you.",
        escalations=(
            Escalation(
                when=answer_in("pregnant", "unsure"),
                disposition=NOT_SUITABLE,
                staff_reason="Unsure whether pregnant",
                patient_text="As you might be pregnant, we would rather talk with you before any needling.",
            ),
            Escalation(
                when=answer_in("pregnancy_stage", "first", "unsure"),
                disposition=NOT_SUITABLE,
                staff_reason="First trimester or unsure how far along",
                patient_text="In the first 12 weeks of pregnancy, or when you are not sure how far along you are, we "
                "do not needle. We would be glad to talk with you about other care.",
            ),
            Escalation(
                when=answer_at_most("pregnancy_weeks", 12),
                disposition=NOT_SUITABLE,
                staff_reason="12 weeks pregnant or less",
                patient_text="At 12 weeks of pregnancy or less, we do not needle. We would be glad to talk with you "
                "about other care until then.",
            ),
        ),
        questions=("pregnant",),
    ),
    yes_to(
        "skin_problem",
        disposition=NEEDS_REVIEW,
        staff_reason="Skin infection, open wound, rash or inflamed skin",
        patient_text="We never needle through skin that is infected, broken or inflamed. A therapist will look at "
        "your answers first to make sure the skin where we treat is healthy.",
        escalations=(
            Escalation(
                when=answer_in("skin_where", "at_area"),
                disposition=NOT_SUITABLE,
                staff_reason="Skin problem at or near the area to treat",
                patient_text="We cannot needle where the skin is infected, broken or inflamed. Once it has healed, "
                "we would be glad to see you, and we can talk about other care in the meantime.",
            ),
        ),
    ),
    yes_to(
        "acute_illness",
        disposition=NOT_SUITABLE,
        staff_reason="Unwell or feverish today",
        patient_text="As you are unwell today, please rest and get well first, and book when you feel better.",
    ),
    # Needles and consent: docs/clinical.md, "The rules", rows "strong fear of needles", "fainting with
    # needles", "cannot give consent", "under 18" and "earlier serious or allergic reaction"; and "Consent".
    Rule(
        id="needle_fear",
        applies_when=answer_in("needle_fear", "nervous", "strong"),
        disposition=NEEDS_REVIEW,
        staff_reason="Worried about needles",
        patient_text="Lots of people feel nervous about needles. A therapist will look at your answers and talk it "
        "through with you, so you know what to expect.",
        escalations=(
            Escalation(
                when=answer_in("needle_fear", "strong"),
                disposition=NOT_SUITABLE,
                staff_reason="Strong fear of needles, or does not want needles",
                patient_text="Needling is only right for you when you feel happy to go ahead. We would like to talk "
                "with you about treatments that do not use needles.",
            ),
        ),
        questions=("needle_fear",),
    ),
    yes_to(
        "fainted_needles",
        disposition=INFORM,
        staff_reason="Has fainted with needles, injections or blood tests: treat lying down",
        patient_text="As you have fainted with needles before, your therapist will treat you lying down and check on "
        "you often.",
        escalations=(
            Escalation(
                when=answer_in("needle_fear", "strong"),
                disposition=NOT_SUITABLE,
                staff_reason="Has fainted with needles and has a strong fear of them",
                patient_text="You have fainted with needles before and you feel strongly about them, so we would "
                "rather not needle. We would be glad to talk with you about other care.",
            ),
        ),
        also_show=("needle_fear",),
    ),
    yes_to(
        "consent_capacity",
        disposition=NOT_SUITABLE,
        staff_reason="May not be able to give consent",
        patient_text="We would like to talk with you, and anyone who helps with your care decisions, before any "
        "needling.",
    ),
    Rule(
        id="under_18",
        applies_when=answer_below("age", ADULT_AGE),
        disposition=NEEDS_REVIEW,
        staff_reason="Under 18 (guardian consented)",
        patient_text="For anyone under 18, a therapist looks at the answers first, and a parent or guardian gives "
        "consent.",
        questions=(),
    ),
    yes_to(
        "bad_reaction",
        disposition=NOT_SUITABLE,
        staff_reason="Earlier serious or allergic reaction to needling or an injection",
        patient_text="Because of your earlier reaction, we would like to talk it through with you before any "
        "needling.",
    ),
    # Where the area to treat lies: docs/clinical.md, "The rules", rows "lymphoedema or lymph nodes removed"
    # and "lung disease".
    yes_to(
        "lymphoedema",
        disposition=NEEDS_REVIEW,
        staff_reason="Lymphoedema or lymph nodes removed, away from the area to treat",
        patient_text="As you have lymphoedema or have had lymph nodes removed, a therapist will look at your answers "
        "first, then plan around the affected side.",
        escalations=(
            Escalation(
                when=part_at_area("lymph_part", "lymph_side", with_quadrant=True),
                disposition=NOT_SUITABLE,
                staff_reason="Area to treat in the affected limb or its trunk quadrant",
                patient_text="We do not needle a limb with lymphoedema or removed lymph nodes, or the part of the "
                "body next to it, because of the risk of infection and swelling. The area you want treated is close "
                "to it, so we would like to talk with you first.",
            ),
            Escalation(
                when=answer_in("lymph_side", "unsure"),
                disposition=NOT_SUITABLE,
                staff_reason="Not sure which side has lymphoedema or removed lymph nodes",
                patient_text="As you are not sure which side is affected, we would like to talk with you first, so "
                "we can keep well away from it.",
            ),
        ),
    ),
    yes_to(
        "lung_disease",
        disposition=INFORM,
        staff_reason="Lung disease or an earlier collapsed lung (area away from the chest)",
        patient_text="Thank you for telling us about your lungs: your therapist will know about them, and will take "
        "extra care if they ever treat near your chest.",
        escalations=(
            Escalation(
                when=chosen_any("areas", *NEAR_THE_CHEST),
                disposition=NEEDS_REVIEW,
                staff_reason="Lung disease or earlier collapsed lung; area includes neck, shoulders, upper back or "
                "chest",
                patient_text="You want treatment near your chest, and you have a lung condition or have had a "
                "collapsed lung. A therapist will look at your answers first and plan how to treat you safely.",
            ),
        ),
    ),
    # Conditions a therapist looks at first: docs/clinical.md, "The rules", rows "weakened immune system
    # ..., heart valve disease or replacement" (asked as two questions), "diabetes", "vascular disease",
    # "epilepsy or seizures" and "metal (nickel) allergy".
    yes_to(
        "weakened_immunity",
        disposition=NEEDS_REVIEW,
        staff_reason="Weakened immune system",
        patient_text="As your immune system is weaker, a therapist will look at your answers first to keep the "
        "chance of infection low.",
    ),
    yes_to(
        "heart_valve",
        disposition=NEEDS_REVIEW,
        staff_reason="Heart valve disease or replacement",
        patient_text="With a heart valve problem, an infection can be more serious, so a therapist will look at your "
        "answers first.",
    ),
    yes_to(
        "diabetes",
        disposition=NEEDS_REVIEW,
        staff_reason="Diabetes",
        patient_text="A therapist will look at your answers first, as diabetes can affect circulation and healing.",
    ),
    yes_to(
        "vascular",
        disposition=NEEDS_REVIEW,
        staff_reason="Vascular disease or varicose veins",
        patient_text="A therapist will look at your answers first, so we can plan around your veins and blood "
        "vessels.",
    ),
    yes_to(
        "epilepsy",
        disposition=NEEDS_REVIEW,
        staff_reason="Epilepsy or seizures",
        patient_text="A therapist will look at your answers first, so your treatment fits how your seizures are "
        "controlled.",
    ),
    yes_to(
        "metal_allergy",
        disposition=NEEDS_REVIEW,
        staff_reason="Metal, latex or antiseptic allergy",
        patient_text="A therapist will look at your answers first, so we can choose needles, gloves and skin wipes "
        "that suit you.",
    ),
    # Devices, and what lies near the area to treat: docs/clinical.md, "The rules", rows "pacemaker,
    # defibrillator or other implanted electrical device", "cancer in or near the area to treat", "surgery or
    # implant near the area in the last 3 months" and "joint replacement near the area".
    yes_to(
        "implanted_device",
        disposition=INFORM,
        staff_reason="Implanted electrical device: needling without electrical stimulation only",
        patient_text="Your therapist will know about your device and will not use electrical stimulation.",
        escalations=(
            Escalation(
                when=service_uses_estim(),
                disposition=NOT_SUITABLE,
                staff_reason="Implanted electrical device and the chosen service uses electrical stimulation",
                patient_text="We do not use electrical stimulation with a pacemaker, defibrillator or other "
                "implanted electrical device, as it could upset the device. Needling without it may still suit you. "
                "We would be glad to talk it through.",
            ),
        ),
    ),
    yes_to(
        "cancer_near_area",
        disposition=NEEDS_REVIEW,
        staff_reason="Cancer in or near the area to treat",
        patient_text="A therapist will look at your answers first and plan carefully around the area where you had "
        "cancer.",
    ),
    yes_to(
        "recent_surgery",
        disposition=NEEDS_REVIEW,
        staff_reason="Surgery or implant near the area in the last 3 months",
        patient_text="A therapist will look at your answers first, as the area may still be healing.",
    ),
    yes_to(
        "joint_replacement",
        disposition=NEEDS_REVIEW,
        staff_reason="Joint replacement near the area to treat",
        patient_text="A therapist will look at your answers first, so we can keep well away from your new joint and "
        "protect it from infection.",
    ),
    # On the day, for the therapist: docs/clinical.md, "The rules", row "alcohol or recreational drugs today".
    yes_to(
        "alcohol_today",
        disposition=INFORM,
        staff_reason="Alcohol or recreational drugs today (therapist decides on the day)",
        patient_text="Please tell your therapist on the day; they may suggest another time.",
    ),
)


RULES_BY_ID = {rule.id: rule for rule in RULES}
