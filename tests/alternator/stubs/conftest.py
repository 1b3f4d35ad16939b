# Stand-in for ScyllaDB's root test conftest: fixtures live for the whole session, and tests
# marked skip_env (very slow ones, unless --runveryslow) are skipped.
import pytest


def dynamic_scope():
    return "session"


def pytest_configure(config):
    config.addinivalue_line("markers", "skip_env: skipped in this environment")


def pytest_collection_modifyitems(config, items):
    for item in items:
        for mark in item.iter_markers("skip_env"):
            item.add_marker(pytest.mark.skip(reason=mark.kwargs.get("reason", "skip_env")))
