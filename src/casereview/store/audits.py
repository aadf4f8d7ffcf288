"""Audits, their samples and who reviews what."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from casereview.core.fields import Role
from casereview.core.periods import Period, from_scope, stored
from casereview.core.rules import (
    second_review_refusal,
)
from casereview.core.text import closest_first, fold_name, hidden_character, resembles, visible
from casereview.store.errors import (
    StoreError,
)
from casereview.store.records import (
    AuditCase,
    AuditInfo,
    QueueEntry,
    _case,
    now,
)

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
from casereview.store.force_settings import ForceSettingsStore
from casereview.store.shipped import content_hash

# What the palette shows of a sampled case, and the joins that find it.
_SAMPLED_CASE = "SELECT a.id, a.name, c.id, c.case_ref, c.offence, r.status"
_SAMPLED_JOINS = (
    " JOIN audits a ON a.id = ac.audit_id"
    " LEFT JOIN reviews r ON r.audit_id = ac.audit_id"
    " AND r.case_id = ac.case_id AND r.role = 'primary'"
)


class AuditStore(ForceSettingsStore):
    """Audits, their sampled cases, assignment and second reviewers."""

    # ------------------------------------------------------------------ audits

    def create_audit(
        self,
        name: str,
        checklist_pk: int,
        case_ids: Sequence[int],
        created_by: str,
        seed: int | None = None,
        scope: Mapping[str, Any] | None = None,
        strata: Mapping[int, str] | None = None,
        assignments: Mapping[int, str] | None = None,
        period: Period | None = None,
        force_settings: str | None = None,
    ) -> AuditInfo:
        """Record an audit and its sample (in sample order) in one transaction; its period
        is `period`, else its report-date scope's (else none: never the day it is made).
        `force_settings` is the text of a force settings file (checked by the caller), kept
        with its hash: the limits the audit's questions show."""
        period = period or from_scope(dict(scope or {}))
        self.check_audit_name(name)
        if not case_ids:
            raise StoreError("an audit needs at least one case")
        info = self._checklist_info(
            next(self.db.query("SELECT * FROM checklists WHERE id = ?", [checklist_pk]))
        )
        with self._write():
            if list(self.db.query("SELECT 1 FROM audits WHERE name = ?", [name])):
                raise StoreError(f"an audit named '{name}' already exists")
            cursor = self.db.execute(
                "INSERT INTO audits (name, checklist_pk, checklist_hash, seed, scope, created_by,"
                " created_at, period_start, period_end, force_settings, force_settings_hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    name,
                    checklist_pk,
                    info.content_hash,
                    seed,
                    json.dumps(dict(scope or {}), sort_keys=True),
                    created_by,
                    now(),
                    period.start if period else None,
                    period.end if period else None,
                    force_settings,
                    content_hash(force_settings) if force_settings is not None else None,
                ],
            )
            audit_id = cursor.lastrowid
            self.db.conn.executemany(
                "INSERT INTO audit_cases (audit_id, case_id, position, stratum, assigned_to)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (audit_id, cid, i, (strata or {}).get(cid), (assignments or {}).get(cid))
                    for i, cid in enumerate(case_ids)
                ],
            )
            self._event(
                None,
                None,
                "audit_created",
                None,
                name,
                f"{len(case_ids)} cases, seed {seed}",
                created_by,
                audit_id,
            )
        return self.audit_named(name)

    @staticmethod
    def check_audit_name(name: str) -> None:
        """Refused (StoreError) unless `name` can name an audit: not blank, and nothing in it
        that cannot be seen or that a terminal acts on, a line feed, an escape sequence, a
        zero-width space or a bidi override (text.hidden_character, the rule `cases import`
        holds for references). Every audit this database makes is named through here."""
        if not name.strip():
            raise StoreError("an audit needs a name")
        if (problem := hidden_character("the audit name", name)) is not None:
            raise StoreError(problem)

    def _audit_query(self) -> str:
        return """
            SELECT a.*, c.checklist_id || '@' || c.version AS checklist_label,
              (SELECT count(*) FROM audit_cases ac WHERE ac.audit_id = a.id) AS n_cases,
              (SELECT count(*) FROM reviews r WHERE r.audit_id = a.id AND r.role = 'primary'
                 AND r.status = 'complete') AS n_complete,
              (SELECT count(*) FROM reviews r WHERE r.audit_id = a.id AND r.role = 'primary'
                 AND r.status = 'in_progress') AS n_in_progress
            FROM audits a JOIN checklists c ON c.id = a.checklist_pk
        """

    def _audit_info(self, row: sqlite3.Row) -> AuditInfo:
        return AuditInfo(
            id=row["id"],
            name=row["name"],
            checklist_pk=row["checklist_pk"],
            checklist_label=row["checklist_label"],
            seed=row["seed"],
            scope=json.loads(row["scope"] or "{}"),
            created_by=row["created_by"],
            created_at=row["created_at"],
            n_cases=row["n_cases"],
            n_complete=row["n_complete"],
            n_in_progress=row["n_in_progress"],
            period=stored(row["period_start"], row["period_end"]),
        )

    def audits(self) -> list[AuditInfo]:
        rows = self._rows(self._audit_query() + " ORDER BY a.created_at DESC, a.id DESC")
        return [self._audit_info(r) for r in rows]

    def audit(self, audit_id: int) -> AuditInfo:
        """The audit with this id, with its progress."""
        rows = self._rows(self._audit_query() + " WHERE a.id = ?", [audit_id])
        if not rows:
            raise StoreError(f"no audit with id {audit_id}")
        return self._audit_info(rows[0])

    def audit_named(self, name: str) -> AuditInfo:
        """The audit a person named (on the command line, in a file); the message lists
        the audits there are when there is none of that name."""
        rows = self._rows(self._audit_query() + " WHERE a.name = ?", [name])
        if rows:
            return self._audit_info(rows[0])
        # Typed with other capitals or spacing: the one audit it can mean, when only one.
        audits = self.audits()
        same = [a for a in audits if fold_name(a.name) == fold_name(name)]
        if len(same) == 1:
            return same[0]
        # one line, whatever an older database's names hold (a line feed written out)
        names = closest_first(name, [a.name for a in (same or audits)])
        known = ", ".join(visible(n) for n in names) or "none yet"
        close = [n for n in names if same or resembles(name, n)]
        hint = f"; did you mean '{visible(close[0])}'?" if close else ""
        raise StoreError(f"no audit named '{visible(name)}' (audits: {known}){hint}")

    def audit_checklist(self, audit_id: int) -> Checklist:
        # On the answer-saving path: one indexed lookup, not audit()'s progress counts.
        sql = "SELECT checklist_pk FROM audits WHERE id = ?"
        if (row := self.conn.execute(sql, [audit_id]).fetchone()) is None:
            raise StoreError(f"no audit with id {audit_id}")
        return self.checklist(int(row[0])).for_force(self.audit_force_settings(audit_id))

    def audit_case(self, audit_id: int, case_id: int) -> AuditCase:
        found = self.audit_cases(audit_id, case_id=case_id)
        if not found:
            raise StoreError("that case is not in this audit's sample")
        return found[0]

    # The sampled cases with their review states: one SELECT, filtered three ways below.
    _AUDIT_CASES = """
        SELECT ac.position, ac.stratum, ac.assigned_to, ac.second_reviewer, c.*,
               r.id AS review_id, r.reviewer, r.status,
               (SELECT count(*) FROM answers x WHERE x.review_id = r.id
                  AND x.value IS NOT NULL) AS n_answered,
               (SELECT status FROM reviews s WHERE s.audit_id = ac.audit_id
                  AND s.case_id = ac.case_id AND s.role = 'second') AS second_status,
               (SELECT status FROM reviews m WHERE m.audit_id = ac.audit_id
                  AND m.case_id = ac.case_id AND m.role = 'moderated') AS moderated_status
        FROM audit_cases ac
        JOIN cases c ON c.id = ac.case_id
        LEFT JOIN reviews r ON r.audit_id = ac.audit_id AND r.case_id = ac.case_id
             AND r.role = 'primary'
        WHERE ac.audit_id = ?
    """
    # "Your queue" on the cases screen: the primary reviews assigned to you and the blind
    # second reviews chosen for you (columns of index audit_cases_by_position, m009), and
    # the cases assigned to nobody, which are everyone's.
    _MINE = " AND (ac.assigned_to = ? OR ac.second_reviewer = ? OR ac.assigned_to IS NULL)"

    def _audit_case_rows(self, sql: str, params: Sequence[Any]) -> list[AuditCase]:
        return [
            AuditCase(
                case=_case(r),
                position=r["position"],
                stratum=r["stratum"],
                assigned_to=r["assigned_to"],
                second_reviewer=r["second_reviewer"],
                review_id=r["review_id"],
                reviewer=r["reviewer"],
                status=r["status"],
                n_answered=r["n_answered"] or 0,
                second_status=r["second_status"],
                moderated_status=r["moderated_status"],
            )
            for r in self._rows(sql, list(params))
        ]

    def audit_cases(
        self, audit_id: int, assigned_to: str | None = None, case_id: int | None = None
    ) -> list[AuditCase]:
        """The sample in order, with each case's primary review state (every row: the
        cases screen reads pages of it with audit_cases_page)."""
        sql = self._AUDIT_CASES
        params: list[Any] = [audit_id]
        if assigned_to is not None:
            sql += self._MINE
            params.extend([assigned_to, assigned_to])
        if case_id is not None:
            sql += " AND ac.case_id = ?"
            params.append(case_id)
        return self._audit_case_rows(sql + " ORDER BY ac.position", params)

    def audit_case_count(self, audit_id: int, assigned_to: str | None = None) -> int:
        """How many rows audit_cases would return (a count over the position index)."""
        sql = "SELECT count(*) FROM audit_cases ac WHERE ac.audit_id = ?"
        params: list[Any] = [audit_id]
        if assigned_to is not None:
            sql += self._MINE
            params.extend([assigned_to, assigned_to])
        return int(self.db.execute(sql, params).fetchone()[0])

    def audit_cases_page(
        self, audit_id: int, offset: int, limit: int, assigned_to: str | None = None
    ) -> list[AuditCase]:
        """Rows offset to offset + limit of audit_cases(audit_id, assigned_to), in sample
        order. The offset is counted on the position index alone (no join for the rows
        skipped), then the page is read from that position on: a page costs the same at
        the top and the bottom of a 25,000-case sample."""
        mine = self._MINE if assigned_to is not None else ""
        who = [assigned_to, assigned_to] if assigned_to is not None else []
        sql = (
            self._AUDIT_CASES
            + mine
            + " AND ac.position >= (SELECT ac.position FROM audit_cases ac WHERE ac.audit_id = ?"
            + mine
            + " ORDER BY ac.position LIMIT 1 OFFSET ?) ORDER BY ac.position LIMIT ?"
        )
        params = [audit_id, *who, audit_id, *who, max(0, int(offset)), max(0, int(limit))]
        return self._audit_case_rows(sql, params)

    def audit_case_index(
        self, audit_id: int, case_id: int, assigned_to: str | None = None
    ) -> int | None:
        """Where the case is in audit_cases(audit_id, assigned_to) (0 first); None when it
        is not there."""
        mine = self._MINE if assigned_to is not None else ""
        who = [assigned_to, assigned_to] if assigned_to is not None else []
        row = self.conn.execute(
            "SELECT ac.position FROM audit_cases ac WHERE ac.audit_id = ? AND ac.case_id = ?"
            + mine,
            [audit_id, case_id, *who],
        ).fetchone()
        if row is None:
            return None
        before = self.conn.execute(
            "SELECT count(*) FROM audit_cases ac WHERE ac.audit_id = ? AND ac.position < ?" + mine,
            [audit_id, row[0], *who],
        ).fetchone()[0]
        return int(before)

    def queue_candidates(self, audit_id: int, reviewer: str) -> list[QueueEntry]:
        """The sampled cases rules.next_in_queue may choose for `reviewer`, in sample order:
        those naming them (assigned, chosen second reviewer, or the primary's reviewer)
        with a primary or second review not complete. A superset, read cheaply (no case
        columns, no answer counts): the rule itself, which of these is theirs and open,
        stays in rules.py. A finished national audit has next to none."""
        rows = self.conn.execute(
            """
            SELECT * FROM (
              SELECT ac.case_id, ac.position, ac.assigned_to, ac.second_reviewer,
                     r.reviewer, r.status,
                     (SELECT status FROM reviews s WHERE s.audit_id = ac.audit_id
                        AND s.case_id = ac.case_id AND s.role = 'second') AS second_status
              FROM audit_cases ac
              LEFT JOIN reviews r ON r.audit_id = ac.audit_id AND r.case_id = ac.case_id
                   AND r.role = 'primary'
              WHERE ac.audit_id = ?
                AND (ac.assigned_to = ? OR ac.second_reviewer = ? OR r.reviewer = ?)
            )
            WHERE status IS NOT 'complete'
               OR (second_reviewer IS NOT NULL AND second_status IS NOT 'complete')
            ORDER BY position
            """,
            [audit_id, reviewer, reviewer, reviewer],
        )
        return [QueueEntry(*row) for row in rows]

    def reviewer_progress(
        self, audit_id: int, role: Role = "primary"
    ) -> list[tuple[str, int, int, int]]:
        """Per reviewer: (name, cases assigned, reviews complete, in progress), for primary
        reviews or (role="second") blind second reviews."""
        assigned = "assigned_to" if role == "primary" else "second_reviewer"
        rows = self.conn.execute(self._progress_query(assigned), [audit_id, audit_id, role])
        return [(who, int(a), int(d), int(o)) for who, a, d, o in rows]

    @staticmethod
    def _progress_query(assigned: str) -> str:
        """reviewer_progress's SQL; `assigned` is the column naming whose cases they are."""
        return f"""
            SELECT who, sum(assigned), sum(done), sum(open) FROM (
              SELECT {assigned} AS who, count(*) AS assigned, 0 AS done, 0 AS open
                FROM audit_cases WHERE audit_id = ? AND {assigned} IS NOT NULL
                GROUP BY {assigned}
              UNION ALL
              SELECT reviewer, 0, count(*) * (status = 'complete'),
                     count(*) * (status = 'in_progress')
                FROM reviews WHERE audit_id = ? AND role = ?
                GROUP BY status, reviewer  -- index order (m011): no sort of 25,000 rows
            ) GROUP BY who ORDER BY who
        """

    def blind_pairs_open(self, audit_id: int, reviewer: str) -> int:
        """Cases of this audit where `reviewer` is the blind second reviewer and the pair is
        not finished (either review still open): until then they must not see the primary's
        answers anywhere, findings, exports and bundles included."""
        return len(self.blind_cases(audit_id, reviewer))

    def blind_cases(self, audit_id: int, reviewer: str) -> set[int]:
        """The case ids blind_pairs_open counts."""
        rows = self.conn.execute(
            """
            SELECT ac.case_id FROM audit_cases ac
            WHERE ac.audit_id = ? AND ac.second_reviewer = ? AND (
              SELECT count(*) FROM reviews r  -- one review per role: UNIQUE(audit, case, role)
              WHERE r.audit_id = ac.audit_id AND r.case_id = ac.case_id
                AND r.role IN ('primary', 'second') AND r.status = 'complete') < 2
            """,
            [audit_id, reviewer],
        )
        return {int(case_id) for (case_id,) in rows}

    def assign(self, audit_id: int, case_id: int, reviewer: str | None, actor: str) -> None:
        """Assign one sampled case to a reviewer by hand (None: unassigned).

        Not to the case's second reviewer: a blind second review by the person who did the
        primary is no second opinion (the rule `assign_second` applies the other way round).
        """
        with self._write():
            people = self._people(audit_id, case_id)
            if people is None:
                raise StoreError("that case is not in this audit's sample")
            _assigned, chosen, _primary, second = people
            if reviewer is not None and reviewer in (chosen, second):
                raise StoreError(
                    f"{reviewer} is this case's blind second reviewer; its primary review "
                    "must be by someone else"
                )
            cursor = self.db.execute(
                "UPDATE audit_cases SET assigned_to = ? WHERE audit_id = ? AND case_id = ?",
                [reviewer, audit_id, case_id],
            )
            if cursor.rowcount != 1:
                raise StoreError("that case is not in this audit's sample")
            ref = self.case(case_id).case_ref
            self._event(None, None, "assigned", None, reviewer, f"case {ref}", actor, audit_id)

    def assign_second(
        self,
        audit_id: int,
        case_ids: Sequence[int],
        reviewer: str,
        actor: str,
        note: str | None = None,
    ) -> None:
        """Select cases for a blind second review by `reviewer`.

        A case keeps the second reviewer it was given: handing it to another would give them
        a review someone else started, or a second opinion that is not independent.
        """
        with self._write():
            for case_id in case_ids:
                people = self._people(audit_id, case_id)
                if people is None:
                    raise StoreError(f"case {case_id} is not in this audit")
                assigned, chosen, primary, second = people
                ref = self.case(case_id).case_ref  # as the reviewer knows it, not its row id
                if (chosen or second) not in (None, reviewer):
                    raise StoreError(
                        f"case {ref} already has a second reviewer ({chosen or second}); "
                        "it keeps them"
                    )
                if refusal := second_review_refusal(reviewer, assigned, primary):
                    raise StoreError(f"case {ref}: {refusal}")
                self.db.execute(
                    "UPDATE audit_cases SET second_reviewer = ? WHERE audit_id = ? AND case_id = ?",
                    [reviewer, audit_id, case_id],
                )
            refs = ", ".join(self.case(case_id).case_ref for case_id in case_ids)
            self._event(
                None,
                None,
                "second_assigned",
                None,
                reviewer,
                f"{len(case_ids)} cases{f' ({note})' if note else ''}: {refs}",
                actor,
                audit_id,
            )

    def find_sampled_cases(
        self, query: str, limit: int = 20
    ) -> list[tuple[int, str, int, str, str | None, str | None]]:
        """Sampled cases for the palette, in every audit: (audit id, audit name, case id,
        case_ref, offence, primary review status), at most `limit`.

        First those whose reference starts with `query` (as typed, or in capitals), by
        reference then audit, through the index on the reference. Then, while fewer than
        `limit`, those with `query` elsewhere in the reference (3 characters or more: `01234`
        finds NM/24/01234), through the trigram index of sampled references (m010), in the
        index's order and sorted after; not on an SQLite without trigram FTS5, which has
        no such index. Neither reads more than `limit` matches, so the palette asks this on
        every keystroke whatever the audits' size."""
        found: list[tuple[int, str, int, str, str | None, str | None]] = []
        for prefix in sorted({query, query.upper()}):
            # one range per form, read in the index's order and cut short by the limit
            found.extend(
                tuple(r)  # type: ignore[misc]
                for r in self.db.execute(
                    _SAMPLED_CASE
                    + " FROM cases c JOIN audit_cases ac ON ac.case_id = c.id"
                    + _SAMPLED_JOINS
                    + " WHERE c.case_ref >= ? AND c.case_ref < ? ORDER BY c.case_ref LIMIT ?",
                    [prefix, prefix + "\U0010ffff", int(limit)],
                )
            )
        hits = sorted(set(found), key=lambda r: (r[3], r[1], r[0]))[:limit]
        if len(hits) < limit and len(query) >= 3 and self.middle_match:
            # A phrase of the trigram tokenizer: the characters in a row, any case.
            phrase = '"' + query.replace('"', '""') + '"'
            more = {
                tuple(r)
                for r in self.db.execute(
                    _SAMPLED_CASE
                    + " FROM sampled_refs s JOIN cases c ON c.id = s.rowid"
                    + " JOIN audit_cases ac ON ac.case_id = c.id"
                    + _SAMPLED_JOINS
                    + " WHERE sampled_refs MATCH ? LIMIT ?",
                    [phrase, int(limit) + len(hits)],
                )
            } - set(hits)
            hits += sorted(more, key=lambda r: (r[3], r[1], r[0]))[: limit - len(hits)]  # type: ignore[arg-type, index]
        return hits

    def audits_of_case(self, case_id: int) -> list[str]:
        rows = self.db.query(
            "SELECT a.name FROM audit_cases ac JOIN audits a ON a.id = ac.audit_id"
            " WHERE ac.case_id = ? ORDER BY a.name",
            [case_id],
        )
        return [r["name"] for r in rows]

    def _people(
        self, audit_id: int, case_id: int
    ) -> tuple[str | None, str | None, str | None, str | None] | None:
        """Who a sampled case belongs to: (assigned to, chosen second reviewer, primary
        reviewer, second review's reviewer); None when the case is not in the sample."""
        row = self.conn.execute(
            "SELECT ac.assigned_to, ac.second_reviewer,"
            " (SELECT reviewer FROM reviews r WHERE r.audit_id = ac.audit_id"
            "  AND r.case_id = ac.case_id AND r.role = 'primary'),"
            " (SELECT reviewer FROM reviews r WHERE r.audit_id = ac.audit_id"
            "  AND r.case_id = ac.case_id AND r.role = 'second')"
            " FROM audit_cases ac WHERE ac.audit_id = ? AND ac.case_id = ?",
            [audit_id, case_id],
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])
