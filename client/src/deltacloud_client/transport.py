"""HTTP for the client: credentials, driver and provider headers, formats, errors, conditional GETs.

:class:`Transport` sends every request with HTTP Basic credentials, ``X-Deltacloud-Driver`` and
``X-Deltacloud-Provider`` when set, and an ``Accept`` for the chosen format. GETs remember the
``ETag`` of each URL and send it back in ``If-None-Match``: a ``304`` answers with the document
already held. An HTML answer to a read (the original server answers ``Accept: */*`` with HTML) is
asked for again with ``?format=``; a change answered with HTML is never sent twice. Errors become
the exceptions of :mod:`deltacloud_client.errors`, with the server's message read from XML, JSON
or plain text.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from deltacloud_client import parse
from deltacloud_client.errors import DeltacloudError, ProtocolError, error_class

FORMATS = {"xml": "application/xml", "json": "application/json", "auto": "*/*"}


@dataclass
class Response:
    """A successful answer: status, headers, and the document read from its body (``None`` if empty).

    ``root`` is the XML root tag (``None`` for JSON); ``not_modified`` is true when a ``304``
    confirmed the document held from an earlier GET.
    """

    status: int
    headers: Mapping[str, str]
    document: Any
    root: str | None
    url: str
    not_modified: bool = False


def strip_matrix(url: str) -> str:
    """``url`` without matrix parameters (``/api/images;instance_id=x`` -> ``/api/images``)."""
    parts = urlsplit(url)
    path = "/".join(segment.split(";")[0] for segment in parts.path.split("/"))
    return urlunsplit(parts._replace(path=path))


def matrix_params(url: str) -> dict[str, str]:
    """The matrix parameters of every segment of ``url`` (the original's links carry some)."""
    found: dict[str, str] = {}
    for segment in urlsplit(url).path.split("/"):
        for pair in segment.split(";")[1:]:
            name, _, value = pair.partition("=")
            if name:
                found[name] = value
    return found


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to (or replacing those in) its query string."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


class Transport:
    """One HTTP session to one Deltacloud server (see the module's docstring)."""

    def __init__(self, user: str | None, password: str | None, *, driver: str | None = None,
                 provider: str | None = None, format: str = "xml", timeout: float = 30.0,
                 session: requests.Session | None = None, verify: bool | str = True) -> None:
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        self.format = format
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.verify = verify
        self.auth = (user, password or "") if user is not None else None
        self.driver = driver
        self.provider = provider
        self._etags: dict[str, tuple[str, Response]] = {}
        #: How many answers of each status this transport has had (304s show conditional GETs at work).
        self.statuses: Counter[int] = Counter()

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The headers every request carries, plus ``extra``."""
        headers = {"Accept": FORMATS[self.format], "User-Agent": "deltacloud-client-python"}
        if self.driver:
            headers["X-Deltacloud-Driver"] = self.driver
        if self.provider:
            headers["X-Deltacloud-Provider"] = self.provider
        headers.update(extra or {})
        return headers

    def request(self, method: str, url: str, *, data: Mapping[str, Any] | None = None,
                params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
                conditional: bool = False, body: Any = None, stream: bool = False) -> Response:
        """Send one request and read its answer; raise the matching ``DeltacloudError`` on 4xx/5xx."""
        url = strip_matrix(url) if method.upper() != "GET" else url
        sent = self.headers(headers)
        cached = self._etags.get(url) if conditional and method.upper() == "GET" and not params else None
        if cached:
            sent["If-None-Match"] = cached[0]
        try:
            answer = self.session.request(method.upper(), url, data=body if body is not None else data,
                                          params=params, headers=sent, auth=self.auth,
                                          timeout=self.timeout, allow_redirects=True, stream=stream)
        except requests.RequestException as exc:
            raise DeltacloudError(f"Cannot reach {url}: {exc.__class__.__name__}", url=url) from exc
        self.statuses[answer.status_code] += 1
        if answer.status_code == 304 and cached:
            previous = cached[1]
            return Response(304, answer.headers, previous.document, previous.root, url, not_modified=True)
        if answer.status_code >= 400:
            raise self.error(answer)
        if stream:
            return Response(answer.status_code, answer.headers, answer, None, url)
        response = self.read(answer, method)
        if response is None and method.upper() not in ("GET", "HEAD"):
            # HTML answering a change: it happened, and sending it again could do it twice. The
            # caller reads the result from Location (create) or by reading the resource again.
            return Response(answer.status_code, answer.headers, None, None, answer.url)
        if response is None:
            # HTML where data was asked for: ask again with ?format=, which every version obeys.
            wanted = "xml" if self.format == "auto" else self.format
            retry = self.session.request(method.upper(), with_query(url, format=wanted),
                                         data=body if body is not None else data, params=params,
                                         headers=sent, auth=self.auth, timeout=self.timeout)
            if retry.status_code >= 400:
                raise self.error(retry)
            response = self.read(retry, method)
            if response is None:
                raise ProtocolError(f"{url} answered HTML where the API was expected", url=url,
                                    status=retry.status_code)
        etag = answer.headers.get("ETag")
        if method.upper() == "GET" and etag and not params:
            self._etags[url] = (etag, response)
        return response

    def read(self, answer: requests.Response, method: str) -> Response | None:
        """The document of a successful answer, or ``None`` when it is HTML (to be asked for again)."""
        content_type = answer.headers.get("Content-Type")
        body = answer.content
        if not body.strip() or method.upper() == "HEAD":
            return Response(answer.status_code, answer.headers, None, None, answer.url)
        kind = parse.sniff(content_type, body)
        if kind == "json":
            return Response(answer.status_code, answer.headers, parse.parse_json(body), None, answer.url)
        if kind == "xml":
            root, document = parse.parse_xml(body)
            return Response(answer.status_code, answer.headers, document, root, answer.url)
        if kind == "html":
            return None
        raise ProtocolError(f"{answer.url} answered {content_type or 'no Content-Type'}, not XML or JSON",
                            url=answer.url, status=answer.status_code)

    def error(self, answer: requests.Response) -> DeltacloudError:
        """The exception for an error answer, carrying the server's message."""
        message, driver, provider = error_message(answer)
        cls = error_class(answer.status_code)
        return cls(message, status=answer.status_code, url=answer.url, driver=driver, provider=provider)


def error_message(answer: requests.Response) -> tuple[str, str | None, str | None]:
    """Message, driver and provider of an error answer: XML, JSON, plain text or HTML."""
    body = answer.content or b""
    content_type = answer.headers.get("Content-Type")
    fallback = answer.reason or f"HTTP {answer.status_code}"
    kind = parse.sniff(content_type, body)
    try:
        if kind == "json":
            document = parse.parse_json(body)
            inner = document.get("error") if isinstance(document.get("error"), dict) else document
            return (str(inner.get("message") or document.get("message") or fallback),
                    inner.get("driver"), inner.get("provider"))
        if kind == "xml":
            tag, root = parse.parse_xml(body)
            if tag == "error":
                backend = root.find("backend")
                message = (root.findtext("message") or "").strip() or fallback
                if backend is not None:
                    return message, backend.get("driver"), backend.get("provider")
                return message, None, None
    except (ProtocolError, AttributeError):
        pass
    text = body.decode("utf-8", "replace").strip()
    if kind == "xml":
        # The original's error documents can be malformed XML (a backtrace line such as
        # "<class:Images>" went in unescaped): take the message element as text.
        match = re.search(r"<message>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</message>", text, re.S)
        if match and match.group(1).strip():
            return match.group(1).strip(), None, None
    if parse.media_type(content_type) == "text/html" and "<" in text:
        text = _html_text(text)
    return (text[:500] or fallback), None, None


def _html_text(page: str) -> str:
    """The title or first heading of an HTML error page, or its text squeezed."""
    for pattern in (r"<h1[^>]*>(.*?)</h1>", r"<title[^>]*>(.*?)</title>"):
        match = re.search(pattern, page, re.I | re.S)
        if match:
            return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()
