import pytest

from cki.meldingen.lavs import load_mapping


@pytest.fixture(scope="session")
def mapping():
    return load_mapping(None)
