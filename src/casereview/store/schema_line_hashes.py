"""The statements of migration step m021_bundle_line_hashes (store/migrations.py): for each
review, the SHA-256 of the bundle line (format 3, reviews.jsonl) whose merge this database
holds whole (it held the line as it is, or merged all of it), dropped by trigger the moment
the review, its answers, its events or its case's identity change. A step's SQL is frozen
once released, whatever the tables become.

So a line whose bytes hash to a review's recorded digest is, byte for byte, a line whose
merge would add nothing now: a bundle imported again is decided from its lines' hashes,
without parsing them (store.bundle_stream)."""

from __future__ import annotations

LINE_HASH_TABLES: tuple[str, ...] = (
    """
    CREATE TABLE review_line_hashes (
        review_id INTEGER PRIMARY KEY,
        sha256 BLOB NOT NULL
    )""",
    "CREATE INDEX review_line_hashes_sha256 ON review_line_hashes (sha256)",
    """
    CREATE TRIGGER review_line_hashes_review_update AFTER UPDATE ON reviews
    BEGIN
      DELETE FROM review_line_hashes WHERE review_id IN (OLD.id, NEW.id);
    END""",
    """
    CREATE TRIGGER review_line_hashes_review_delete AFTER DELETE ON reviews
    BEGIN
      DELETE FROM review_line_hashes WHERE review_id = OLD.id;
    END""",
    """
    CREATE TRIGGER review_line_hashes_answer_insert AFTER INSERT ON answers
    BEGIN
      DELETE FROM review_line_hashes WHERE review_id = NEW.review_id;
    END""",
    """
    CREATE TRIGGER review_line_hashes_answer_update AFTER UPDATE ON answers
    BEGIN
      DELETE FROM review_line_hashes WHERE review_id IN (OLD.review_id, NEW.review_id);
    END""",
    """
    CREATE TRIGGER review_line_hashes_answer_delete AFTER DELETE ON answers
    BEGIN
      DELETE FROM review_line_hashes WHERE review_id = OLD.review_id;
    END""",
    # events are append-only (a trigger refuses their update and delete): a new one is all
    """
    CREATE TRIGGER review_line_hashes_event_insert AFTER INSERT ON events
    WHEN NEW.review_id IS NOT NULL
    BEGIN
      DELETE FROM review_line_hashes WHERE review_id = NEW.review_id;
    END""",
    """
    CREATE TRIGGER review_line_hashes_case_update AFTER UPDATE OF force, case_ref ON cases
    BEGIN
      DELETE FROM review_line_hashes
        WHERE review_id IN (SELECT id FROM reviews WHERE case_id IN (OLD.id, NEW.id));
    END""",
)

# Step m022_line_hash_fingerprints: the triggers on every answer and event inserted cost a
# bulk import a third of its writes (one trigger program a row, 2.9 million rows for a
# national audit), so each digest keeps instead the review's fingerprint when recorded: the
# id of its last event (events are append-only, and a new one always takes a higher id) and
# its number of answers. A digest counts only while both still hold (bundle_export.
# held_digests); an answer changed or deleted, the review or its case's identity changed,
# still drop it by trigger, as before. Digests recorded before have no fingerprint and go.
LINE_HASH_FINGERPRINTS: tuple[str, ...] = (
    "DROP TRIGGER review_line_hashes_answer_insert",
    "DROP TRIGGER review_line_hashes_event_insert",
    "DELETE FROM review_line_hashes",
    "ALTER TABLE review_line_hashes ADD COLUMN last_event INTEGER",
    "ALTER TABLE review_line_hashes ADD COLUMN answers INTEGER",
)
