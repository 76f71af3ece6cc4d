"""Invoices as PostgreSQL JSON: the same values the standard resolvers answer, field by field.

Money (Int96) is NUMERIC(29, 0) cast to text, the decimal strings the scalar serializes.
Balances are summed here as resolvers/balances.py sums them: expected from the line items'
`due`, actual from the payments, one entry per currency of either, ordered by code (COLLATE
"C": byte order, as Python sorts). Cursors are encode_cursor's, written in SQL. The
equivalence tests (tests/sqljson) compare every field with the standard executor's answer.
"""

from invoicegraph.sqljson.selections import Fields, Fragments, plain, subfields
from invoicegraph.sqljson.statement import (
    Getter,
    Statement,
    Unsupported,
    json_list,
    json_object,
    text_literal,
)

INVOICE = {
    "id": "{r}.public_id",
    "invoiceId": "{r}.invoice_id",
    "status": "{r}.status",
    "version": "{r}.version",
    "number": "{r}.number",
    "description": "{r}.description",
    "footer": "{r}.footer",
    "subscriptionId": "{r}.subscription_id",
}
LINE_ITEM = {
    "id": "{r}.public_id",
    "description": "{r}.description",
    "productId": "{r}.product_id",
    "type": "{r}.type",
    "currency": "{r}.currency",
    "discount": "{r}.discount::text",
    "total": "{r}.due::text",
}
PRICE = {
    "amount": "{r}.amount::text",
    "quantity": "{r}.quantity",
    "unitPrice": "{r}.unit_price::text",
}
USER = {"id": "{r}.public_id", "externalId": "{r}.external_id"}
LARGEST_ID = 2**63 - 1
"""Above every row id (bigint): the first page's seek bound."""
PAGE_COLUMNS = ("id", "created", *(column.removeprefix("{r}.") for column in INVOICE.values()))


Joins = list[str]
"""LEFT JOINs a page's invoice objects read their lists from: one grouped table per list."""


def invoice_object(
    statement: Statement,
    fields: Fields,
    row: str,
    fragments: Fragments,
    joins: Joins | None = None,
) -> str:
    """The invoice `row` as JSON. With `joins` (a page: `row` is its rows' CTE) the lists come
    from one grouped read for the whole page, joined by invoice id and added to `joins`;
    without, from subqueries of the one invoice."""
    nested: dict[str, str] = {}
    for key, nodes in fields.items():
        name = plain(nodes)
        if name not in ("lineItems", "balances"):
            continue
        write = _line_items if name == "lineItems" else _balances
        below = subfields(nodes, "LineItem" if name == "lineItems" else "Balance", fragments)
        if joins is None:
            element, source, order = write(statement, below, fragments, f"= {row}.id")
            nested[key] = json_list(element, source, order)
        else:
            element, source, order = write(
                statement, below, fragments, f"= ANY (ARRAY(SELECT id FROM {row}))"
            )
            grouped = statement.alias("x")
            joins.append(
                f"LEFT JOIN (SELECT invoice_id, json_agg({element} ORDER BY {order}) AS j "
                f"FROM {source} GROUP BY invoice_id) {grouped} ON {grouped}.invoice_id = {row}.id"
            )
            nested[key] = f"coalesce({grouped}.j, '[]'::json)"
    return _keyed_object("Invoice", fields, INVOICE, row, nested)


def _keyed_object(
    type_name: str, fields: Fields, columns: dict[str, str], row: str, nested: dict[str, str]
) -> str:
    """One JSON object of `row`: `__typename`, columns (SQL templates of `{r}`) and nested
    values already written, the last by response key (two aliases of one field may differ)."""
    pairs = []
    for key, nodes in fields.items():
        name = plain(nodes)
        if key in nested:
            pairs.append((key, nested[key]))
        elif name == "__typename":
            pairs.append((key, text_literal(type_name)))
        elif name in columns:
            pairs.append((key, columns[name].format(r=row)))
        else:
            raise Unsupported(f"{type_name}.{name}")
    return json_object(pairs)


def _line_items(
    statement: Statement, fields: Fields, fragments: Fragments, invoices: str
) -> tuple[str, str, str]:
    """(element, source, order) of line items whose invoice_id is `invoices` (`= i.id`, or
    `IN (...)`), in insertion order; their user joined where selected (a subquery per line
    item cost 10 us each: on a small users table PostgreSQL scans it)."""
    item, user = statement.alias("l"), statement.alias("u")
    source = f"line_items {item}"
    nested: dict[str, str] = {}
    for key, nodes in fields.items():
        name = plain(nodes)
        if name == "price":
            price = subfields(nodes, "Price", fragments)
            nested[key] = _keyed_object("Price", price, PRICE, item, {})
        elif name == "user":
            chosen = subfields(nodes, "User", fragments)
            nested[key] = _keyed_object("User", chosen, USER, user, {})
            source = f"line_items {item} JOIN users {user} ON {user}.id = {item}.user_id"
    element = _keyed_object("LineItem", fields, LINE_ITEM, item, nested)
    return element, f"{source} WHERE {item}.invoice_id {invoices}", f"{item}.id"


AMOUNTS = {
    "payins": ("{b}.ie", "{b}.ia"),
    "payouts": ("{b}.oe", "{b}.oa"),
    "net": ("({b}.ie - {b}.oe)", "({b}.ia - {b}.oa)"),
}


def _balances(
    statement: Statement, fields: Fields, fragments: Fragments, invoices: str
) -> tuple[str, str, str]:
    """(element, source, order) of the balances of the invoices `invoices` names: per invoice
    and currency, the line items' due and the payments, summed by flow."""
    b, f, item, paid = (statement.alias(prefix) for prefix in ("b", "f", "l", "p"))
    nested: dict[str, str] = {}
    for key, nodes in fields.items():
        name = plain(nodes)
        if name in AMOUNTS:
            expected, actual = (part.format(b=b) for part in AMOUNTS[name])
            columns = {
                "expected": f"({expected})::text",
                "actual": f"({actual})::text",
                "remaining": f"({expected} - {actual})::text",
            }
            amounts = subfields(nodes, "BalanceAmounts", fragments)
            nested[key] = _keyed_object("BalanceAmounts", amounts, columns, b, {})
    element = _keyed_object("Balance", fields, {"currency": "{r}.currency"}, b, nested)

    def total(expected: bool, flow: str) -> str:
        which = f"{f}.expected" if expected else f"NOT {f}.expected"
        return f"coalesce(sum({f}.amount) FILTER (WHERE {which} AND {f}.type = '{flow}'), 0)"

    sums = (
        f"(SELECT {f}.invoice_id, {f}.currency, {total(True, 'PAYIN')} AS ie, "
        f"{total(False, 'PAYIN')} AS ia, {total(True, 'PAYOUT')} AS oe, "
        f"{total(False, 'PAYOUT')} AS oa FROM ("
        f"SELECT {item}.invoice_id, {item}.currency, {item}.type, {item}.due AS amount, "
        f"true AS expected FROM line_items {item} WHERE {item}.invoice_id {invoices} UNION ALL "
        f"SELECT {paid}.invoice_id, {paid}.currency, {paid}.type, {paid}.amount, false "
        f"FROM payments {paid} WHERE {paid}.invoice_id {invoices}"
        f") {f} GROUP BY {f}.invoice_id, {f}.currency) {b}"
    )
    return element, sums, f'{b}.currency COLLATE "C"'


def invoice_by_key(
    statement: Statement, fields: Fields, fragments: Fragments, workspace: str, key: Getter
) -> str:
    row = statement.alias("i")
    chosen = invoice_object(statement, fields, row, fragments)
    invoice_id = statement.param(key, "text")
    return (
        f"(SELECT {chosen} FROM invoices {row} "
        f"WHERE {row}.workspace_id = {workspace} AND {row}.invoice_id = {invoice_id})"
    )


def _cursor(row: str) -> str:
    """encode_cursor("inv", "created", True, micros(created), public_id) in SQL: the JSON
    list without spaces, base64url without padding (PostgreSQL's base64 breaks lines)."""
    micros = f"((extract(epoch FROM {row}.created) * 1000000)::bigint)::text"
    listed = f"""'["inv","created",true,' || {micros} || ',"' || {row}.public_id || '"]'"""
    encoded = f"encode(convert_to({listed}, 'UTF8'), 'base64')"
    return f"rtrim(translate({encoded}, E'+/\\n', '-_'), '=')"


def invoice_page(
    statement: Statement,
    fields: Fields,
    fragments: Fragments,
    workspace: str,
    values: Getter,
) -> str:
    """A page of `invoices(first:, after:)` in the default order (created, then row id,
    newest first), sought by key: one row more than the page says whether another follows."""
    row, page, seek = (statement.alias(prefix) for prefix in ("i", "g", "s"))
    first = statement.param(lambda bound: values(bound)["first"], "bigint")
    after = statement.param(lambda bound: values(bound)["after_created"], "timestamptz")
    after_id = statement.param(lambda bound: values(bound)["after_public_id"], "text")
    in_page = f"{page}.n <= {first}"
    pairs = []
    joins: Joins = []
    for key, nodes in fields.items():
        name = plain(nodes)
        if name == "__typename":
            pairs.append((key, "'InvoiceConnection'"))
        elif name == "nodes":
            node = invoice_object(
                statement, subfields(nodes, "Invoice", fragments), page, fragments, joins
            )
            pairs.append((key, _aggregate(node, page, in_page)))
        elif name == "edges":
            edge_pairs = []
            for edge_key, edge_nodes in subfields(nodes, "InvoiceEdge", fragments).items():
                edge_name = plain(edge_nodes)
                if edge_name == "__typename":
                    edge_pairs.append((edge_key, "'InvoiceEdge'"))
                elif edge_name == "cursor":
                    edge_pairs.append((edge_key, _cursor(page)))
                elif edge_name == "node":
                    invoice = subfields(edge_nodes, "Invoice", fragments)
                    edge_pairs.append(
                        (edge_key, invoice_object(statement, invoice, page, fragments, joins))
                    )
                else:
                    raise Unsupported(f"InvoiceEdge.{edge_name}")
            pairs.append((key, _aggregate(json_object(edge_pairs), page, in_page)))
        elif name == "pageInfo":
            selected = subfields(nodes, "PageInfo", fragments)
            asked = {plain(field) for field in selected.values()}
            info = {
                "hasNextPage": f"count(*) > {first}",
                # a parameter only where it is read: the server counts the ones it is sent
                "hasPreviousPage": statement.param(
                    lambda bound: values(bound)["has_previous"], "boolean"
                )
                if "hasPreviousPage" in asked
                else "false",
                "startCursor": (
                    f"(array_agg({_cursor(page)} ORDER BY {page}.n) FILTER (WHERE {in_page}))[1]"
                ),
                "endCursor": (
                    f"(array_agg({_cursor(page)} ORDER BY {page}.n DESC) "
                    f"FILTER (WHERE {in_page}))[1]"
                ),
            }
            pairs.append((key, _keyed_object("PageInfo", selected, info, page, {})))
        else:
            raise Unsupported(f"InvoiceConnection.{name}")
    # One condition for the first page and the later ones, so that one generic plan serves
    # both (store/read_pool.py): before the cursor's key, or before (infinity, the largest id).
    bound = (
        f"({row}.created, {row}.id) < (coalesce({after}, 'infinity'::timestamptz), "
        f"CASE WHEN {after} IS NULL THEN {LARGEST_ID} ELSE (SELECT {seek}.id "
        f"FROM invoices {seek} WHERE {seek}.workspace_id = {workspace} "
        f"AND {seek}.public_id = {after_id}) END)"
    )
    # the columns the objects read, not all: the page's rows are kept (a CTE read many times)
    columns = ", ".join(f"{row}.{name}" for name in PAGE_COLUMNS)
    rows = (
        f"SELECT {columns}, row_number() OVER (ORDER BY {row}.created DESC, {row}.id DESC) AS n "
        f"FROM invoices {row} WHERE {row}.workspace_id = {workspace} AND {bound} "
        f"ORDER BY {row}.created DESC, {row}.id DESC LIMIT {first} + 1"
    )
    joined = " ".join(joins)
    return f"(WITH {page} AS ({rows}) SELECT {json_object(pairs)} FROM {page} {joined})"


def _aggregate(element: str, page: str, in_page: str) -> str:
    return f"coalesce(json_agg({element} ORDER BY {page}.n) FILTER (WHERE {in_page}), '[]'::json)"
