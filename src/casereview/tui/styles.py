"""Where the app's styles are, and when each is parsed.

Textual parses an app's whole stylesheet as it starts, and its parser is slow: casereview's
ten kilobytes of rules were 14 ms of every start (issue 32), for screens most sessions open
late or never. So the stylesheet is in two files:

- casereview.tcss, the app's own CSS_PATH: the audits screen (the first screen) and what
  every screen shares, parsed at every start;
- screens.tcss, every other screen's and dialog's rules: the CSS_PATH of the screen and
  dialog base classes (StoreScreen, Dialog), which Textual reads the first time one of them
  opens, once a session, and parses with the rest then (about 25 ms, once).

Both are the app's own CSS, of the same rank: a rule reads the same from either file.
"""

from __future__ import annotations

from pathlib import Path

SCREENS_CSS = Path(__file__).with_name("screens.tcss")
"""Every screen's and dialog's rules but the audits screen's (an absolute path: Textual reads
a relative CSS_PATH next to each subclass's own module)."""
