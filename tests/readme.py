"""The README's GraphQL examples, read as a newcomer reads them: in order, each with its answer.

The tour ("## An example") runs on the demo data in order: an example is a ```graphql block; the
```json blocks after it (before the next example) are its variables, when the line before says
"variables", and its answer otherwise. Ids that differ in every database (`inv_` and 20 base32
characters) are shown as `inv_…`, and compared so. The GraphQL blocks of the other sections
(webhooks need a public https URL, which the demo cannot reach) are at least valid documents.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

README = Path(__file__).parents[1] / "README.md"

_FENCE = re.compile(r"^```(\w+)\n(.*?)\n```$", re.MULTILINE | re.DOTALL)
_OPERATION = re.compile(r"^\s*(query|mutation|subscription)\b\s*(\w*)")
_PUBLIC_ID = re.compile(r"\b(ws|cli|inv|li|usr|txn|pay|whe|whd|evt|cpn|promo|disc)_[a-z2-7]{20}\b")


@dataclass(frozen=True)
class Example:
    document: str
    line: int
    """Where the example starts in README.md, for messages."""
    variables: dict[str, Any]
    answer: Any

    @property
    def kind(self) -> str:
        found = _OPERATION.match(self.document)
        return found.group(1) if found else "query"

    @property
    def name(self) -> str:
        found = _OPERATION.match(self.document)
        return found.group(2) if found and found.group(2) else f"line {self.line}"


TOUR = "## An example\n"


def tour(text: str) -> str:
    """The README's section that walks through the demo, example after example."""
    start = text.index(TOUR)
    end = text.find("\n## ", start + len(TOUR))
    return text[start : end if end != -1 else len(text)]


def other_documents(text: str | None = None) -> list[str]:
    """The GraphQL blocks of the README outside the tour."""
    text = README.read_text() if text is None else text
    section = tour(text)
    rest = text.replace(section, "")
    return [fence.group(2) for fence in _FENCE.finditer(rest) if fence.group(1) == "graphql"]


def examples(text: str | None = None) -> list[Example]:
    """Every GraphQL example of the README's tour, in order; each must show its answer."""
    full = README.read_text() if text is None else text
    text = tour(full)
    offset = full.count("\n", 0, full.index(text))
    found: list[Example] = []
    pending: dict[str, Any] | None = None
    for fence in _FENCE.finditer(text):
        language, body = fence.group(1), fence.group(2)
        if language == "graphql":
            _close(found, pending)
            line = offset + text.count("\n", 0, fence.start()) + 1
            pending = {"document": body, "line": line, "variables": {}, "answer": None}
        elif language == "json" and pending is not None and pending["answer"] is None:
            before = text[: fence.start()].rstrip().rsplit("\n", 1)[-1]
            pending["variables" if "variables" in before else "answer"] = json.loads(body)
    _close(found, pending)
    return found


def _close(found: list[Example], pending: dict[str, Any] | None) -> None:
    if pending is None:
        return
    assert pending["answer"] is not None, (
        f"README.md:{pending['line']}: an example without its answer"
    )
    found.append(Example(**pending))


def with_ids_elided(value: Any) -> Any:
    """`value` with every public id shown as the README shows it: `inv_…`."""
    return json.loads(_PUBLIC_ID.sub(r"\1_…", json.dumps(value, ensure_ascii=False)))
