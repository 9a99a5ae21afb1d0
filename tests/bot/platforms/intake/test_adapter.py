"""Proof of origin for intake posts: the channel's token, an HMAC of the body, or the expo form's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from bot.core.errors import BadSignature, NotFound
from bot.platforms.intake import adapter
from tests.conftest import make_settings

CFG = {"token": "t0k", "secret": "s3c", "form": True}
SECRET = "k" * 32


def test_token_signature_and_form_posts_are_told_apart(clock):
    now = clock.now()
    assert adapter.authenticate({"X-Intake-Token": "t0k"}, "expo", CFG, b"{}", SECRET, now) is False
    sig = "sha256=" + hmac.new(b"s3c", b"{}", hashlib.sha256).hexdigest()
    assert adapter.authenticate({"X-Intake-Signature": sig}, "expo", CFG, b"{}", SECRET, now) is False
    token = adapter.csrf_token(SECRET, "expo", int(now.timestamp()))
    assert adapter.authenticate({}, "expo", CFG, f"_csrf={token}".encode(), SECRET, now) is True


def test_a_stale_or_foreign_form_token_is_expired_and_no_proof_is_refused(clock):
    token = adapter.csrf_token(SECRET, "expo", int(clock.now().timestamp()))
    later = clock.now() + timedelta(seconds=adapter.FORM_TTL + 1)
    with pytest.raises(adapter.FormExpired):
        adapter.authenticate({}, "expo", CFG, f"_csrf={token}".encode(), SECRET, later)
    with pytest.raises(adapter.FormExpired):
        adapter.authenticate({}, "other", CFG, f"_csrf={token}".encode(), SECRET, clock.now())
    with pytest.raises(BadSignature, match="X-Intake-Token"):
        adapter.authenticate({"X-Intake-Token": "wrong"}, "expo", CFG, b"{}", SECRET, clock.now())


def test_an_unknown_channel_is_a_404_saying_how_to_add_it():
    with pytest.raises(NotFound, match=r"\[intake.channels.nope\]"):
        adapter.channel(make_settings("sqlite://"), "nope")
