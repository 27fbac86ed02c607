"""Hypothesis strategies for Italian identifiers, shared by the backend unit tests."""

from hypothesis import strategies as st
from stdnum import luhn
from stdnum.it import codicefiscale

LETTERS = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=1)
OMOCODIA = "LMNPQRSTUV"  # digit d is written as OMOCODIA[d]
DIGIT_POSITIONS = [6, 7, 9, 10, 12, 13, 14]


@st.composite
def fiscal_codes(draw, omocodic: bool | None = None):
    """Valid Codici Fiscali, possibly omocodic, check character computed with stdnum."""
    names = "".join(draw(LETTERS) for _ in range(6))
    year = draw(st.integers(0, 99))
    month = draw(st.sampled_from("ABCDEHLMPRST"))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 40]))
    town = draw(LETTERS) + f"{draw(st.integers(0, 999)):03d}"
    chars = list(f"{names}{year:02d}{month}{day:02d}{town}")
    if omocodic if omocodic is not None else draw(st.booleans()):
        for position in draw(st.sets(st.sampled_from(DIGIT_POSITIONS), min_size=1)):
            chars[position] = OMOCODIA[int(chars[position])]
    body = "".join(chars)
    return body + codicefiscale.calc_check_digit(body)


@st.composite
def vat_numbers(draw):
    head = f"{draw(st.integers(1, 9_999_999)):07d}"
    office = f"{draw(st.integers(1, 100)):03d}"
    body = head + office
    return body + luhn.calc_check_digit(body)


def spaced(value: str, draw_positions) -> str:
    return "".join(c + (" " if i in draw_positions else "") for i, c in enumerate(value))
