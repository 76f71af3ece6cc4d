"""Price rules: amount alone, unitPrice with quantity, or all three when they agree."""

from dataclasses import dataclass

from invoicegraph.ledger.errors import FieldProblem, Path
from invoicegraph.ledger.money import INT96_LIMIT


@dataclass(frozen=True, slots=True)
class PriceSpec:
    """A price as the caller gave it; any part may be missing."""

    amount: int | None = None
    unit_price: int | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class Price:
    """A complete price: amount == unit_price * quantity always holds."""

    amount: int
    unit_price: int
    quantity: int


def resolve_price(spec: PriceSpec, path: Path) -> Price | list[FieldProblem]:
    """Complete a PriceSpec, or list everything wrong with it."""
    problems: list[FieldProblem] = []
    for name, value in (("amount", spec.amount), ("unitPrice", spec.unit_price)):
        if value is not None and value < 0:
            problems.append(FieldProblem((*path, name), "must be 0 or more"))
    if spec.quantity is not None and spec.quantity < 1:
        problems.append(FieldProblem((*path, "quantity"), "must be 1 or more"))
    if problems:
        return problems

    if spec.unit_price is None and spec.quantity is None:
        if spec.amount is None:
            return [FieldProblem(path, "give amount, or unitPrice and quantity")]
        return Price(amount=spec.amount, unit_price=spec.amount, quantity=1)
    if spec.unit_price is None or spec.quantity is None:
        missing = "unitPrice" if spec.unit_price is None else "quantity"
        return [FieldProblem((*path, missing), "unitPrice and quantity go together")]

    product = spec.unit_price * spec.quantity
    if product >= INT96_LIMIT:
        return [FieldProblem((*path, "amount"), "unitPrice * quantity must be below 2^96")]
    if spec.amount is not None and spec.amount != product:
        return [
            FieldProblem(
                (*path, "amount"),
                f"must equal unitPrice * quantity ({product}) when all three are given",
            )
        ]
    return Price(amount=product, unit_price=spec.unit_price, quantity=spec.quantity)
