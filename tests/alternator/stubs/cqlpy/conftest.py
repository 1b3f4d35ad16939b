# Stand-in: no CQL host, so the suite connects to --url.
import pytest


@pytest.fixture(scope="session")
def host(request):
    return None


@pytest.fixture(scope="session")
def cql():
    pytest.skip("no CQL: a Scylla-only test")
