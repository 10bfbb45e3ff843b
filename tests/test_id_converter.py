"""Integers in URLs beyond the database's INTEGER are no route (404), never a 500."""

import pytest
from flask.testing import FlaskClient

from app.id_converter import ID_MAX


@pytest.mark.parametrize("path", [
    "/bilder/99999999999999999999-abcdefabcdef.webp",
    f"/bilder/{ID_MAX + 1}-abcdefabcdef.webp",
    "/ziehungen/99999999999999999999",
])
def test_a_number_too_large_for_the_database_is_not_found(client: FlaskClient,
                                                          path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_largest_id_is_still_looked_up(client: FlaskClient) -> None:
    assert client.get(f"/ziehungen/{ID_MAX}").status_code == 404  # looked up, not there
