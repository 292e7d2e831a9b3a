"""Automatic persisted queries (Apollo's APQ protocol, version 1).

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": h}`:

- with the document too: the gateway checks sha256(document) == h, remembers
  it (an in-process LRU, and the `cache` state store with a TTL, so every
  gateway process knows it) and runs it;
- without the document: the gateway looks h up (LRU first, then the store)
  and runs what it finds, or answers `PersistedQueryNotFound` (HTTP 200,
  code PERSISTED_QUERY_NOT_FOUND) so the client resends with the document.

Works over POST and GET (GET carries `extensions` as JSON in the URL). The
document found this way goes through the same limits as one sent inline
(tokens, depth, aliases: they run when it is parsed and validated); only
documents that parse within the token limit are stored. A store that fails
is an optimisation lost, not an error: lookups then miss, saves are logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, parse

from gateway.cache.store import StateStore, StateStoreError

log = logging.getLogger(__name__)

KEY_PREFIX = "apq:"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """A refused APQ request, answered as GraphQL-shaped JSON."""

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def not_found() -> PersistedQueryError:
    return PersistedQueryError(
        "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 200
    )


def _bad(message: str, code: str = "BAD_REQUEST") -> PersistedQueryError:
    return PersistedQueryError(message, code, 400)


class PersistedQueries:
    """hash -> document: a bounded in-process LRU over an optional state store."""

    def __init__(
        self,
        store: StateStore | None = None,
        capacity: int = 1000,
        ttl_seconds: int = 86_400,
    ) -> None:
        self._store = store
        self._capacity = capacity
        self._ttl = ttl_seconds
        self._local: OrderedDict[str, str] = OrderedDict()

    async def get(self, sha256: str) -> str | None:
        document = self._local.get(sha256)
        if document is not None:
            self._local.move_to_end(sha256)
            return document
        if self._store is None:
            return None
        try:
            document = await self._store.get(KEY_PREFIX + sha256)
        except StateStoreError as err:
            log.warning("persisted query lookup failed: %s", err)
            return None
        if document is not None:
            self._remember(sha256, document)
        return document

    async def put(self, sha256: str, document: str) -> None:
        known = sha256 in self._local
        self._remember(sha256, document)
        if known or self._store is None:
            return
        try:
            await self._store.save(KEY_PREFIX + sha256, document, self._ttl)
        except StateStoreError as err:
            log.warning("persisted query not stored: %s", err)

    def _remember(self, sha256: str, document: str) -> None:
        self._local[sha256] = document
        self._local.move_to_end(sha256)
        while len(self._local) > self._capacity:
            self._local.popitem(last=False)


def _extensions(request: Mapping[str, Any]) -> Mapping[str, Any] | None:
    extensions = request.get("extensions")
    if isinstance(extensions, str):  # GET: JSON in the query string
        try:
            extensions = json.loads(extensions) if extensions else None
        except ValueError:
            return None  # strawberry answers the malformed JSON itself
    return extensions if isinstance(extensions, Mapping) else None


def persisted_hash(request: object) -> str | None:
    """The request's `sha256Hash` if it uses APQ; refuses malformed ones."""
    if not isinstance(request, Mapping):
        return None
    extensions = _extensions(request)
    persisted = extensions.get("persistedQuery") if extensions else None
    if persisted is None:
        return None
    if not isinstance(persisted, Mapping) or persisted.get("version") != 1:
        raise _bad("Unsupported persisted query version (only 1 is).")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise _bad("persistedQuery.sha256Hash must be 64 lowercase hex digits.")
    return sha256


def _parses(document: str, max_tokens: int) -> bool:
    try:
        parse(document, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return False
    return True


async def resolve(
    request: object, queries: PersistedQueries, max_tokens: int
) -> str | None:
    """The document an APQ request runs (None if it does not use APQ).
    Registers a document sent with its hash; raises PersistedQueryError."""
    sha256 = persisted_hash(request)
    if sha256 is None:
        return None
    assert isinstance(request, Mapping)
    document = request.get("query")
    if isinstance(document, str) and document:
        if hashlib.sha256(document.encode()).hexdigest() != sha256:
            raise _bad(
                "provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH"
            )
        if _parses(document, max_tokens):
            await queries.put(sha256, document)
        return document
    document = await queries.get(sha256)
    if document is None:
        raise not_found()
    return document
