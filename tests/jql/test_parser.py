"""The JQL parser: every operator, predicate, function form, precedence, quoting, errors."""

from __future__ import annotations

import pytest

from core.jql import JqlError, parse, to_jql
from core.jql.ast import (
    And,
    Changed,
    Compare,
    Empty,
    FieldRef,
    FunctionCall,
    ListOperand,
    Literal,
    Not,
    Or,
    Predicate,
    Query,
    SortKey,
    Was,
)


def where(text: str):
    return parse(text).where


def cmp(field: str, op: str, value: str) -> Compare:
    return Compare(FieldRef(field), op, Literal(value))


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_query_means_all_in_default_order(text: str) -> None:
    assert parse(text) == Query(where=None, order_by=None)


@pytest.mark.parametrize("op", ["=", "!=", "~", "!~", ">", ">=", "<", "<="])
def test_simple_operators(op: str) -> None:
    assert where(f"summary {op} abc") == cmp("summary", op, "abc")
    assert where(f"summary{op}abc") == cmp("summary", op, "abc")


@pytest.mark.parametrize(
    ("text", "operator"),
    [("status in (a, b)", "in"), ("status NOT IN (a, b)", "not in"),
     ("status not in (a,b)", "not in")],
)
def test_in_operators(text: str, operator: str) -> None:
    expected = ListOperand((Literal("a"), Literal("b")))
    assert where(text) == Compare(FieldRef("status"), operator, expected)


@pytest.mark.parametrize(
    ("text", "operator"),
    [("assignee IS EMPTY", "is"), ("assignee is null", "is"),
     ("assignee IS NOT EMPTY", "is not"), ("assignee is not NULL", "is not")],
)
def test_is_empty(text: str, operator: str) -> None:
    assert where(text) == Compare(FieldRef("assignee"), operator, Empty())


def test_equals_empty_and_empty_in_list() -> None:
    assert where("assignee = EMPTY") == Compare(FieldRef("assignee"), "=", Empty())
    clause = where("assignee in (EMPTY, jdoe)")
    assert clause.operand.items == (Empty(), Literal("jdoe"))


@pytest.mark.parametrize(
    ("text", "operator"),
    [("status WAS open", "was"), ("status was not open", "was not"),
     ("status WAS IN (open, x)", "was in"), ("status was NOT in (open, x)", "was not in")],
)
def test_was_operators(text: str, operator: str) -> None:
    clause = where(text)
    assert isinstance(clause, Was)
    assert clause.operator == operator
    assert clause.predicates == ()


@pytest.mark.parametrize("name", ["after", "before", "on", "by"])
def test_was_predicates(name: str) -> None:
    clause = where(f'status was open {name.upper()} "-1d"')
    assert clause.predicates == (Predicate(name, Literal("-1d", quoted=True)),)


def test_during_takes_two_values() -> None:
    clause = where('status was open DURING ("2024-01-01", endOfWeek())')
    (pred,) = clause.predicates
    assert pred.name == "during"
    assert pred.operand == ListOperand(
        (Literal("2024-01-01", quoted=True), FunctionCall("endOfWeek"))
    )


def test_changed_with_all_predicates() -> None:
    text = (
        "status CHANGED FROM open TO \"Under arbeid\" BY (jdoe, currentUser()) "
        "AFTER -7d BEFORE now() ON 2024-05-01 DURING (-2w, -1w)"
    )
    clause = where(text)
    assert isinstance(clause, Changed)
    assert [p.name for p in clause.predicates] == [
        "from", "to", "by", "after", "before", "on", "during",
    ]
    assert clause.predicates[1].operand == Literal("Under arbeid", quoted=True)


def test_bare_changed() -> None:
    assert where("assignee changed") == Changed(FieldRef("assignee"))


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [("currentUser()", "currentUser", ()),
     ('membersOf("installers")', "membersOf", ("installers",)),
     ("membersOf(installers)", "membersOf", ("installers",)),
     ("now()", "now", ()),
     ('startOfDay("-1d")', "startOfDay", ("-1d",)),
     ("startOfMonth(-1)", "startOfMonth", ("-1",)),
     ("endOfWeek()", "endOfWeek", ()),
     ("myFunc(a, 'b c', 3)", "myFunc", ("a", "b c", "3"))],
)
def test_functions(text: str, name: str, args: tuple[str, ...]) -> None:
    assert where(f"created >= {text}").operand == FunctionCall(name, args)


def test_function_as_in_operand() -> None:
    assert where("assignee in membersOf(x)").operand == FunctionCall("membersOf", ("x",))


@pytest.mark.parametrize("value", ["-7d", "-1w", "4h", "-30m", "2024-05-01", "ELV-12", "1.5", "42"])
def test_bare_values(value: str) -> None:
    assert where(f"x = {value}").operand == Literal(value)


def test_numbers_are_recognised() -> None:
    assert where("x = 42").operand.is_number
    assert where("x = -3").operand.is_number
    assert not where('x = "42"').operand.is_number
    assert not where("x = -7d").operand.is_number


def test_quoted_relative_date_with_spaces() -> None:
    assert where('created > "-1w 2d"').operand == Literal("-1w 2d", quoted=True)


@pytest.mark.parametrize(
    ("text", "value"),
    [(r'"a \"b\" c"', 'a "b" c'), (r"'it\'s'", "it's"), (r'"tab\there"', "tab\there"),
     (r'"back\\slash"', "back\\slash"), (r'"\u00e6\u00f8\u00e5"', "æøå"),
     ('"single \' inside"', "single ' inside"), (r"a\ b", "a b")],
)
def test_escapes(text: str, value: str) -> None:
    assert where(f"summary ~ {text}").operand.value == value


def test_norwegian_letters_in_field_names_and_values() -> None:
    clause = where('"Planlagt starttid" >= "2024-05-01 10:00" AND Løsningsperiode = "Etappe æøå"')
    first, second = clause.clauses
    assert first.field == FieldRef("Planlagt starttid", quoted=True)
    assert second == Compare(FieldRef("Løsningsperiode"), "=", Literal("Etappe æøå", quoted=True))
    assert where("status = Åpen").operand == Literal("Åpen")
    assert where("Kundenavn ~ Bjørnstjerne").field.name == "Kundenavn"


@pytest.mark.parametrize(
    ("text", "name", "cf_id"),
    [("cf[10010]", "cf[10010]", 10010), ("CF[ 10011 ]", "CF[10011]", 10011),
     ("customfield_10012", "customfield_10012", 10012), ("summary", "summary", None),
     ('"customfield_1"', "customfield_1", None)],
)
def test_custom_field_references(text: str, name: str, cf_id: int | None) -> None:
    field = where(f"{text} = 1").field
    assert (field.name, field.cf_id) == (name, cf_id)


def test_keywords_are_case_insensitive() -> None:
    lower = parse("a = b and c in (d) or not e is empty order by a desc")
    upper = parse("a = b AND c IN (d) OR NOT e IS EMPTY ORDER BY a DESC")
    mixed = parse("a = b AnD c In (d) oR nOt e iS eMpTy OrDeR bY a DeSc")
    assert lower == upper == mixed


def test_and_binds_tighter_than_or() -> None:
    assert where("a = 1 OR b = 2 AND c = 3") == Or(
        (cmp("a", "=", "1"), And((cmp("b", "=", "2"), cmp("c", "=", "3"))))
    )
    assert where("a = 1 AND b = 2 OR c = 3") == Or(
        (And((cmp("a", "=", "1"), cmp("b", "=", "2"))), cmp("c", "=", "3"))
    )


def test_not_binds_tightest() -> None:
    assert where("NOT a = 1 AND b = 2") == And((Not(cmp("a", "=", "1")), cmp("b", "=", "2")))
    assert where("NOT NOT a = 1") == Not(Not(cmp("a", "=", "1")))


def test_parentheses_override_precedence() -> None:
    assert where("(a = 1 OR b = 2) AND c = 3") == And(
        (Or((cmp("a", "=", "1"), cmp("b", "=", "2"))), cmp("c", "=", "3"))
    )
    assert where("NOT (a = 1 OR b = 2)") == Not(Or((cmp("a", "=", "1"), cmp("b", "=", "2"))))


def test_symbol_operators_match_words() -> None:
    assert parse("a = 1 && b = 2 || !c = 3") == parse("a = 1 AND b = 2 OR NOT c = 3")
    assert parse("a = 1 & b = 2 | c = 3") == parse("a = 1 AND b = 2 OR c = 3")


def test_order_by() -> None:
    query = parse("project = ELV ORDER BY created DESC, key ASC, summary")
    assert query.order_by == (
        SortKey(FieldRef("created"), True),
        SortKey(FieldRef("key"), False),
        SortKey(FieldRef("summary"), None),
    )


def test_order_by_alone_and_quoted_field() -> None:
    query = parse('order by "Planlagt starttid" asc, cf[10010]')
    assert query.where is None
    assert query.order_by[0].field.name == "Planlagt starttid"
    assert query.order_by[1].field.cf_id == 10010


def test_positions_are_kept() -> None:
    clause = where("a = 1 AND\n  summary ~ x")
    second = clause.clauses[1]
    assert (second.field.line, second.field.column) == (2, 3)
    assert (second.operand.line, second.operand.column) == (2, 13)


@pytest.mark.parametrize(
    "text",
    ['project = ELV AND status IN (Åpen, "Under arbeid") ORDER BY created DESC',
     'a = b OR (c ~ "x y" AND NOT d IS EMPTY)',
     "(a = 1 AND b = 2) AND c = 3",
     'status WAS NOT IN (a, b) BEFORE "2024-01-01" BY currentUser()',
     'assignee CHANGED FROM "and" TO EMPTY',
     'x = "with \\"quotes\\" and \\\\ backslash"'],
)
def test_rendering_parses_back_to_the_same_query(text: str) -> None:
    query = parse(text)
    assert parse(to_jql(query)) == query


# --- errors -------------------------------------------------------------------

ERRORS = [
    ("project = ELV foo", "Expecting either 'OR' or 'AND' but got 'foo'.", 1, 15),
    ("project foo ELV", "Expecting operator", 1, 9),
    ("project =", "Expecting either a value, list or function but reached the end", 1, 10),
    ("status = and", "'and' is a reserved JQL word", 1, 10),
    ('summary ~ "abc', "The quoted string 'abc' has not been completed.", 1, 11),
    ("x = a@b", "The character '@' is a reserved JQL character", 1, 6),
    ("(a = b", "Expecting ')' but reached the end of the query.", 1, 7),
    ("x in (a, b", "Expecting either ',' or ')'", 1, 11),
    ("order x", "Expecting 'BY' but got 'x'.", 1, 7),
    ("order by a foo", "Expecting either 'ASC', 'DESC' or ','", 1, 12),
    ("x = (a, b)", "The operator '=' does not support the list '(a, b)'", 1, 3),
    ("x in a", "The operator 'IN' needs a list of values or a function", 1, 3),
    ("x is foo", "Expecting either 'NOT', 'EMPTY' or 'NULL' but got 'foo'.", 1, 6),
    ("status was a from b", "The predicate 'FROM' is not supported by the 'WAS' operator.", 1, 8),
    (r'x = "\q"', "The escape sequence '\\q'", 1, 5),
    ("= x", "Expecting a field name but got '='.", 1, 1),
    ("a = b and", "Expecting a field name but reached the end of the query.", 1, 10),
    ("x changed during (a)", "The predicate 'DURING' needs two dates", 1, 11),
    ("x >= EMPTY", "The operator '>=' does not support 'EMPTY'", 1, 3),
    ("x ~ currentUser()", "The operator '~' does not support the function", 1, 3),
    ("a = b\n  AND c = d e", "Expecting either 'OR' or 'AND' but got 'e'.", 2, 13),
    ("a = b order by c desc d", "Expecting either ',' or the end of the query", 1, 23),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), ERRORS)
def test_syntax_errors_are_worded_like_jira(text: str, message: str, line: int, column: int):
    with pytest.raises(JqlError) as caught:
        parse(text)
    error = caught.value
    assert error.message.startswith("Error in the JQL Query: ")
    assert message in error.message
    assert (error.line, error.column) == (line, column)
    assert error.message.endswith(f"(line {line}, character {column})")
    assert str(error) == error.message
