"""Content negotiation: ?format= first, then Accept; */* and no Accept mean XML."""

import pytest

from deltacloud.errors import NotAcceptableError
from deltacloud.http.negotiation import choose_format


@pytest.mark.parametrize(("format_param", "accept", "expected"), [
    (None, None, "xml"),
    (None, "", "xml"),
    (None, "*/*", "xml"),
    (None, "application/json", "json"),
    (None, "application/xml", "xml"),
    (None, "text/xml", "xml"),
    (None, "text/html", "html"),
    (None, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    (None, "application/json, */*;q=0.5", "json"),
    (None, "application/xml;q=0.5, application/json", "json"),
    (None, "image/png, */*", "xml"),
    ("json", "application/xml", "json"),
    ("HTML", None, "html"),
])
def test_choice(format_param, accept, expected):
    assert choose_format(format_param, accept) == expected


@pytest.mark.parametrize(("format_param", "accept"), [
    (None, "application/unknown"), (None, "image/png"), (None, "application/json;q=0"), ("png", None),
])
def test_not_acceptable(format_param, accept):
    with pytest.raises(NotAcceptableError):
        choose_format(format_param, accept)
