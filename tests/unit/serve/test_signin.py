"""Sign-in to the served app under hostile use: other sites' pages, credentials that go
stale, strangers' wrong passwords, and floods of names."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import FunctionType, MethodType, ModuleType
from typing import Any

import aiohttp
import pytest

from casereview.serve import accounts, auth
from casereview.store import Store
from tests.served import PASSWORD, Clock, Session, basic

EVIL = "https://evil.example"


def trail(db: Path) -> list[tuple[str, str, str | None, str | None]]:
    store = Store.open(db)
    try:
        return [(e.kind, e.actor, e.new, e.reason) for e in store.events()]
    finally:
        store.close()


@asynccontextmanager
async def elsewhere(address: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser on another machine: requests from another loopback address (127.0.0.0/8 is
    all this machine's), so the server sees another client."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    jar = aiohttp.CookieJar(unsafe=True)  # (a cookie for an address, as a browser keeps one)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as session:
        yield session


# ---------------------------------------------------------------- item 4: every POST, every request


async def test_a_post_from_another_sites_page_is_refused(served: Any, db: Path) -> None:
    server, client = served
    before = trail(db)
    for origin in (EVIL, "null"):
        signin = await client.post(
            "/signin",
            data={"name": "ana", "password": PASSWORD},
            headers={"Origin": origin},
            allow_redirects=False,
        )
        assert signin.status == 403 and "not from this server's own page" in await signin.text()
        assert "Set-Cookie" not in signin.headers
    assert trail(db) == before  # not even checked: no sign-in in the trail
    assert (await client.get("/", allow_redirects=False)).status == 303  # no session started

    own = {"Origin": str(client.make_url("")).rstrip("/")}
    signin = await client.post(
        "/signin", data={"name": "ana", "password": PASSWORD}, headers=own, allow_redirects=False
    )
    assert signin.status == 303 and "Set-Cookie" in signin.headers
    assert (await client.get("/", allow_redirects=False)).status == 200
    signout = await client.post("/signout", headers={"Origin": EVIL}, allow_redirects=False)
    assert signout.status == 403 and "Set-Cookie" not in signout.headers
    assert (await client.get("/", allow_redirects=False)).status == 200  # still signed in
    signout = await client.post("/signout", headers=own, allow_redirects=False)
    assert signout.status == 303 and signout.headers["Location"] == "/signin"
    assert (await client.get("/", allow_redirects=False)).status == 303  # this one ended it


async def test_a_remembered_basic_credential_ends_with_the_account_or_its_password(
    served: Any, db: Path
) -> None:
    _server, client = served
    for _ in range(2):
        assert (await client.get("/", headers=basic("ana"))).status == 200
        assert (await client.get("/", headers=basic("bob"))).status == 200
    signed_in = [t for t in trail(db) if t[0] == "sign_in"]
    assert len(signed_in) == 2  # checked once each, then remembered

    store = Store.open(db)
    store.set_password("ana", accounts.hash_password("a new password"), "admin")
    store.remove_user("bob", "admin")
    store.close()
    stale = await client.get("/", headers=basic("ana"), allow_redirects=False)
    assert stale.status == 401 and await stale.text() == "401: sign in first"
    removed = await client.get("/", headers=basic("bob"), allow_redirects=False)
    assert removed.status == 401
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers=basic("bob"))
    assert refused.value.status == 401
    assert (await client.get("/", headers=basic("ana", "a new password"))).status == 200


# ---------------------------------------------------------------- item 6: the throttle


def failures_in(rows: list[tuple[str, str, str | None, str | None]]) -> int:
    """Failed sign-ins the trail accounts for: one per entry, or an entry's count."""
    return sum(1 for r in rows if r[0] == "sign_in_failed") + sum(
        int(r[2] or 0) for r in rows if r[0] == "sign_in_failures"
    )


async def test_names_that_could_never_be_accounts_are_not_remembered(served: Any, db: Path) -> None:
    server, client = served
    await client.post(
        "/signin", data={"name": "warm up", "password": "x"}
    )  # the parser's first use
    gc.collect()
    tracemalloc.start()
    try:
        held = tracemalloc.get_traced_memory()[0]
        for i in range(20):  # 20 distinct names of 200 kB each: 4 MB if they were kept
            name = f"{i:02d}" + "x" * 200_000
            wrong = await client.post("/signin", data={"name": name, "password": "whatever!"})
            assert wrong.status == 401 and "Wrong name or password." in await wrong.text()
        del name, wrong
        await client.post("/signin", data={"name": "-", "password": "x"})  # (not the last)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - held
    finally:
        tracemalloc.stop()
    assert grown < 500_000, f"the server kept {grown} bytes for 20 refused names"
    assert len(server.throttle) == 0  # nothing to slow down: no such name can be an account
    assert max(len(actor) for _, actor, _, _ in trail(db)) <= 64


async def test_a_strangers_wrong_passwords_do_not_lock_the_reviewer_out(
    served: Any, db: Path
) -> None:
    _server, client = served  # the stranger, at 127.0.0.1
    for _ in range(auth.FAILURES_ALLOWED):
        assert (await client.get("/", headers=basic("ana", "guess guess"))).status == 401
    slowed = await client.get("/", headers=basic("ana"))
    assert slowed.status == 429  # the stranger's own client is slowed, right password or not
    async with elsewhere("127.0.0.2") as reviewer:  # the reviewer, at her own desk
        signin = await reviewer.post(
            client.make_url("/signin"),
            data={"name": "ana", "password": PASSWORD},
            allow_redirects=False,
        )
        assert signin.status == 303 and "Set-Cookie" in signin.headers
        page = await reviewer.get(client.make_url("/"), allow_redirects=False)
        assert page.status == 200 and "textual-terminal" in await page.text()
    assert ("sign_in", "ana", "ana", "from 127.0.0.2") in trail(db)


async def test_under_attack_a_reviewer_who_mistypes_waits_a_bounded_time(
    served: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = accounts.verify  # (the strangers' guesses are not worth argon2's time here)
    monkeypatch.setattr(accounts, "verify", lambda h, pw: pw != "guess!!!" and checked(h, pw))
    _server, client = served
    for n in range(20):  # strangers at 20 addresses, one wrong password each
        async with elsewhere(f"127.0.1.{n}") as stranger:
            wrong = await stranger.get(client.make_url("/"), headers=basic("ana", "guess!!!"))
            assert wrong.status == 401
    async with elsewhere("127.0.0.2") as reviewer:
        url = client.make_url("/signin")
        typo = await reviewer.post(url, data={"name": "ana", "password": PASSWORD + "x"})
        assert typo.status == 401
        again = await reviewer.post(url, data={"name": "ana", "password": PASSWORD})
        assert again.status == 429 and "try again in" in await again.text()
        wait = int(again.headers["Retry-After"])
        assert 1 <= wait <= auth.MAX_DELAY < auth.FAILURE_WINDOW
        clock.now += wait
        signin = await reviewer.post(
            url, data={"name": "ana", "password": PASSWORD}, allow_redirects=False
        )
        assert signin.status == 303


async def test_a_thousand_failures_add_few_trail_rows_and_lose_no_count(
    served: Any, db: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # argon2's cost (64 MiB, tens of ms a check) is not what this test is about
    monkeypatch.setattr(accounts, "verify", lambda stored, password: False)
    _server, client = served
    before = trail(db)
    # each client fails as often as it may before it is stopped (CLIENT_FAILURES_ALLOWED)
    addresses = [f"127.0.0.{n}" for n in range(1, 51)]
    for address in addresses:
        async with elsewhere(address) as stranger:
            url = client.make_url("/")
            tries = [f"target.{address}"] * auth.FAILURES_ALLOWED  # one name, over and over
            tries += [f"guess{n}" for n in range(20 - auth.FAILURES_ALLOWED)]  # and many
            for name in tries:
                wrong = await stranger.get(url, headers=basic(name, "a wrong one"))
                assert wrong.status == 401
    clock.now += auth.FAILURE_WINDOW
    await client.close()  # the server stops: what it has counted is written
    added = trail(db)[len(before) :]
    assert auth.CLIENT_FAILURES_ALLOWED == 20
    assert failures_in(added) == len(addresses) * 20 == 1000
    assert len(added) <= 2 * auth.MAX_TALLIES + 1 < 100
    assert {kind for kind, _, _, _ in added} == {"sign_in_failed", "sign_in_failures"}
    first, *_ = (r for r in added if r[1] == "target.127.0.0.1")
    assert first[0] == "sign_in_failed" and first[3] == "wrong name or password from 127.0.0.1"
    counted = [r for r in added if r[1] == "target.127.0.0.1" and r[0] == "sign_in_failures"]
    assert [r[2] for r in counted] == [str(auth.FAILURES_ALLOWED - 1)]


def deep_size(root: object) -> int:
    """Bytes held by `root` and everything it refers to (classes and functions aside)."""
    seen: set[int] = set()
    stack, total = [root], 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type | ModuleType | FunctionType | MethodType):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def test_what_the_throttle_remembers_stays_bounded() -> None:
    clock = Clock()
    throttle = auth.Throttle(clock)
    for i in range(100_000):  # distinct names, each as long as a name can be
        throttle.failed(f"{i:06d}".ljust(64, "x"), f"10.{i % 200}.0.1")
        if i % 10 == 0:
            clock.now += 0.001
    held = deep_size(throttle)
    assert held < 8_000_000, f"{held} bytes kept for 100,000 names"
    assert len(throttle) <= 3 * auth.MAX_REMEMBERED  # names, (name, client) pairs, clients
    clock.now += auth.FAILURE_WINDOW  # ... and once the minute has passed, nothing
    assert throttle.wait("000001".ljust(64, "x"), "10.1.0.1") == 0
    assert len(throttle) == 0


def test_others_failures_delay_a_client_a_growing_bounded_time() -> None:
    clock = Clock()
    throttle = auth.Throttle(clock)
    assert throttle.wait("ana", "me") == 0
    throttle.failed("ana", "me")  # a typo
    waits = []
    for n in range(40):  # strangers keep failing, each from a client of its own
        throttle.failed("ana", f"stranger{n}")
        waits.append(throttle.wait("ana", "me"))
    assert waits == sorted(waits) and waits[-1] == auth.MAX_DELAY
    assert waits[0] < waits[-1]
    assert throttle.wait("ana", "elsewhere") == 0  # one who has not failed is not slowed
    assert throttle.wait("bob", "me") == 0  # nor another name
    clock.now += auth.MAX_DELAY
    assert throttle.wait("ana", "me") == 0
    for _ in range(auth.FAILURES_ALLOWED):  # one client's own failures lock only that client
        throttle.failed("bob", "me")
    assert throttle.wait("bob", "me") == auth.FAILURE_WINDOW
    assert throttle.wait("bob", "elsewhere") == 0


def test_a_client_cannot_flush_its_own_lockout_by_failing_on_other_names() -> None:
    """Failing on thousands of names that could be accounts once pushed a client's lockout
    for a real name out of what is remembered, for five more guesses at it; now the client
    is stopped, on every name, once it has failed CLIENT_FAILURES_ALLOWED times."""
    clock = Clock()
    throttle = auth.Throttle(clock)
    for _ in range(auth.FAILURES_ALLOWED):
        throttle.failed("alice", "1.2.3.4")
        clock.now += 0.01
    assert throttle.wait("alice", "1.2.3.4") > 0
    for i in range(auth.MAX_REMEMBERED + 1):  # what the attacker sends, unchecked or not
        if throttle.wait(f"x{i}", "1.2.3.4") == 0:
            throttle.failed(f"x{i}", "1.2.3.4")
    assert throttle.wait("alice", "1.2.3.4") > 0
    assert throttle.wait("alice", "5.6.7.8") == 0  # the reviewer elsewhere is not stopped


def test_a_client_failing_on_many_names_is_stopped_on_all_of_them_alone() -> None:
    clock = Clock()
    throttle = auth.Throttle(clock)
    for i in range(auth.CLIENT_FAILURES_ALLOWED - 1):  # each name below its own limit
        throttle.failed(f"name{i}", "sprayer")
    assert throttle.wait("ana", "sprayer") == 0
    throttle.failed("last", "sprayer")
    assert throttle.wait("ana", "sprayer") == pytest.approx(auth.FAILURE_WINDOW)
    assert throttle.wait("ana", "reviewer") == 0
    clock.now += auth.FAILURE_WINDOW
    assert throttle.wait("ana", "sprayer") == 0


# ---------------------------------------------------------------- item 14: one name, one account


async def test_signing_in_as_a_look_alike_reviews_as_the_account(served: Any, db: Path) -> None:
    server, client = served
    signin = await client.post(
        "/signin", data={"name": "ANA", "password": PASSWORD}, allow_redirects=False
    )
    assert signin.status == 303
    session = server.sessions.get(signin.cookies[auth.COOKIE].value)
    assert session is not None and session.name == "ana"
    app = await Session.open(client, "Bob")  # Basic credentials, as a script sends them
    try:
        assert "Reviewer: bob." in await app.until("Test audit")
    finally:
        await app.close()
    signed_in = [(actor, new) for kind, actor, new, _ in trail(db) if kind == "sign_in"]
    assert signed_in == [("ana", "ana"), ("bob", "bob")]
