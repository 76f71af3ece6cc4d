"""Users as objects: createUser (idempotent on externalId), updateUser (tags), users (paged,
filtered by tags), user lookups; users named by a line item are still created implicitly."""

from typing import Any

from tests.operations import CREATE_INVOICE, invoice_input, line_item
from tests.support import Api

CREATE_USER = """
mutation Create($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on CreateUserResult { isIkReplay user { id externalId tags { key value } } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""

UPDATE_USER = """
mutation Update($input: UpdateUserInput!) {
  updateUser(input: $input) {
    __typename
    ... on UpdateUserResult { user { id externalId tags { key value } } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""

USERS = """
query Users($first: Int, $after: String, $filter: UsersFilter) {
  allUsers(first: $first, after: $after, filter: $filter) {
    nodes { externalId tags { key value } }
    edges { cursor node { externalId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

USER = """
query User($user: UserMatchInput!) { user(user: $user) { id externalId tags { key value } } }
"""


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in pairs]


async def create_user(api: Api, external_id: str, *pairs: tuple[str, str]) -> dict[str, Any]:
    data = await api.ok(CREATE_USER, input={"externalId": external_id, "tags": tags(*pairs)})
    result: dict[str, Any] = data["createUser"]
    return result


async def users_listed(api: Api, **variables: Any) -> list[str]:
    data = await api.ok(USERS, **variables)
    return [node["externalId"] for node in data["allUsers"]["nodes"]]


async def test_create_user_with_tags_then_replay_and_conflict(api: Api) -> None:
    # given
    created = await create_user(api, "cust_1", ("tier", "gold"), ("region", "eu"))
    # when
    replay = await create_user(api, "cust_1", ("tier", "gold"), ("region", "eu"))
    conflict = await create_user(api, "cust_1", ("tier", "silver"))
    # then
    assert created["isIkReplay"] is False
    assert created["user"]["tags"] == tags(("tier", "gold"), ("region", "eu"))
    assert replay == {**created, "isIkReplay": True}
    assert conflict["__typename"] == "IkConflictError"
    assert conflict["code"] == "IK_CONFLICT"
    found = await api.ok(USER, user={"externalId": "cust_1"})
    assert found["user"] == created["user"]
    assert (await api.ok(USER, user={"id": created["user"]["id"]}))["user"] == created["user"]


async def test_a_user_a_line_item_made_is_taken_over_by_its_first_create_user(api: Api) -> None:
    # given a user first named by a line item
    await api.ok(CREATE_INVOICE, input=invoice_input("i-1", line_item(user="walk_in")))
    before = (await api.ok(USER, user={"externalId": "walk_in"}))["user"]
    assert before["tags"] == []
    # when
    created = await create_user(api, "walk_in", ("tier", "gold"))
    again = await create_user(api, "walk_in", ("tier", "gold"))
    other = await create_user(api, "walk_in")
    # then: the same user, now createUser's
    assert created["isIkReplay"] is False
    assert created["user"]["id"] == before["id"]
    assert created["user"]["tags"] == tags(("tier", "gold"))
    assert again["isIkReplay"] is True
    assert other["__typename"] == "IkConflictError"


async def test_line_items_still_create_unknown_users_and_reuse_created_ones(api: Api) -> None:
    created = await create_user(api, "known", ("tier", "gold"))
    await api.ok(
        CREATE_INVOICE,
        input=invoice_input("i-1", line_item(user="known"), line_item(user="brand_new")),
    )
    listed = await users_listed(api)
    assert listed == ["known", "brand_new"]
    found = await api.ok(USER, user={"externalId": "known"})
    assert found["user"] == created["user"]


async def test_create_user_refuses_bad_input_and_writes_nothing(api: Api) -> None:
    result = await create_user(api, "x" * 129, ("", "v"), ("k", "a/b"), ("dup", "1"), ("dup", "2"))
    assert result["__typename"] == "BadRequestError"
    assert {".".join(error["field"]) for error in result["fieldErrors"]} == {
        "externalId",
        "tags.0.key",
        "tags.1.value",
        "tags.3.key",
    }
    assert await users_listed(api) == []


async def test_update_user_sets_and_removes_tags_as_update_invoice_does(api: Api) -> None:
    created = await create_user(api, "cust_1", ("tier", "gold"), ("region", "eu"))
    data = await api.ok(
        UPDATE_USER,
        input={
            "user": {"id": created["user"]["id"]},
            "tags": {"set": tags(("tier", "silver"), ("plan", "pro")), "remove": ["region"]},
        },
    )
    assert data["updateUser"]["user"]["tags"] == tags(("tier", "silver"), ("plan", "pro"))
    by_key = await api.ok(
        UPDATE_USER, input={"user": {"externalId": "cust_1"}, "tags": {"remove": ["plan"]}}
    )
    assert by_key["updateUser"]["user"]["tags"] == tags(("tier", "silver"))
    # the replay of createUser still answers the user as it is now
    replay = await create_user(api, "cust_1", ("tier", "gold"), ("region", "eu"))
    assert replay["isIkReplay"] is True
    assert replay["user"]["tags"] == tags(("tier", "silver"))


async def test_update_user_refuses_unknown_users_and_bad_tags(api: Api, other_api: Api) -> None:
    theirs = await create_user(other_api, "their_user", ("tier", "gold"))
    mine = await create_user(api, "mine", ("tier", "gold"))
    for user in ({"id": theirs["user"]["id"]}, {"externalId": "their_user"}, {"id": "usr_x"}):
        data = await api.ok(UPDATE_USER, input={"user": user, "tags": {"remove": ["tier"]}})
        assert data["updateUser"]["__typename"] == "NotFoundError"
    assert await users_listed(api) == ["mine"]  # updateUser never creates a user
    refused = await api.ok(
        UPDATE_USER,
        input={
            "user": {"externalId": "mine"},
            "tags": {"set": tags(("tier", "a:b"), ("x", "1")), "remove": ["x"]},
        },
    )
    assert refused["updateUser"]["__typename"] == "BadRequestError"
    assert {".".join(e["field"]) for e in refused["updateUser"]["fieldErrors"]} == {
        "tags.set.0.value",
        "tags.remove",
    }
    after = await api.ok(USER, user={"externalId": "mine"})
    assert after["user"]["tags"] == mine["user"]["tags"]
    theirs_after = await other_api.ok(USER, user={"externalId": "their_user"})
    assert theirs_after["user"]["tags"] == tags(("tier", "gold"))


async def test_update_user_takes_fragments_tag_operations(api: Api) -> None:
    # given a user with two tags
    await create_user(api, "ops", ("tier", "gold"), ("region", "eu"))
    user = {"externalId": "ops"}
    # when a key is created, another updated and a third deleted, at once
    data = await api.ok(
        UPDATE_USER,
        input={
            "user": user,
            "tags": {
                "create": tags(("plan", "pro")),
                "update": tags(("tier", "silver")),
                "delete": [{"key": "region"}],
            },
        },
    )
    # then
    assert data["updateUser"]["user"]["tags"] == tags(("tier", "silver"), ("plan", "pro"))
    # and creating a key that exists, or updating one that does not, is refused and changes
    # nothing
    for operations, field in (
        ({"create": tags(("tier", "gold"))}, "tags.create.0.key"),
        ({"update": tags(("missing", "x"))}, "tags.update.0.key"),
    ):
        refused = await api.ok(UPDATE_USER, input={"user": user, "tags": operations})
        assert refused["updateUser"]["__typename"] == "BadRequestError", refused
        assert [".".join(e["field"]) for e in refused["updateUser"]["fieldErrors"]] == [field]
    after = await api.ok(USER, user=user)
    assert after["user"]["tags"] == tags(("tier", "silver"), ("plan", "pro"))


async def test_update_user_refuses_more_than_fifty_tags(api: Api) -> None:
    await create_user(api, "full", *((f"k{n}", "v") for n in range(50)))
    refused = await api.ok(
        UPDATE_USER,
        input={"user": {"externalId": "full"}, "tags": {"set": tags(("one_more", "v"))}},
    )
    assert refused["updateUser"]["__typename"] == "BadRequestError"
    assert refused["updateUser"]["fieldErrors"][0]["field"] == ["tags", "set"]


async def test_users_list_pages_forward_with_cursors(api: Api) -> None:
    for index in range(5):
        await create_user(api, f"u{index}")
    first = await api.ok(USERS, first=2)
    assert [n["externalId"] for n in first["allUsers"]["nodes"]] == ["u0", "u1"]
    assert first["allUsers"]["pageInfo"]["hasNextPage"] is True
    assert first["allUsers"]["pageInfo"]["hasPreviousPage"] is False
    assert first["allUsers"]["edges"][-1]["cursor"] == first["allUsers"]["pageInfo"]["endCursor"]
    second = await api.ok(USERS, first=2, after=first["allUsers"]["pageInfo"]["endCursor"])
    assert [n["externalId"] for n in second["allUsers"]["nodes"]] == ["u2", "u3"]
    third = await api.ok(USERS, first=2, after=second["allUsers"]["pageInfo"]["endCursor"])
    assert [n["externalId"] for n in third["allUsers"]["nodes"]] == ["u4"]
    assert third["allUsers"]["pageInfo"]["hasNextPage"] is False


async def test_users_list_refuses_bad_cursors_and_sizes(api: Api) -> None:
    for arguments in ({"after": "nonsense"}, {"first": 201}, {"first": -1}):
        result = await api.query(USERS, **arguments)
        assert result.codes == ["BAD_USER_INPUT"], result.errors


async def test_users_filtered_by_tags_with_wildcards(api: Api) -> None:
    await create_user(api, "a", ("tier", "gold"), ("region", "eu-west"))
    await create_user(api, "b", ("tier", "gold"), ("region", "us-east"))
    await create_user(api, "c", ("tier", "silver"), ("region", "eu-north"))
    await create_user(api, "d")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"all": tags(("tier", "gold"))}, ["a", "b"]),
        ({"all": tags(("region", "eu-*"))}, ["a", "c"]),
        ({"all": tags(("tier", "gold"), ("region", "eu-*"))}, ["a"]),
        ({"any": tags(("tier", "silver"), ("region", "us-????"))}, ["b", "c"]),
        ({"all": tags(("region", "*"))}, ["a", "b", "c"]),
        ({"all": tags(("tier", "Gold"))}, []),
        ({"all": tags(("tier", "g_ld"))}, []),
    ]
    got = [(f, await users_listed(api, filter={"tags": f})) for f, _ in cases]
    assert got == cases
