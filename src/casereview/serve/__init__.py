"""`casereview serve`: the app in reviewers' browsers through textual-serve, behind sign-in.

The server side (auth, server) is headless: it never imports Textual. Each browser session
runs `python -m casereview.cli.served_session` as its own process (started without a shell), which
opens the app with the signed-in name as its reviewer.
"""
