"""Generate the synthetic sample case pool: fictional forces, made-up refs, no names; seeded."""

from __future__ import annotations

import argparse
import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

COLUMNS = (
    "case_ref",
    "force",
    "team",
    "offence",
    "reported_at",
    "recorded_at",
    "outcome",
    "da_related",
    "repeat_victim",
    "officer",
    "summary",
    "relationship",
    "channel",
)
FORCES = {
    "Northmoor Police": ("NM", ["Response North", "CID", "Safeguarding Hub", "Neighbourhood East"]),
    "Riverside Constabulary": ("RC", ["Response South", "CID", "Public Protection Unit"]),
    "Eastvale Police": ("EV", ["Response", "Harm Reduction Team", "CID", "Neighbourhood West"]),
}
# Recorded classifications, weighted so that a review finds misrecording (harassment and
# malicious communications where the behaviour is stalking), as the super-complaint describes.
OFFENCES = [
    ("Stalking (s2A)", 18),
    ("Stalking involving fear of violence or serious alarm or distress (s4A)", 12),
    ("Harassment (s2)", 22),
    ("Harassment - fear of violence (s4)", 8),
    ("Malicious communications", 14),
    ("Communications Act s127", 6),
    ("Controlling or coercive behaviour", 10),
    ("Breach of restraining order", 6),
    ("Breach of Stalking Protection Order", 4),
]
OUTCOMES = [
    ("Charged/summonsed", 14),
    ("Caution", 4),
    ("Community resolution", 3),
    ("Evidential difficulties - victim does not support", 30),
    ("Evidential difficulties - victim supports", 20),
    ("Investigation complete - no suspect identified", 6),
    ("Named suspect, prosecution prevented", 5),
    ("Under investigation", 18),
]
DA_RELATIONSHIPS = ["ex-partner", "ex-partner", "ex-partner", "partner", "family"]
OTHER_RELATIONSHIPS = ["acquaintance", "neighbour", "colleague", "stranger", "online-only"]
RANKS = ["PC", "PC", "DC", "DS"]
CHANNELS = ["in person", "phone", "online", "mixed"]
BEHAVIOURS = [
    "Repeated unwanted messages and calls",
    "Turning up at the victim's home and workplace",
    "Loitering near the victim's home most evenings",
    "Unwanted gifts left at the door",
    "Monitoring the victim's social media and contacting friends",
    "Threats sent by text and voicemail",
    "Creating accounts to message the victim after being blocked",
    "Following the victim's car",
    "Tracking device found on the victim's vehicle",
    "Contacting the victim's employer with false allegations",
]
CONTEXTS = [
    "after the relationship ended",
    "over several months",
    "despite being asked to stop",
    "while on bail with conditions not to contact",
    "since a dispute began",
]
IMPACTS = [
    "victim reports fear of violence.",
    "victim has changed her route to work.",
    "victim is very frightened and has stopped going out alone.",
    'victim describes it as "constant, every day".',
    "victim reports serious alarm and distress, and has moved out.",
    "victim is unsure whether to support a prosecution.",
]
START = datetime(2024, 1, 1)
DAYS = 366


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _summary(rng: random.Random) -> str:
    text = f"{rng.choice(BEHAVIOURS)} {rng.choice(CONTEXTS)}, {rng.choice(IMPACTS)}"
    roll = rng.random()
    if roll < 0.01:
        return "- " + text  # exercises spreadsheet formula neutralisation downstream
    if roll < 0.02:
        return "=" + text
    return text


def generate(seed: int = 2024, per_force: int = 120) -> list[dict[str, str]]:
    """The pool: per_force cases in each fictional force, reproducible from the seed."""
    rng = random.Random(seed)
    rows = []
    for force, (prefix, teams) in FORCES.items():
        numbers = rng.sample(range(100, 9999), per_force)
        for number in sorted(numbers):
            reported = START + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
            roll = rng.random()
            if roll < 0.05:
                delay = timedelta(minutes=rng.randrange(5, 60))  # same hour
            elif roll < 0.82:
                delay = timedelta(minutes=rng.randrange(60, 24 * 60))  # within 24 hours
            else:
                delay = timedelta(days=rng.randrange(2, 40), minutes=rng.randrange(1440))  # late
            da = rng.random() < 0.6
            reported_text = (
                reported.strftime("%d/%m/%Y %H:%M")
                if rng.random() < 0.1
                else reported.strftime("%Y-%m-%dT%H:%M")
            )
            rows.append(
                {
                    "case_ref": f"{prefix}/24/{number:05d}",
                    "force": force,
                    "team": rng.choice(teams),
                    "offence": _pick(rng, OFFENCES),
                    "reported_at": reported_text,
                    "recorded_at": (reported + delay).strftime("%Y-%m-%dT%H:%M"),
                    "outcome": _pick(rng, OUTCOMES),
                    "da_related": "yes" if da else "no",
                    "repeat_victim": "yes" if rng.random() < 0.35 else "no",
                    "officer": f"{rng.choice(RANKS)} {rng.randrange(1000, 9999)}",
                    "summary": _summary(rng),
                    "relationship": rng.choice(DA_RELATIONSHIPS if da else OTHER_RELATIONSHIPS),
                    "channel": rng.choice(CHANNELS),
                }
            )
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--per-force", type=int, default=120)
    parser.add_argument(
        "--out", type=Path, default=Path("src/casereview/sample_cases/sample_cases.csv")
    )
    args = parser.parse_args()
    rows = generate(args.seed, args.per_force)
    write_csv(rows, args.out)
    print(f"wrote {len(rows)} cases to {args.out}")


if __name__ == "__main__":
    main()
