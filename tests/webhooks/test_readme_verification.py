"""The README's receivers, in Python and in Node, verify a real delivery's signature (and
refuse a changed body), so what the README tells customers to run is what we send."""

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from invoicegraph.webhooks.signing import HEADER
from tests.operations import CREATE_INVOICE_MINIMAL, invoice_input
from tests.support import Api
from tests.webhooks.operations import CREATE_ENDPOINT, until
from tests.webhooks.receiver import Receipt, Receiver

README = Path(__file__).resolve().parents[2] / "README.md"


def snippet(language: str, marker: str) -> str:
    blocks: list[str] = re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.DOTALL)
    (found,) = [block for block in blocks if marker in block]
    return found


async def a_delivery(api: Api) -> tuple[Receipt, str]:
    receiver = Receiver().start()
    try:
        made = await api.ok(
            CREATE_ENDPOINT, input={"url": receiver.url, "eventTypes": ["INVOICE_CREATED"]}
        )
        secret: str = made["createWebhookEndpoint"]["secret"]
        await api.ok(CREATE_INVOICE_MINIMAL, input=invoice_input("readme-1"))
        (receipt,) = await until(receiver.succeeded, "the delivery")
        return receipt, secret
    finally:
        receiver.stop()


async def test_the_python_receiver_verifies_a_delivery(api: Api) -> None:
    receipt, secret = await a_delivery(api)
    namespace: dict[str, object] = {}
    exec(snippet("python", "def verify(header: str, body: bytes"), namespace)
    verify = namespace["verify"]
    assert callable(verify)
    check: Callable[[str, bytes, str], bool] = verify
    header = receipt.headers[HEADER]
    assert check(header, receipt.body, secret) is True
    assert check(header, receipt.body + b" ", secret) is False
    assert check(header, receipt.body, "whsec_wrong") is False


async def test_the_node_receiver_verifies_a_delivery(api: Api) -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Node is needed for the README's Node receiver")
        pytest.skip("Node is not installed")
    receipt, secret = await a_delivery(api)
    program = snippet("js", "function verify(header") + (
        "\nconst [header, body, secret] = JSON.parse(process.argv[1]);\n"
        "const raw = Buffer.from(body, 'base64');\n"
        "console.log(JSON.stringify([verify(header, raw, secret),"
        " verify(header, Buffer.concat([raw, Buffer.from(' ')]), secret),"
        " verify(header, raw, 'whsec_wrong')]));\n"
    )
    arguments = json.dumps(
        [receipt.headers[HEADER], base64.b64encode(receipt.body).decode(), secret]
    )
    ran = await asyncio.create_subprocess_exec(
        node, "-e", program, arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(ran.communicate(), 30)
    assert ran.returncode == 0, err.decode()
    assert json.loads(out) == [True, False, False]
