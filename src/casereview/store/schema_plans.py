"""The statements of migration step m019_action_plans (store/migrations.py), kept apart as
schema_m014 keeps m014's: a step's SQL is frozen once released, whatever the tables become."""

from __future__ import annotations

PLAN_TABLES: tuple[str, ...] = (
    """
    CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        force TEXT NOT NULL UNIQUE,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """
    CREATE TABLE plan_recommendations (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        plan_id INTEGER NOT NULL REFERENCES plans(id),
        ref TEXT NOT NULL,
        text TEXT NOT NULL,
        tag TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL,
        UNIQUE (plan_id, ref)
    )""",
    """
    CREATE TABLE plan_actions (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        recommendation_id INTEGER NOT NULL REFERENCES plan_recommendations(id),
        ref TEXT NOT NULL,
        text TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        due TEXT,
        status TEXT NOT NULL
            CHECK (status IN ('planned', 'in_progress', 'done', 'dropped')),
        reason TEXT NOT NULL DEFAULT '',
        questions TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (recommendation_id, ref)
    )""",
    # A plan's trail: events about a plan name it, and the item (R1, R1.2) they are about.
    "ALTER TABLE events ADD COLUMN plan_id INTEGER REFERENCES plans(id)",
    "ALTER TABLE events ADD COLUMN plan_item TEXT",
    "CREATE INDEX events_by_plan ON events (plan_id)",
)
