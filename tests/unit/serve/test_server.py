"""`casereview serve`: sign-in in front of every route, sessions that review under the
signed-in name, downloads, refusals, and a clean stop."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.serve import accounts, auth
from casereview.serve.server import CaseReviewServer, is_loopback
from casereview.store import Store
from tests.factories import seed_store
from tests.served import PASSWORD, Clock, Session, app_processes, basic, client_for


def events(db: Path, *kinds: str) -> list[tuple[str, str, str | None]]:
    return [(e.kind, e.actor, e.reason) for e in Store.open(db).events() if e.kind in kinds]


async def test_nothing_is_served_without_credentials(served: Any) -> None:
    server, client = served
    page = await client.get("/", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/signin"
    for path in ("/ws", "/static/js/textual.js", "/download/abc"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert "textual" not in await response.text()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws")
    assert refused.value.status == 401
    assert server.app_services == set()


async def test_wrong_credentials_get_401_and_nothing_else(served: Any, db: Path) -> None:
    server, client = served
    for headers in (basic("ana", "wrong password"), basic("nobody"), basic("bob", "")):
        response = await client.get("/", headers=headers, allow_redirects=False)
        assert response.status == 401
        assert await response.text() == "401: sign in first"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers=headers)
        assert refused.value.status == 401
    form = await client.post("/signin", data={"name": "ana", "password": "nope nope"})
    assert form.status == 401 and "Wrong name or password." in await form.text()
    assert "Set-Cookie" not in form.headers
    assert server.app_services == set()
    good = await client.get("/", headers=basic("ana"))
    assert good.status == 200 and "textual-terminal" in await good.text()
    assert good.headers["X-Frame-Options"] == "DENY"
    # each check is in the trail (Basic, once checked, is remembered), the wrong ones with
    # why: the first of a name and client at once, the rest counted and written when their
    # minute is over or, as here, the server stops
    await client.close()
    trail = events(db, "sign_in", "sign_in_failed", "sign_in_failures")
    assert [(kind, actor) for kind, actor, _ in trail] == [
        ("sign_in_failed", "ana"),
        ("sign_in_failed", "nobody"),
        ("sign_in_failed", "bob"),
        ("sign_in", "ana"),
        ("sign_in_failures", "ana"),
        ("sign_in_failures", "nobody"),
        ("sign_in_failures", "bob"),
    ]
    assert "wrong name or password from 127.0.0.1" == trail[0][2]
    assert [str(reason).split()[:2] for _, _, reason in trail[4:]] == [["2", "more"]] + [
        ["1", "more"]
    ] * 2


async def test_the_sign_in_cookie_is_httponly_strict_and_expires(served: Any, clock: Clock) -> None:
    _server, client = served
    signin = await client.get("/signin")
    assert signin.status == 200 and "type='password'" in await signin.text()
    response = await client.post(
        "/signin", data={"name": "ana", "password": PASSWORD}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert f"Max-Age={auth.SESSION_SECONDS}" in cookie and "Secure" not in cookie
    page = await client.get("/", allow_redirects=False)  # the cookie jar sends it
    assert page.status == 200 and "textual-terminal" in await page.text()
    clock.now += auth.SESSION_SECONDS + 1  # the server forgets it too, whatever the browser
    expired = await client.get("/", allow_redirects=False)
    assert expired.status == 303 and expired.headers["Location"] == "/signin"


async def test_the_cookie_is_secure_under_tls(db: Path) -> None:
    server = CaseReviewServer(db, public_url="https://review.example.org")
    client = await client_for(server)
    try:
        response = await client.post(
            "/signin", data={"name": "ana", "password": PASSWORD}, allow_redirects=False
        )
        assert response.status == 303 and "Secure" in response.headers["Set-Cookie"]
        page = await client.get("/", headers=basic("ana"))
        assert "wss://review.example.org/ws" in await page.text()
    finally:
        await client.close()


async def test_a_new_password_ends_the_old_session(served: Any, db: Path) -> None:
    _server, client = served
    await client.post("/signin", data={"name": "ana", "password": PASSWORD})
    assert (await client.get("/", allow_redirects=False)).status == 200
    Store.open(db).set_password("ana", accounts.hash_password("a new password"), "admin")
    assert (await client.get("/", allow_redirects=False)).status == 303
    renewed = await client.get("/", headers=basic("ana", "a new password"))
    assert renewed.status == 200


async def test_failures_for_one_name_are_slowed(served: Any, clock: Clock, db: Path) -> None:
    _server, client = served
    for _ in range(auth.FAILURES_ALLOWED):
        wrong = await client.get("/", headers=basic("ana", "guess guess"))
        assert wrong.status == 401
    # the right password is not even checked while this client is slowed for the name
    slowed = await client.get("/", headers=basic("ana"))
    assert slowed.status == 429 and int(slowed.headers["Retry-After"]) == auth.FAILURE_WINDOW
    form = await client.post("/signin", data={"name": "ana", "password": PASSWORD})
    assert form.status == 429 and "Too many wrong passwords" in await form.text()
    assert (await client.get("/", headers=basic("bob"))).status == 200  # other names are not
    clock.now += auth.FAILURE_WINDOW
    assert (await client.get("/", headers=basic("ana"))).status == 200
    # the first failure was recorded at once, the rest counted when their minute was over
    assert len(events(db, "sign_in_failed")) == 1
    (counted,) = events(db, "sign_in_failures")
    assert str(counted[2]).startswith(f"{auth.FAILURES_ALLOWED - 1} more wrong names or passwords")


async def test_another_sites_page_cannot_open_a_session(served: Any) -> None:
    server, client = served
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers={**basic("ana"), "Origin": "https://evil.example"})
    assert refused.value.status == 403 and server.app_services == set()


async def test_a_session_reviews_as_the_signed_in_name(
    served: Any, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the server's own reviewer setting plays no part in a served session
    monkeypatch.setenv("CASEREVIEW_REVIEWER", "mallory")
    server, client = served
    session = await Session.open(client, "ana")
    try:
        assert "Reviewer: ana." in await session.until("Test audit")
        await session.press("\r")
        await session.until("T/1")
        await session.press("\r")
        await session.until("REC-01")
        await session.press("y")
        await session.until("Saved REC-01")
        (service,) = server.app_services
        assert service.argv[1:3] == ["-m", "casereview.cli.served_session"]  # no shell between
    finally:
        await session.close()
    store = Store.open(db)
    rows = list(
        store.db.query(
            "SELECT a.question_id, a.value, a.updated_by, r.reviewer FROM "
            "answers a JOIN reviews r ON r.id = a.review_id"
        )
    )
    assert rows == [
        {"question_id": "REC-01", "value": "yes", "updated_by": "ana", "reviewer": "ana"}
    ]
    answered = [e for e in store.events() if e.question_id == "REC-01"]
    assert [e.actor for e in answered] == ["ana"]
    assert "mallory" not in {e.actor for e in store.events()}


async def test_a_served_export_is_a_download_for_its_reviewer_only(
    served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.open(tmp_path / "team.db")
    audit = store.audits()[0]
    from tests.factories import complete_review

    case_id = store.audit_cases(audit.id)[0].case.id
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, case_id, "bob", "primary", full)
    before = sorted(p.name for p in tmp_path.iterdir())
    _server, client = served
    session = await Session.open(client, "ana")
    try:
        await session.until("Test audit")
        await session.press("f")
        await session.until("Group by")
        await session.press("x")
        # the dialog opens on what is on screen: the sections view exports sections
        await session.until("test-audit-sections.xlsx")
        await session.press("\t\t\t\r")  # past kind, by and format to the file name; Enter
        _, key = await session.until_meta("deliver_file_start")
        theirs = await client.get(f"/download/{key}", headers=basic("bob"))
        assert theirs.status == 404  # another reviewer's session made it
        download = await client.get(f"/download/{key}", headers=basic("ana"))
        assert download.status == 200
        assert "attachment" in download.headers["Content-Disposition"]
        assert "test-audit-sections.xlsx" in download.headers["Content-Disposition"]
        body = await download.read()
        assert body[:2] == b"PK"  # a workbook (zip)
    finally:
        await session.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing on the server's disk


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "review.example.org"])
def test_serving_beyond_loopback_without_tls_is_refused(db: Path, host: str) -> None:
    result = CliRunner().invoke(main, ["--db", str(db), "serve", "--host", host])
    assert result.exit_code == 2
    assert f"refusing to serve on {host} without TLS" in result.output
    assert "reverse proxy" in result.output and "Traceback" not in result.output


def test_loopback_is_loopback_and_nothing_else() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "localhost.evil", ""))


def test_serve_refuses_a_file_it_cannot_serve(tmp_path: Path, db: Path) -> None:
    runner = CliRunner()
    none = runner.invoke(main, ["--db", str(tmp_path / "absent.db"), "serve"])
    assert none.exit_code == 2 and "no database at" in none.output
    empty = tmp_path / "empty.db"
    seed_store(Store.open(empty))
    noone = runner.invoke(main, ["--db", str(empty), "serve"])
    assert noone.exit_code == 2 and "users add" in noone.output
    half = runner.invoke(main, ["--db", str(db), "serve", "--certfile", str(db)])
    assert half.exit_code == 2 and "go together" in half.output


def test_ctrl_c_stops_the_server_and_its_app_processes(db: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CASEREVIEW_REVIEWER"}
    casereview = str(Path(sys.executable).with_name("casereview"))
    server = subprocess.Popen(
        [casereview, "--db", str(db), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        line = server.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:(\d+))/ \(Ctrl\+C stops it\)", line)
        assert match, line
        children, status = asyncio.run(_interrupt_with_a_session_open(match.group(1), server))
        assert status == 0
        stderr = server.stderr.read()
        assert "stopping (1 open session(s))" in stderr and "stopped" in stderr
        assert "Traceback" not in stderr
        assert len(children) == 1
        assert not any(_alive(pid) for pid in children), "an app process outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


async def _interrupt_with_a_session_open(
    url: str, server: subprocess.Popen[str]
) -> tuple[list[int], int]:
    """Open a session, press Ctrl+C on the server; its app processes and exit status."""
    async with aiohttp.ClientSession() as http:
        session = Session(await http.ws_connect(f"{url}/ws", headers=basic("ana")))
        await session.until("Test audit")
        children = app_processes(server.pid)
        server.send_signal(signal.SIGINT)
        status = await asyncio.to_thread(server.wait, 30)
        await session.ws.close()
    return children, status


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl to make a test certificate")
def test_under_tls_the_cookie_is_secure_and_the_socket_wss(db: Path, tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    casereview = str(Path(sys.executable).with_name("casereview"))
    server = subprocess.Popen(
        [casereview, "--db", str(db), "serve", "--port", "0"]
        + ["--certfile", str(cert), "--keyfile", str(key)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        match = re.search(r"at (https://127\.0\.0\.1:\d+)/ ", server.stdout.readline())
        assert match
        cookie, page = asyncio.run(_sign_in_over_tls(match.group(1)))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert f"data-session-websocket-url='wss://{match.group(1)[8:]}/ws'" in page
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0


async def _sign_in_over_tls(url: str) -> tuple[str, str]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as http:
        signin = await http.post(
            f"{url}/signin", data={"name": "ana", "password": PASSWORD}, allow_redirects=False
        )
        assert signin.status == 303
        page = await http.get(f"{url}/", headers=basic("ana"))
        return signin.headers["Set-Cookie"], await page.text()
