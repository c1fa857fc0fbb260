"""Value normalisation of landing.md's formats, CPR redaction and keyed pseudonyms."""

from __future__ import annotations

import pytest

from culture_warehouse.privacy import Pseudonymiser, column_label, column_mention, contains_cpr, redact_cpr
from culture_warehouse.readers.tabular import normalise_header, sniff_delimiter
from culture_warehouse.readers.values import (
    parse_boolean,
    parse_code,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_timestamp,
)


@pytest.mark.parametrize(
    "text", ["2026-03-12", "12-03-2026", "12.03.2026", " 12.3.2026 ", "2026-03-12 00:00:00"]
)
def test_every_date_format_of_the_contract_means_the_same_day(text: str) -> None:
    assert parse_date(text) == "2026-03-12"


@pytest.mark.parametrize("text", ["31-02-2026", "2026/03/12", "12 marts", "230971-4116"])
def test_an_impossible_or_unknown_date_is_refused_without_repeating_the_value(text: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_date(text)
    assert text not in str(refused.value)


def test_naive_timestamps_are_copenhagen_time_and_zoned_ones_keep_their_zone() -> None:
    assert parse_timestamp("2026-06-30 02:00:00") == "2026-06-30T02:00:00+02:00"
    assert parse_timestamp("2026-01-15T02:00:00") == "2026-01-15T02:00:00+01:00"
    assert parse_timestamp("2026-09-29T23:45:00+02:00") == "2026-09-29T23:45:00+02:00"
    assert parse_timestamp("2026-09-30T00:00:00Z") == "2026-09-30T00:00:00+00:00"


@pytest.mark.parametrize(
    ("text", "value"), [("0,8", "0.8"), ("0.8", "0.8"), ("1.234,5", "1234.5"), (" 7,5 ", "7.5")]
)
def test_decimal_comma_and_point_are_both_numbers(text: str, value: str) -> None:
    assert parse_decimal(text) == value


def test_whole_numbers_accept_4_comma_0_but_not_4_comma_5() -> None:
    assert parse_integer(" 4 ") == "4"
    assert parse_integer("4,0") == "4"
    with pytest.raises(ValueError, match="not a whole number"):
        parse_integer("4,5")


BOOLEANS = [
    *[(word, "true") for word in ("ja", "yes", "TRUE", "1", "J", "Y")],
    *[(word, "false") for word in ("Nej", "no", "false", "0", "N")],
]


@pytest.mark.parametrize(("text", "value"), BOOLEANS)
def test_every_boolean_spelling_of_the_contract(text: str, value: str) -> None:
    assert parse_boolean(text) == value


def test_unit_codes_stored_as_numbers_by_a_spreadsheet_are_text_again() -> None:
    assert parse_code("2110.0") == "2110"
    assert parse_code(" 02110 ") == "02110"


def test_headers_ignore_case_surrounding_spaces_and_a_bom() -> None:
    assert normalise_header("\ufeff Employee_Number ") == "employee_number"
    assert normalise_header("Hire Date") == "hire_date"


def test_the_delimiter_is_detected_from_the_header_line() -> None:
    assert sniff_delimiter("a;b;c,d\n") == ";"
    assert sniff_delimiter("a,b,c\n") == ","
    assert sniff_delimiter("a\tb\n") == "\t"


@pytest.mark.parametrize(
    "text",
    ["Anne (230971-4116) er syg", "cpr 2309714116.", "010190-1235 fejler modulus 11", "nr. 290200 1234"],
)
def test_cpr_numbers_with_a_valid_date_are_redacted_even_when_modulus_11_fails(text: str) -> None:
    redacted = redact_cpr(text)
    assert "[CPR]" in redacted
    assert not contains_cpr(redacted)


@pytest.mark.parametrize(
    "text",
    ["sag-010190-1234", "sag\u2013010190-1234", "sag\u2014010190\u20131234", "j.nr. 2026-sag-0101901234"],
)
def test_a_cpr_number_after_a_hyphen_or_a_dash_is_redacted(text: str) -> None:
    redacted = redact_cpr(text)
    assert "[CPR]" in redacted
    assert "010190" not in redacted
    assert not contains_cpr(redacted)


@pytest.mark.parametrize(
    "text",
    [
        "løbenr. 12-010190-1234",
        "konto 4000-0101901234",
        "dato 2026-01-01",
        "periode 01-01-2026\u201331-12-2026",
    ],
)
def test_a_dashed_number_glued_to_digits_before_it_is_left_alone(text: str) -> None:
    assert redact_cpr(text) == text


@pytest.mark.parametrize("text", ["sag 123456-7890", "konto 3213456789", "telefon 12345678", "år 2026-2027"])
def test_numbers_without_a_valid_birth_date_are_left_alone(text: str) -> None:
    assert redact_cpr(text) == text


def test_pseudonyms_are_stable_keyed_and_ignore_spreadsheet_formatting() -> None:
    first, other_key = Pseudonymiser(b"key-1".ljust(32, b"-")), Pseudonymiser(b"key-2".ljust(32, b"-"))
    assert first("E001") == first(" E001 ")
    assert first("1234") == first("1234.0")
    assert first("E001") != first("E002")
    assert first("E001") != other_key("E001")
    assert "E001" not in first("E001")


@pytest.mark.parametrize("key", [b"k" * 32, b"k" * 63, b"k" * 64, b"k" * 65, bytes(range(200))])
def test_a_pseudonym_is_the_standard_hmac_sha256_of_the_number_whatever_the_key_length(key: bytes) -> None:
    """The pseudonym stays what HMAC-SHA256 gives (RFC 2104), so earlier warehouses keep their
    employees' histories and any tool can recompute one with the key."""
    import hashlib
    import hmac

    for number in ("1", "E001", "123456", "9" * 100):
        expected = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:32]
        assert Pseudonymiser(key)(number) == expected


def test_employee_columns_hashed_in_bulk_get_the_pseudonyms_one_number_at_a_time_gives() -> None:
    import pyarrow as pa

    from culture_warehouse.contract import Kind
    from culture_warehouse.load import ColumnConverter
    from culture_warehouse.readers.values import PARSERS

    numbers = [" 100001", "100001.0", "E7", "100002", None, "100002 ", "12.00", "-3.0"]
    bulk = Pseudonymiser(b"k" * 32)
    values, bad_rows, _ = ColumnConverter(Kind.EMPLOYEE, bulk, required=False)(pa.array(numbers))
    one_at_a_time = Pseudonymiser(b"k" * 32)
    parse = PARSERS[Kind.EMPLOYEE]  # the loader's reading of a number (12.00 is 12), then its pseudonym
    assert values.to_pylist() == [None if n is None else one_at_a_time(parse(n)) for n in numbers]
    assert not len(bad_rows)
    assert bulk.many(["100001", "E7"]) == [one_at_a_time("100001"), one_at_a_time("E7")]


def test_a_header_that_is_not_spelled_like_a_column_is_recorded_by_its_position_only() -> None:
    assert column_label("lønramme", 4) == "lønramme"
    assert column_label("hansen,_jens", 4) == "column 5 (name not recorded)"
    assert column_label("sag_0101901234", 0) == "column 1 (name not recorded)"
    assert column_mention("jens@example.dk", 2) == "column 3 (name not recorded)"
    assert column_mention("remark", 2) == "column 'remark'"
