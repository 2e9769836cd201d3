"""Sessions of built-in accounts (geo.sessions): a login that outlives a reload, until
idle time, logout, a new password, the account's removal; refused while locked."""

import pytest

from geo.access import Account
from geo.accounts import LOCK_FAILURES, AccountStore
from geo.db import is_url
from geo.sessions import Sessions
from tests.geo.conftest import sql
from tests.geo.test_accounts import PASSWORD, QUICK, Clock, fail


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(location, clock):
    """In a data folder and in PostgreSQL (every test taking it runs on both)."""
    return AccountStore(location, hasher=QUICK, clock=clock)


@pytest.fixture
def sessions(store):
    return Sessions(store)


# ---- sessions: a login that outlives a reload -----------------------------------------
def test_a_session_resumes_until_idle(store, sessions, clock):
    store.add("zhang", PASSWORD, role="planner", area="350481")
    token = sessions.open("zhang")
    assert sessions.resume(token, idle_minutes=30) == Account("zhang", "planner", "350481")
    clock.move(minutes=29)
    sessions.touch(token)                      # used: the idle time starts again
    clock.move(minutes=29)
    assert sessions.resume(token, idle_minutes=30) is not None
    clock.move(minutes=30, seconds=1)
    assert sessions.resume(token, idle_minutes=30) is None
    clock.move(minutes=-60)                 # an expired session is gone, not just idle
    assert sessions.resume(token, idle_minutes=30) is None


def test_a_session_follows_the_account_and_ends_with_it(store, sessions):
    store.add("zhang", PASSWORD, role="planner")
    store.add("li", PASSWORD, role="admin")
    first, second = sessions.open("zhang"), sessions.open("zhang")
    store.update("zhang", role="viewer", area="350481003")
    assert sessions.resume(first, 30) == Account("zhang", "viewer", "350481003")
    sessions.close(first)              # logout: this browser only
    assert sessions.resume(first, 30) is None and sessions.resume(second, 30) is not None
    store.set_password("zhang", "another password")  # every session of the account ends
    assert sessions.resume(second, 30) is None
    third = sessions.open("zhang")
    store.remove("zhang")
    assert sessions.resume(third, 30) is None


def test_a_locked_account_does_not_resume(store, sessions):
    store.add("zhang", PASSWORD)
    token = sessions.open("zhang")
    fail(store, "zhang", LOCK_FAILURES)
    assert sessions.resume(token, 30) is None


@pytest.mark.parametrize("token", [None, "", 42, "not-a-token"])
def test_unknown_tokens_resume_nothing(store, sessions, token):
    store.add("zhang", PASSWORD)
    sessions.open("zhang")
    assert sessions.resume(token, 30) is None


def test_only_the_hash_of_a_token_is_stored(store, sessions):
    store.add("zhang", PASSWORD)
    token = sessions.open("zhang")
    if not is_url(store.path):
        assert token.encode() not in store.path.read_bytes()
    [(stored,)] = sql(store.path, "SELECT token_hash FROM sessions")
    assert len(stored) == 64 and stored != token
