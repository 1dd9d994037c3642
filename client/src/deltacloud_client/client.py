"""The client: discovers the API from ``/api`` and follows its links.

No path but the entry point's is written here: collection URLs come from the entry point's links,
an item's URL is its collection's URL and its id, and actions use the links each resource sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests

from deltacloud_client import entrypoint, waiting
from deltacloud_client.collections import CollectionMethods
from deltacloud_client.entrypoint import Collection, EntryPoint, Feature
from deltacloud_client.errors import AuthenticationError, NotFoundError, NotSupportedError, ProtocolError
from deltacloud_client.models import Instance, Resource, model_class
from deltacloud_client.parse import unwrap
from deltacloud_client.states import StateMachine
from deltacloud_client.transport import Response, Transport, with_query


def api_url(url: str) -> str:
    """The entry point's URL: ``url`` itself, or ``url`` + ``/api`` when it names only a host.

    Credentials written into the URL (``http://user:password@host``) are left out of it.
    """
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path="/api")
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
    return urlunsplit(parts).rstrip("/")


def url_credentials(url: str) -> tuple[str | None, str | None]:
    """The user and password written into ``url``, if any (as the original command line took them)."""
    parts = urlsplit(url)
    return (unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password is not None else None)


class Client(CollectionMethods):
    """A Deltacloud API client: ``Client("http://127.0.0.1:3001/api", "mockuser", "mockpassword")``.

    Credentials may also be written into the URL (``http://user:password@host:3001/api``); they are
    then sent as HTTP Basic and kept out of every URL the client shows.

    ``driver`` and ``provider`` choose the server's driver and provider for every request
    (``X-Deltacloud-Driver`` / ``X-Deltacloud-Provider``). ``format`` is ``"xml"`` (the default,
    as the original clients), ``"json"``, or ``"auto"`` (``Accept: */*``; what the server prefers).
    """

    def __init__(self, url: str, user: str | None = None, password: str | None = None,
                 driver: str | None = None, provider: str | None = None, *, format: str = "xml",
                 timeout: float = 30.0, session: requests.Session | None = None,
                 verify: bool | str = True) -> None:
        self.url = api_url(url)
        in_url = url_credentials(url)
        user = user if user is not None else in_url[0]
        password = password if password is not None else in_url[1]
        self.transport = Transport(user, password, driver=driver, provider=provider, format=format,
                                   timeout=timeout, session=session, verify=verify)
        self._entrypoint: EntryPoint | None = None
        self._states: StateMachine | None = None

    # -- the entry point -------------------------------------------------------------------------------

    def discover(self) -> EntryPoint:
        """Read ``/api`` again (it is read once, on first use, otherwise)."""
        response = self.transport.request("GET", self.url, conditional=True)
        if response.root == "api":
            self._entrypoint = entrypoint.from_xml(self.url, response.document)
        elif isinstance(response.document, dict) and "api" in response.document:
            self._entrypoint = entrypoint.from_json(self.url, response.document)
        else:
            raise ProtocolError(f"{self.url} is not a Deltacloud API entry point", url=self.url)
        return self._entrypoint

    @property
    def entrypoint(self) -> EntryPoint:
        """What ``/api`` said (read once)."""
        return self._entrypoint or self.discover()

    @property
    def version(self) -> str:
        """The API version the server reports."""
        return self.entrypoint.version

    @property
    def driver(self) -> str | None:
        """The driver answering (the server's default unless one was chosen)."""
        return self.entrypoint.driver

    @property
    def provider(self) -> str | None:
        """The provider answering, when the server says."""
        return self.entrypoint.provider

    @property
    def collections(self) -> list[str]:
        """Names of the collections the server advertises."""
        return list(self.entrypoint.collections)

    def supports(self, collection: str) -> bool:
        """Whether the server advertises ``collection``."""
        return collection in self.entrypoint.collections

    def feature(self, collection: str, name: str) -> Feature | None:
        """The feature ``name`` of ``collection`` if the server advertises it, else ``None``."""
        found = self.entrypoint.collections.get(collection)
        return found.feature(name) if found else None

    def features(self, collection: str) -> list[Feature]:
        """Every feature advertised on ``collection``."""
        found = self.entrypoint.collections.get(collection)
        return list(found.features) if found else []

    def collection(self, name: str) -> Collection:
        """The advertised collection ``name``; :class:`NotSupportedError` when the server lacks it."""
        found = self.entrypoint.collections.get(name)
        if found is None:
            raise NotSupportedError(f"The server's driver ({self.driver}) does not support '{name}'; "
                                    f"it offers: {', '.join(self.collections)}", url=self.url)
        return found

    def valid_credentials(self) -> bool:
        """Whether the server accepts the credentials (``/api?force_auth=1``)."""
        try:
            self.transport.request("GET", with_query(self.url, force_auth="1"))
        except AuthenticationError:
            return False
        return True

    def use(self, driver: str | None = None, provider: str | None = None) -> Client:
        """A client of the same server and credentials for another driver and/or provider."""
        auth = self.transport.auth or (None, None)
        return Client(self.url, auth[0], auth[1], driver or self.transport.driver,
                      provider or self.transport.provider, format=self.transport.format,
                      timeout=self.transport.timeout, session=self.transport.session)

    # -- generic collection access ----------------------------------------------------------------------

    def item_url(self, collection: str, id: str) -> str:
        """The URL of one item: its collection's URL and its id."""
        return f"{self.collection(collection).href.rstrip('/')}/{quote(str(id), safe='')}"

    def model_from(self, response: Response, default: str) -> Any:
        """The model(s) of a response's document; ``None`` when it had no body."""
        document = response.document
        if document is None:
            return None
        cls = model_class(response.root or default)
        if response.root is None and isinstance(document, dict) and len(document) == 1:
            key, inner = next(iter(document.items()))
            if isinstance(inner, list | dict):  # the JSON wrapper: {"instance": {...}} or {"instances": [...]}
                cls, document = model_class(key), inner
        if cls is Resource:
            cls = model_class(default)
        if response.root is None:
            document = unwrap(document, cls.singular, cls.collection)
        if isinstance(document, list):
            return [cls(self, item) for item in document if isinstance(item, dict)]
        if isinstance(document, dict):
            return cls(self, document)
        return None

    def list(self, collection: str, **filters: Any) -> list[Any]:
        """Every item of ``collection``, filtered by ``filters`` (``state=``, ``realm_id=``, ``id=``...)."""
        if collection == "instance_states":
            raise ValueError("instance_states is a state machine, not a list: use instance_states()")
        url = self.collection(collection).href
        params = {k: v for k, v in filters.items() if v is not None}
        response = self.transport.request("GET", url, params=params or None, conditional=not params)
        if collection == "drivers" and response.root is None:
            return self._drivers_json(response.document)
        found = self.model_from(response, default=collection)
        return found if isinstance(found, list) else [found] if found else []

    def get(self, collection: str, id: str, *, conditional: bool = False) -> Any:
        """One item of ``collection`` by id."""
        response = self.transport.request("GET", self.item_url(collection, id), conditional=conditional)
        found = self.model_from(response, default=collection)
        if not isinstance(found, Resource):
            raise NotFoundError(f"No {collection} item '{id}' in the answer", url=response.url)
        return found

    def create(self, collection: str, **params: Any) -> Any:
        """Create an item of ``collection`` with form parameters ``params``; the created model(s)."""
        data = {k: v for k, v in params.items() if v is not None}
        response = self.transport.request("POST", self.collection(collection).href, data=data)
        created = self.model_from(response, default=collection)
        if created is None and response.headers.get("Location"):
            location = response.headers["Location"]
            return self.get(collection, location.rstrip("/").rsplit("/", 1)[-1])
        return created

    def destroy(self, collection: str, id: str) -> None:
        """Destroy an item by id, through the ``destroy`` link of its current representation."""
        self.get(collection, id).destroy()

    def _drivers_json(self, document: Any) -> list[Any]:
        cls = model_class("drivers")
        if isinstance(document, dict) and "drivers" not in document:
            # the original: {"mock": {"name": "Mock"}, ...}
            return [cls(self, {"id": key, **value}) for key, value in document.items() if isinstance(value, dict)]
        return [cls(self, item) for item in unwrap(document, "driver", "drivers")]

    def not_found(self, message: str, url: str | None = None) -> NotFoundError:
        """A :class:`NotFoundError` (for models that find something missing locally)."""
        return NotFoundError(message, url=url)

    # -- the state machine ------------------------------------------------------------------------------

    def instance_states(self) -> StateMachine:
        """The driver's instance state machine, from ``/api/instance_states`` (read once)."""
        if self._states is None:
            response = self.transport.request("GET", self.collection("instance_states").href)
            if response.root == "states":
                self._states = StateMachine.from_xml(response.document)
            else:
                self._states = StateMachine.from_json(response.document)
        return self._states

    def path(self, instance: Instance | str, state: str) -> list[str]:
        """The actions that lead the instance from its state to ``state`` (``[]`` if it is there).

        Raises :class:`UnreachableStateError` when ``state`` cannot follow from the current one.
        """
        current = instance if isinstance(instance, Instance) else self.instance(instance)
        found = self.instance_states().actions(current.state, state)
        if found is None:
            raise waiting.UnreachableStateError(
                f"Instance '{current.id}' is {current.state}; no path leads to {state.upper()}",
                state=current.state, wanted=state.upper(), url=current.href)
        return found

    def wait_for(self, instance: Instance | str, state: str, timeout: float = 60.0, *,
                 poller: waiting.Poller | None = None, progress: waiting.Progress | None = None) -> Instance | None:
        """Wait until the instance is in ``state`` (see :func:`deltacloud_client.waiting.wait_for`)."""
        return waiting.wait_for(self, instance, state, timeout, poller=poller, progress=progress)

    def drive(self, instance: Instance | str, state: str, timeout: float = 120.0, *,
              poller: waiting.Poller | None = None, progress: waiting.Progress | None = None,
              on_action: Callable[[Instance, str], None] | None = None) -> Instance | None:
        """Carry the instance to ``state`` (see :func:`deltacloud_client.waiting.drive`)."""
        return waiting.drive(self, instance, state, timeout, poller=poller, progress=progress, on_action=on_action)

    def __repr__(self) -> str:
        return f"<Client {self.url} driver={self.transport.driver or 'default'}>"
