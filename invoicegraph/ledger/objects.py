"""Users, products and external accounts as objects: their inputs' rules and fingerprints.

Each is created idempotently on the caller's key (a user's and an account's externalId, a
product's code): the same input again is a replay, another input under the same key a conflict.
"""

import hashlib
import json
from dataclasses import dataclass

from invoicegraph.ledger.errors import BadRequest, FieldProblem, Path
from invoicegraph.ledger.invoices import KEY_MAX, text_problems
from invoicegraph.ledger.tags import RESERVED_CHARACTERS, Tag, tag_problems

NAME_MAX = 200
DESCRIPTION_MAX = 1000


def _digest(canonical: object) -> str:
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def key_problems(key: str, path: Path) -> list[FieldProblem]:
    """A caller's key: 1-128 characters, none of FRAGMENT's reserved #, / or :."""
    problems = text_problems(key, path, maximum=KEY_MAX)
    if not problems and RESERVED_CHARACTERS.intersection(key):
        problems.append(FieldProblem(path, "must not contain #, / or :"))
    return problems


@dataclass(frozen=True, slots=True)
class CreateUser:
    external_id: str
    tags: tuple[Tag, ...] = ()

    def validated(self) -> "CreateUser":
        problems = text_problems(self.external_id, ("externalId",), maximum=KEY_MAX)
        problems += tag_problems(self.tags, ("tags",))
        if problems:
            raise BadRequest(problems)
        return self

    def fingerprint(self) -> str:
        return _digest([self.external_id, [[tag.key, tag.value] for tag in self.tags]])


@dataclass(frozen=True, slots=True)
class CreateProduct:
    code: str
    description: str | None = None

    def validated(self) -> "CreateProduct":
        problems = key_problems(self.code, ("code",))
        if self.description is not None:
            problems += text_problems(self.description, ("description",), maximum=DESCRIPTION_MAX)
        if problems:
            raise BadRequest(problems)
        return self

    def fingerprint(self) -> str:
        return _digest([self.code, self.description])


@dataclass(frozen=True, slots=True)
class CreateExternalAccount:
    external_id: str
    name: str

    def validated(self) -> "CreateExternalAccount":
        problems = key_problems(self.external_id, ("externalId",))
        problems += text_problems(self.name, ("name",), maximum=NAME_MAX)
        if problems:
            raise BadRequest(problems)
        return self

    def fingerprint(self) -> str:
        return _digest([self.external_id, self.name])
