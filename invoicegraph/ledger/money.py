"""Int96: integer amounts in a currency's smallest unit, carried as Python ints end to end."""

INT96_LIMIT = 1 << 96
"""Every amount's magnitude is strictly below this."""


def parse_int96(text: str) -> int:
    """Parse the contract's decimal-string form; raise ValueError for anything else.

    Only ASCII digits with an optional leading '-' are accepted: no '+', spaces, underscores,
    exponents or decimal points, which Python's int() would otherwise let through.
    """
    digits = text[1:] if text.startswith("-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"Int96 must be a base-10 integer string, got {text!r}")
    if len(digits) > 1 and digits[0] == "0":
        raise ValueError(f"Int96 must not have leading zeros, got {text!r}")
    if text == "-0":
        raise ValueError("Int96 zero has no sign: write 0")
    if len(digits) > len(str(INT96_LIMIT)):
        raise ValueError("Int96 magnitude must be below 2^96")
    value = int(text)
    if not -INT96_LIMIT < value < INT96_LIMIT:
        raise ValueError("Int96 magnitude must be below 2^96")
    return value


def format_int96(value: int) -> str:
    """The canonical decimal string of an amount."""
    if not -INT96_LIMIT < value < INT96_LIMIT:
        raise ValueError("Int96 magnitude must be below 2^96")
    return str(value)
