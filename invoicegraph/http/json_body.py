"""Request bodies that strawberry would turn into a 500 are refused as the 400s they are, and
responses past max_response_bytes are answered with RESPONSE_TOO_LARGE.

Strawberry catches only JSONDecodeError. A body that is JSON but not an object, nested past
Python's recursion limit, not UTF-8, or holding a number of more than 4,300 digits raised
something else; so did strings no database can store (lone surrogates, NUL). All of them are
the caller's mistakes, answered here with 400 before any of our code runs.
"""

import json
from typing import Any

import orjson
from cross_web import HTTPException


def storable(value: Any) -> bool:
    """No string anywhere in the value holds a lone surrogate or a NUL character."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024


def too_large(data: object, size: int, limit: int) -> object:
    """What goes out instead of a body of `size` bytes: the same envelope (a GraphQL response,
    or the graphql-transport-ws message that carries one), its data replaced by the error."""
    message = f"The response would be {size} bytes; at most {limit} are sent. Ask for less."
    error = {"message": message, "extensions": {"code": "RESPONSE_TOO_LARGE"}}
    if not isinstance(data, dict):
        return {"data": None, "errors": [error]}
    if data.get("type") == "next" and isinstance(data.get("payload"), dict):
        return {**data, "payload": too_large(data["payload"], size, limit)}
    answer = {"data": None, "errors": [error]}
    if isinstance(data.get("extensions"), dict):
        answer["extensions"] = data["extensions"]
    return answer


class StrictJsonBody:
    """Mixed into the GraphQL view: JSON bodies and `variables` are parsed strictly, and
    responses are encoded with orjson (several times faster than json for large pages)."""

    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    """A response body (an HTTP response, a WebSocket message) longer than this is replaced
    by one RESPONSE_TOO_LARGE error."""

    def encode_json(self, data: object) -> str:
        # str, not bytes: graphql-transport-ws messages must go out as text frames.
        return self.encode_json_bytes(data).decode()

    def encode_json_bytes(self, data: object) -> bytes:
        """An HTTP response body, as bytes: encoded once, sent as it is."""
        encoded = orjson.dumps(data)
        if len(encoded) > self.max_response_bytes:
            encoded = orjson.dumps(too_large(data, len(encoded), self.max_response_bytes))
        return encoded

    def parse_json(self, data: str | bytes) -> Any:
        """An HTTP body (or its variables): a refusal is HTTP 400 with the reason."""
        try:
            return self.decode_json(data)
        except NotAJsonObject as refused:
            raise HTTPException(400, refused.reason) from refused

    def decode_json(self, data: str | bytes) -> object:
        """Also each graphql-transport-ws message: strawberry closes the socket with 4400 on
        a JSONDecodeError, which NotAJsonObject is."""
        try:
            decoded = json.loads(data)
        except (ValueError, RecursionError) as error:  # JSONDecodeError, bad UTF-8, huge ints
            raise NotAJsonObject("Unable to parse request body as JSON") from error
        if not isinstance(decoded, dict):
            raise NotAJsonObject("The request body (and variables) must be a JSON object")
        if not storable(decoded):
            raise NotAJsonObject("Strings must be valid Unicode without NUL characters")
        return decoded


class NotAJsonObject(json.JSONDecodeError):
    """What is not a JSON object this API can store, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "", 0)
        self.reason = reason
