"""A large listing goes out in chunks of about ``CHUNK_BYTES``, made from its pieces without joining them all."""

from __future__ import annotations

import itertools
import random

import falcon
import falcon.testing
import xxhash

from deltacloud.http.etags import etag_of_parts
from deltacloud.http.streaming import CHUNK_BYTES, chunk_bounds, send_document
from deltacloud.render.document import Pieces
from deltacloud.render.fragments import FRAGMENTS


def test_chunks_cover_every_piece_in_order_and_each_but_the_last_reaches_the_size() -> None:
    rng = random.Random(12)
    for _ in range(200):
        parts = [bytes([rng.randrange(256)]) * rng.randrange(0, 40) for _ in range(rng.randrange(0, 60))]
        size = rng.randrange(1, 120)
        bounds = chunk_bounds(parts, size)
        assert bounds[0] == 0 and bounds[-1] == len(parts) and list(bounds) == sorted(set(bounds))
        chunks = [b"".join(parts[a:b]) for a, b in itertools.pairwise(bounds)]
        assert b"".join(chunks) == b"".join(parts)
        for a, b in itertools.pairwise(bounds[:-1]):  # every chunk but the last
            assert sum(map(len, parts[a:b])) >= size > sum(map(len, parts[a:b - 1]))


def _answer(parts: Pieces) -> tuple[str, bytes]:
    app = falcon.App()

    class Listing:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            send_document(req, resp, parts)

    app.add_route("/listing", Listing())
    result = falcon.testing.TestClient(app).simulate_get("/listing")
    return result.headers["etag"], result.content


def test_a_large_listing_is_the_same_bytes_when_its_chunks_are_kept_on_its_pieces() -> None:
    piece = b"<instance>" + b"x" * 1000 + b"</instance>"
    parts = Pieces([b"<instances>", *([piece] * 600), b"</instances>"])  # about 600 KB: three chunks
    assert parts.bounds is None
    etag, body = _answer(parts)
    assert body == b"".join(parts) and len(body) > 2 * CHUNK_BYTES
    assert parts.bounds == chunk_bounds(parts, CHUNK_BYTES) and len(parts.bounds) == 4  # kept, three chunks
    again, same = _answer(parts)  # from what was kept
    assert (again, same) == (etag, body)


def test_with_the_cache_off_a_listings_etag_is_the_xxh3_of_its_bytes_and_follows_them(monkeypatch) -> None:
    monkeypatch.setattr(FRAGMENTS, "enabled", False)
    piece = b"<instance>" + b"x" * 1000 + b"</instance>"
    for count in (3, 600):  # one whole body, and one sent in chunks
        parts = [b"<instances>", *([piece] * count), b"</instances>"]
        etag, body = _answer(Pieces(parts))
        assert body == b"".join(parts)
        assert etag == '"' + xxhash.xxh3_128_hexdigest(body) + '"' == etag_of_parts(parts)
        changed, _ = _answer(Pieces([*parts[:-2], piece.replace(b"x", b"y", 1), parts[-1]]))
        assert changed != etag


def test_etag_of_parts_does_not_depend_on_where_the_bytes_are_cut() -> None:
    data = bytes(range(256)) * 40
    rng = random.Random(5)
    for _ in range(50):
        cuts = sorted(rng.sample(range(len(data)), rng.randrange(0, 30)))
        parts = [data[a:b] for a, b in itertools.pairwise([0, *cuts, len(data)])]
        assert etag_of_parts(parts) == etag_of_parts([data])
