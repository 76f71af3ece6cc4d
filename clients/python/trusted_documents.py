"""Write persisted-documents.json: the exact text of every operation the generated client sends.

    .venv/bin/python trusted_documents.py     # after `ariadne-codegen client`; commit the result

The manifest maps `sha256:<hex>` to the document, as GraphQL Code Generator's does for the
TypeScript client, so that a server running only trusted documents
(INVOICEGRAPH_TRUSTED_DOCUMENTS) accepts what this client sends. The texts are read from the
string literals given to `gql(...)` in invoicegraph_client/client.py, posted as they are.
"""

import ast
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENT = HERE / "invoicegraph_client" / "client.py"
MANIFEST = HERE / "persisted-documents.json"


def documents(source: str) -> list[str]:
    """The string passed to each gql(...) call, in the order of the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "gql":
            (argument,) = node.args
            if not isinstance(argument, ast.Constant) or not isinstance(argument.value, str):
                raise ValueError(f"line {node.lineno}: gql() of something other than a string")
            found.append(argument.value)
    return found


def manifest(source: str) -> dict[str, str]:
    return {
        f"sha256:{hashlib.sha256(text.encode()).hexdigest()}": text
        for text in sorted(documents(source))
    }


if __name__ == "__main__":
    MANIFEST.write_text(json.dumps(manifest(CLIENT.read_text()), indent=2) + "\n")
    print(f"wrote {MANIFEST.name}: {len(documents(CLIENT.read_text()))} documents")
