"""The audits screen says where an audit came from; the palette exports its bundle."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pyrage
import pytest
from textual.widgets import Input, Static

from casereview.core.bundles.merge import Bundle
from casereview.io.bundles import archive as bundle
from casereview.io.bundles import signing
from casereview.io.bundles.stream import Streamed
from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.bundle import BundleDialog
from casereview.tui.screens import AuditsScreen
from tests.factories import complete_review, seed_store

SIZE = (100, 30)
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def carry(source: Store, path: Path) -> Bundle:
    content, text = source.bundle_content(source.audits()[0].id)
    bundle.write(path, bundle.pack(content, text))
    return bundle.unpack(path.read_bytes(), str(path))  # format 2, read whole


def panel(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, AuditsScreen)
    return str(screen.query_one("#reviewer-progress", Static).render())


async def test_the_audits_screen_says_an_audit_came_from_a_bundle_and_when_it_merged(
    tmp_path: Path,
) -> None:
    central = Store.open(tmp_path / "central.db")
    audit = seed_store(central)
    laptop = Store.open(tmp_path / "laptop.db")
    laptop.merge_bundle(carry(central, tmp_path / "out.zip"), "out.zip", "ann")
    app = make_app(laptop, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "From a bundle, imported " in panel(app)
        assert "No bundle merged since." in panel(app)
        assert laptop.bundle_history(laptop.audits()[0].id)[1] is None
        complete_review(central, audit.id, central.cases()[0].id, "bob", "primary", FULL)
        laptop.merge_bundle(carry(central, tmp_path / "again.zip"), "again.zip", "ann")
        await pilot.press("r")
        await pilot.pause()
        _, merged = laptop.bundle_history(laptop.audits()[0].id)
        assert merged is not None
        assert f"Last merged {merged[:10]} {merged[11:16]} UTC." in panel(app)
    # an audit made here says nothing of bundles
    app = make_app(central, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "bundle" not in panel(app).lower()


async def test_the_palette_exports_the_highlighted_audits_bundle_for_a_reviewer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.open(tmp_path / "central.db")
    audit = seed_store(store)
    ids = [c.id for c in store.cases()]
    complete_review(store, audit.id, ids[0], "ann", "primary", FULL)
    complete_review(store, audit.id, ids[1], "bob", "primary", FULL)
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"Export bundle")
        for _ in range(50):  # the palette searches in a worker: wait for its hit, not a clock
            await pilot.pause()
            if "highlighted audit" in str(app.screen.query("OptionList").first().render()):
                break
        await pilot.press("enter", *"ann", "enter")
        assert isinstance(app.screen, BundleDialog)
        await pilot.press("enter")  # no recipient's key: a passphrase, typed twice
        await pilot.press(*"two words", "enter", *"two words", "enter")
        await pilot.press("enter")  # the file name offered: test-audit-ann.bundle
        await pilot.pause()
        assert isinstance(app.screen, AuditsScreen)
    path = tmp_path / "test-audit-ann.bundle"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    read = bundle.read(path, passphrase=lambda: "two words")
    assert isinstance(read, Streamed)  # format 3, as `bundle export` writes it
    assert read.signer == signing.public_text(signing.load_or_create(tmp_path / "central.db"))
    content = read.header
    assert content["audit"]["name"] == "Test audit"
    assert [(r["case_ref"], r["reviewer"]) for r in read.reviews()] == [
        (store.case(ids[0]).case_ref, "ann")
    ]
    read.close()
    assert content["for_reviewer"] == "ann" and content["exported_by"] == "lead"


async def test_a_served_bundle_export_is_a_download_and_writes_nothing_on_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Served, the reviewer's typed path is on the server's disk: the bundle (case data and
    # notes) goes to their browser instead, as a served export does, under a plain name.
    from textual.app import App

    store = Store.open(tmp_path / "central.db")
    audit = seed_store(store)
    ids = [c.id for c in store.cases()]
    complete_review(store, audit.id, ids[0], "ann", "primary", FULL)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    sent: list[tuple[bytes, str, str]] = []
    monkeypatch.setattr(App, "is_web", property(lambda _self: True))
    monkeypatch.setattr(
        App,
        "deliver_binary",
        lambda _self, data, save_filename, mime_type=None, **_kw: sent.append(
            (data.read(), save_filename, mime_type)
        ),
    )
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    before = sorted(p.name for p in tmp_path.iterdir())
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(BundleDialog(audit.id))
        await pilot.pause()
        await pilot.press(*"ann", "enter", *public, "enter")
        target = tmp_path / "loot" / "stolen.zip"
        app.screen.query_one("#bundle-file", Input).value = f"../{target.parent.name}/{target.name}"
        (tmp_path / "loot").mkdir()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditsScreen)
    ((data, name, mime),) = sent
    assert name == "stolen.bundle" and mime == "application/octet-stream"
    assert data.startswith(b"age-encryption.org/v1\n-> X25519 ")
    with zipfile.ZipFile(io.BytesIO(pyrage.decrypt(data, [identity]))) as zf:  # format 3
        reviews = [json.loads(line) for line in zf.read("reviews.jsonl").splitlines()]
    assert [(r["case_ref"], r["reviewer"]) for r in reviews] == [
        (store.case(ids[0]).case_ref, "ann")
    ]
    assert list((tmp_path / "loot").iterdir()) == []  # nothing on the server's disk
    assert list(elsewhere.iterdir()) == []
    # the server's signing key, made on first use beside its database, is all it keeps
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*before, "loot", "central.db.signing-key"]
    )


@pytest.mark.parametrize(
    ("key", "passphrase", "again", "says"),
    [
        ("", "", "", "A bundle is encrypted: give the recipient's age public key or a passphrase."),
        ("", "one", "two", "The two passphrases differ; type them again."),
        ("age1nonsense", "", "", "'age1nonsense' is not an age public key"),
    ],
    ids=["nothing", "differ", "bad-key"],
)
async def test_the_bundle_dialog_writes_nothing_unprotected(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    passphrase: str,
    again: str,
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.open(tmp_path / "central.db")
    audit = seed_store(store)
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(BundleDialog(audit.id))
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#bundle-to", Input).value = key
        dialog.query_one("#bundle-passphrase", Input).value = passphrase
        dialog.query_one("#bundle-passphrase-again", Input).value = again
        dialog.query_one("#bundle-file", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert says in str(dialog.query_one("#bundle-message", Static).render())
    assert not (tmp_path / "test-audit.bundle").exists()
