"""Pytest fixtures of a real PostgreSQL + PostGIS server (a plugin: named in
``pytest_plugins`` of ``tests/conftest.py``).

* ``pg_cluster`` (session): one throwaway cluster for the whole run, started on first use
  and stopped at the end of the session whatever happened (a fixture's finaliser, plus the
  cluster's own :mod:`atexit` hook for an interpreter that ends another way).  When it
  cannot start (software missing, …) every test that needs it errors with the reason:
  none is skipped.
* ``pg_url`` (function): the ``postgresql://`` URL of a fresh database with postgis and
  citext, owned by the ordinary role ``lianjian``; copied from the template database
  (tens of milliseconds), dropped after the test, connections still open included.
* ``pg_admin_url`` (function): the superuser's URL of the same database as ``pg_url``.
"""
import itertools
import re

import pytest

from tests.pg_cluster import start_cluster

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory):
    """The session's PostgreSQL cluster (:class:`tests.pg_cluster.Cluster`)."""
    cluster = start_cluster(tmp_path_factory.mktemp("pg"))
    try:
        yield cluster
    finally:
        cluster.stop()


def _database_name(request) -> str:
    """``t<n>_<test name>``: unique, readable in the server's log, at most 63 bytes."""
    stem = re.sub(r"[^a-z0-9_]+", "_", request.node.name.lower()).strip("_")
    return f"t{next(_numbers)}_{stem}"[:63]


@pytest.fixture
def _pg_database(pg_cluster, request):
    name = _database_name(request)
    pg_cluster.new_database(name)
    yield name
    pg_cluster.drop_database(name)


@pytest.fixture
def pg_url(pg_cluster, _pg_database):
    """URL of a fresh database (postgis, citext) owned by the role ``lianjian``."""
    return pg_cluster.url_of(_pg_database)


@pytest.fixture
def pg_admin_url(pg_cluster, _pg_database):
    """The superuser's URL of the same database as ``pg_url``."""
    return pg_cluster.url_of(_pg_database, "postgres")
