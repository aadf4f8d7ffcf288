"""The served app's own pages: the sign-in form and the page that runs textual-serve's
terminal (no fonts or scripts fetched from elsewhere). Every value in them is escaped."""

from __future__ import annotations

import html


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{margin:0;background:#0c181f;color:#eee;font:16px system-ui,sans-serif}"
        "main{max-width:22rem;margin:12vh auto;padding:2rem;background:#12232d}"
        "h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}"
        "input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}"
        "button{margin-top:1.2rem;padding:.6rem 1.4rem;font-size:1rem}"
        ".message{color:#ff9e9e;margin:.8rem 0 0}"
        "</style></head><body>" + body + "</body></html>"
    )


def signin_page(message: str = "") -> str:
    note = f"<p class='message' role='alert'>{html.escape(message)}</p>" if message else ""
    return _page(
        "Sign in - casereview",
        "<main><h1>casereview: sign in</h1>"
        "<form method='post' action='/signin'>"
        "<label for='name'>Name</label>"
        "<input id='name' name='name' autocomplete='username' required autofocus>"
        "<label for='password'>Password</label>"
        "<input id='password' name='password' type='password' "
        "autocomplete='current-password' required>"
        f"{note}<button type='submit'>Sign in</button></form></main>",
    )


def busy_page(message: str) -> str:
    """The page a browser gets instead of the app when the server holds no more sessions."""
    return _page(
        "Busy - casereview",
        "<main><h1>casereview: no room just now</h1>"
        f"<p class='message' role='alert'>{html.escape(message)}</p>"
        "<p><a href='/'>Try again</a></p></main>",
    )


def app_page(websocket_url: str, static_url: str, font_size: int) -> str:
    """The page that runs textual-serve's terminal (its textual.js and xterm.css)."""
    static = html.escape(static_url)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>casereview</title>"
        f"<link rel='stylesheet' href='{static}css/xterm.css'>"
        f"<script src='{static}js/textual.js'></script><style>"
        "html,body{margin:0;height:100%;background:#0c181f;overflow:hidden}"
        ".textual-terminal{width:100vw;height:100vh}"
        ".ended{display:none;position:absolute;inset:0;z-index:10;align-items:center;"
        "justify-content:center;color:#eee;font:18px system-ui,sans-serif;background:#0c181f}"
        "body.-closed .ended{display:flex}.ended a{color:#ac5af4;margin-left:.5em}"
        # sign-out, at the top right over the title line's empty end (issue 30)
        ".signout{position:fixed;top:0;right:0;z-index:20;margin:0}"
        ".signout button{font:12px system-ui,sans-serif;padding:1px 8px;cursor:pointer}"
        "</style></head><body>"
        "<div class='ended'>Session ended.<a href='/'>Open again</a></div>"
        "<form class='signout' method='post' action='/signout'>"
        "<button id='signout' type='submit'>Sign out</button></form>"
        "<button id='start' hidden>Start</button>"
        f"<div id='terminal' class='textual-terminal' "
        f"data-session-websocket-url='{html.escape(websocket_url)}' "
        f"data-font-size='{font_size}'></div></body></html>"
    )
