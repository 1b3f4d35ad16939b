# Stand-in for ScyllaDB's skip helpers.
import pytest


def skip_env(reason):
    pytest.skip(reason)


def skip_bug(reason):
    pytest.skip(reason)
