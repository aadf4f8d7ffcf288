"""Help: the keys, and what each answer means."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from casereview.tui.dialogs.modals import Dialog

HELP = """\
# casereview keys

| where | key | does |
|---|---|---|
| everywhere | `?` / `F1` | this help |
| everywhere | `ctrl+p` | palette: jump to a case, open an audit, any key not on the key bar |
| everywhere | `ctrl+q` | quit (every answer is already saved) |
| audits, cases | `Enter` | open |
| cases | `m` | only the cases assigned to you |
| review | `y` `p` `n` `a` `u` | answer Yes, Partly, No, N/A, Unknown, and move on |
| review | `up` `down` / `j` `k` | move between questions |
| review | `shift+down` `shift+up` | scroll the guidance |
| review | `e` | write a note on the question |
| review | `Delete` | clear the answer |
| review | `c` | complete the review (refused while a shown question is unanswered) |
| review | `R` | reopen a completed review (asks for a reason) |
| review | `g` | to the next unanswered question |
| review | `s` / `S` | to the next / previous section |
| review | `i` | the case file over the whole side pane, and back (`shift+up/down` scroll it) |
| review | `N` | after completing: the next unfinished case in your queue (says when it is done) |
| review | `h` | the history of the current question: every change, who, when, why |
| cases | `a` | assign the highlighted case's primary review to a reviewer |
| cases | `s` | a blind second review: who, for the highlighted case or a seeded share (20%) |
| cases | `o` | moderate a double-reviewed case (both reviews complete) |
| moderation | `1` / `2` | agree the primary's / the second's answer (asks for a reason) |
| moderation | `y` `p` `n` `a` `u` | agree another answer (asks for a reason) |
| moderation | `d` | show all questions or only the disagreements |
| moderation | `c` | complete the moderated review: findings then count it |
| findings | `Enter` `v` `g` `x` | drill into a section, change view, group, export |
| findings | `l` | cases answering No, Partly or Unknown to the row; `Enter` opens one |
| findings | `w` | the findings report, Word or Markdown (served: a browser download) |
| findings | `f` | the funnel: the highlighted figure across forces, teams or reviewers |
| findings | `d` | LQAS: meets / does not meet / not enough files per unit, from a plan you pick |
| findings | `a` | draft an action in the force's plan from the highlighted question |
| audits | `p` | set or change the highlighted audit's period (trends order audits by it) |
| audits | `t` | trends: the highlighted audit's checklist across its audits, oldest first |
| audits | `k` | calibrations: each reviewer against the gold, the questions that split them |
| audits | `u` | an admin's accounts: `a` add, `d` remove, `p` reset a password |
| everywhere | `ctrl+p` | Change my password: the current one, then the new one twice |
| audits | `a` | the action plan of the highlighted audit's force: overdue, unproven, no action |
| action plan | `s` `o` `d` | the highlighted action's status, owner, due date (each in the trail) |
| action plan | `F` | the next force's plan |
| calibration | `v` | per reviewer or per question, with the answers and notes below |
| calibration | `n` | set one up: name, checklist, cases, reviewers (you are its moderator) |
| calibration | `Enter` | your reviews of its cases: gold (moderator) or blind; `c` records one |
| trends | `Enter` `Escape` | a section's questions; back to the sections |
| trends | `a` | choose the audits shown (space ticks, Enter shows them) |
| trends | `x` | the trend report of the audits shown, Word or Markdown |
| trends | `c` | the control chart (p-chart) of the highlighted figure, its signals named |
| review | `Escape` | back to the cases |

## Answers

- **Yes**: the file shows the standard was met. **Partly**: met in part (scores half).
- **No**: not met, *or not recorded*: what the file does not record counts as No.
- **N/A**: the question does not apply to this case (left out of scores).
- **Unknown**: only for a part of the file you could not see (a restricted or missing
  document); left out, and counted separately.

Fact questions (marked *fact* in the findings' Context block) record something about the
case, such as whether the victim withdrew support; they open other questions and are
reported as how often the fact holds, never as compliance.

Questions that stop applying because of an earlier answer disappear, and any answer
they had is cleared and logged. Every answer is committed to the database before the
screen says *Saved*.
"""


class HelpScreen(Dialog[None]):
    """Keys and answer meanings; any of escape, q, ? closes it."""

    FIELD = "#help"
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Markdown(HELP)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss()
