"""The demo's gold set: ten short case summaries written for calibration, synthetic from end
to end (no real person, place or file: references SYN-CAL-nn, a force of their own so no
audit ever samples them), each with the moderator's agreed answers to the questions it turns
on and the reasons for them. The rest of each gold review is drawn by demo/calibration.py."""

from __future__ import annotations

import csv
import io

SYNTHETIC_FORCE = "Calibration (synthetic)"

# (ref, offence, reported, recorded, outcome, relationship, channel, summary,
#  {question: (gold answer, reason)})
CASES: tuple[tuple[str, str, str, str, str, str, str, str, dict[str, tuple[str, str]]], ...] = (
    (
        "SYN-CAL-01", "Stalking (s2A)", "2024-02-05T09:10", "2024-02-05T11:30",
        "Charged/summonsed", "ex-partner", "mixed",
        "SYNTHETIC. Ex-partner waits outside the victim's work most evenings for six weeks and "
        "sends 40 messages a day; victim has changed her route. DASH done on day one.",
        {
            "INV-11": ("yes", "The ex-partner is named in the first call."),
            "FACT-01": ("yes", "Named at the report and arrested on day three."),
            "REC-03": ("yes", "Stalking recorded the day it was reported."),
            "RISK-01": ("yes", "DASH completed at first contact, scored high."),
            "INV-01": ("yes", "Plan lists CCTV at her work, phone download, two witnesses."),
            "SPO-01": ("yes", "An interim SPO is discussed with the duty inspector on day two."),
        },
    ),
    (
        "SYN-CAL-02", "Harassment (s2)", "2024-03-11T14:00", "2024-03-19T10:00",
        "Evidential difficulties - victim supports", "neighbour", "in person",
        "SYNTHETIC. Neighbour photographs the victim's visitors and leaves notes on her car "
        "over three months. Recorded a week late as harassment; no risk tool used.",
        {
            "INV-11": ("yes", "The neighbour is known by name and address."),
            "FACT-01": ("yes", "The neighbour is the named suspect throughout."),
            "REC-03": ("yes", "Recorded (as harassment), if late and arguably not stalking."),
            "RISK-01": ("no", "No DASH or other structured tool anywhere in the file."),
            "INV-01": ("partly", "Enquiries listed in the log, but no plan with owners or dates."),
            "SPO-01": ("no", "Fixated, repeated behaviour, and an SPO is never mentioned."),
        },
    ),
    (
        "SYN-CAL-03", "Malicious communications", "2024-04-02T20:45", "2024-04-03T08:15",
        "Investigation complete - no suspect identified", "online-only", "online",
        "SYNTHETIC. Anonymous accounts message the victim about her daily movements; each "
        "account is blocked and a new one appears. Platform data requested once.",
        {
            "INV-11": ("no", "The accounts are anonymous and never linked to a person."),
            "FACT-01": ("no", "Nobody identified by closure."),
            "REC-03": ("yes", "Recorded the next morning."),
            "RISK-01": ("partly", "DASH started but the stalking questions are left blank."),
            "INV-01": ("partly", "One platform request; no plan for the later accounts."),
            "SPO-01": ("na", "No identified suspect: an SPO could not be sought."),
        },
    ),
    (
        "SYN-CAL-04", "Stalking involving fear of violence or serious alarm or distress (s4A)",
        "2024-05-14T07:30", "2024-05-14T09:00", "Charged/summonsed", "ex-partner", "in person",
        "SYNTHETIC. Former partner breaks a non-molestation order, follows the victim to the "
        "school gate and threatens her new partner. Victim has moved house.",
        {
            "INV-11": ("yes", "Named by the victim at the first call."),
            "FACT-01": ("yes", "Arrested the same day."),
            "REC-03": ("yes", "Recorded as s4A within two hours."),
            "RISK-01": ("yes", "DASH high, referred to MARAC."),
            "INV-01": ("yes", "Plan with house-to-house, school CCTV and bail conditions."),
            "SPO-01": ("yes", "Full SPO applied for alongside the charge."),
        },
    ),
    (
        "SYN-CAL-05", "Harassment - fear of violence (s4)", "2024-06-03T16:20", "2024-06-21T12:00",
        "Evidential difficulties - victim does not support", "colleague", "phone",
        "SYNTHETIC. A colleague calls the victim repeatedly after she ends a friendship, once "
        "saying he knows where she parks. Victim withdraws after three weeks.",
        {
            "INV-11": ("yes", "The colleague is named."),
            "FACT-01": ("yes", "Named suspect, spoken to by phone only."),
            "REC-03": ("yes", "Recorded, but eighteen days after the report."),
            "RISK-01": ("partly", "A risk form was done, without the stalking screening."),
            "INV-01": ("no", "No lines of enquiry set before the victim withdrew."),
            "SPO-01": ("no", "Repeated, fixated calls; an SPO was not considered."),
        },
    ),
    (
        "SYN-CAL-06", "Breach of restraining order", "2024-07-08T22:10", "2024-07-08T23:40",
        "Caution", "family", "in person",
        "SYNTHETIC. An adult son turns up at his mother's house twice in a week against a "
        "restraining order; no earlier incidents this year.",
        {
            "INV-11": ("yes", "Her son, named."),
            "FACT-01": ("yes", "Named and arrested at the address."),
            "REC-03": ("yes", "The breach recorded that night."),
            "RISK-01": ("yes", "DASH completed, standard risk."),
            "INV-01": ("partly", "Straightforward breach: a short plan, no timescales."),
            "SPO-01": ("na", "A restraining order was already in force and being enforced."),
        },
    ),
    (
        "SYN-CAL-07", "Stalking (s2A)", "2024-08-19T11:00", "2024-08-19T11:45",
        "Under investigation", "stranger", "mixed",
        "SYNTHETIC. A man the victim met once at a gym messages her and is seen outside her "
        "flat three times; she gives his first name and a photo.",
        {
            "INV-11": ("yes", "A first name and a photo: identifiable at the report."),
            "FACT-01": ("no", "Not yet traced when the file was reviewed."),
            "REC-03": ("yes", "Stalking recorded at once."),
            "RISK-01": ("yes", "DASH with the stalking questions answered."),
            "INV-01": ("yes", "Plan: gym membership records, doorbell footage, photo circulation."),
            "SPO-01": ("na", "He is not identified yet, so no SPO can be sought."),
        },
    ),
    (
        "SYN-CAL-08", "Communications Act s127", "2024-09-02T13:30", "2024-09-02T15:00",
        "Community resolution", "acquaintance", "online",
        "SYNTHETIC. After one dispute, an acquaintance posts three offensive comments about "
        "the victim on social media over two days, then stops.",
        {
            "INV-11": ("yes", "The account is in the acquaintance's own name."),
            "FACT-01": ("yes", "Named and interviewed."),
            "REC-03": ("yes", "Recorded as s127 the same day."),
            "RISK-01": ("partly", "Risk noted as low in the log, no structured tool."),
            "INV-01": ("yes", "Screenshots secured, suspect interviewed: proportionate plan."),
            "SPO-01": ("no", "Not fixated or repeated past two days; the file should say so."),
        },
    ),
    (
        "SYN-CAL-09", "Controlling or coercive behaviour", "2024-10-15T10:05", "2024-10-22T09:00",
        "Named suspect, prosecution prevented", "partner", "in person",
        "SYNTHETIC. Partner tracks the victim's phone, checks her mileage and turns up at her "
        "friends' homes; recorded as coercive control, stalking not considered.",
        {
            "INV-11": ("yes", "Her partner, named."),
            "FACT-01": ("yes", "Named suspect throughout."),
            "REC-03": ("yes", "A crime was recorded, as coercive control."),
            "RISK-01": ("yes", "DASH high, MARAC referral made."),
            "INV-01": ("partly", "Phone download planned; the visits to friends never followed."),
            "SPO-01": ("no", "Tracking and turning up are stalking behaviours; no SPO considered."),
        },
    ),
    (
        "SYN-CAL-10", "Harassment (s2)", "2024-11-25T18:40", "2024-11-26T08:30",
        "Under investigation", "ex-partner", "phone",
        "SYNTHETIC. Ex-partner leaves voicemails every night for a month asking to meet; "
        "victim says she is frightened he will come to the house.",
        {
            "INV-11": ("yes", "Named at the report."),
            "FACT-01": ("yes", "Named and interviewed under caution."),
            "REC-03": ("yes", "Recorded the next morning."),
            "RISK-01": ("yes", "DASH with the stalking screening questions answered."),
            "INV-01": ("yes", "Plan: voicemail downloads, phone billing, interview."),
            "SPO-01": ("yes", "Considered and noted as under review with the CPS."),
        },
    ),
)  # fmt: skip

HEADER = (
    "case_ref,force,team,offence,reported_at,recorded_at,outcome,da_related,repeat_victim,"
    "officer,summary,relationship,channel"
)


def case_csv() -> bytes:
    """The synthetic cases as a case-pool CSV, as a force's export would give them."""
    out = io.StringIO()
    out.write(HEADER + "\n")
    w = csv.writer(out, lineterminator="\n")
    for i, (ref, offence, rep, rec, outcome, rel, channel, summary, _) in enumerate(CASES, 1):
        da = "yes" if rel in ("ex-partner", "partner", "family") else "no"
        w.writerow(
            [ref, SYNTHETIC_FORCE, "Calibration", offence, rep, rec, outcome, da, "no",
             f"PC SYN-{i:02d}", summary, rel, channel]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


def written_gold() -> dict[str, dict[str, tuple[str, str]]]:
    """Case reference -> question -> (the agreed answer, its reason)."""
    return {ref: gold for ref, *_, gold in CASES}
