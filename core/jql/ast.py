"""The parsed form of a JQL query: small immutable dataclasses.

Positions (``line``, ``column``, 1-based) are kept for error messages but are
left out of equality, so two parses of the same query in different layouts
compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- operands -------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A single value as written: ``open``, ``"Under arbeid"``, ``-7d``, ``42``."""

    value: str
    quoted: bool = False
    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)

    @property
    def is_number(self) -> bool:
        """True for an unquoted integer, which Jira reads as a number or an id."""
        text = self.value[1:] if self.value.startswith("-") else self.value
        return not self.quoted and text.isascii() and text.isdigit()


@dataclass(frozen=True)
class Empty:
    """``EMPTY`` or ``NULL``: the field has no value."""

    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FunctionCall:
    """``currentUser()``, ``membersOf("installers")``; arguments are always text."""

    name: str
    args: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ListOperand:
    """``(a, "b c", currentUser())``."""

    items: tuple[Operand, ...]
    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)


Operand = Literal | Empty | FunctionCall | ListOperand

# --- fields ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldRef:
    """A field as named in the query; ``cf_id`` is set for ``cf[10010]``."""

    name: str
    quoted: bool = False
    cf_id: int | None = None
    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)


# --- clauses --------------------------------------------------------------

COMPARE_OPERATORS = ("=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in", "is", "is not")
WAS_OPERATORS = ("was", "was not", "was in", "was not in")
PREDICATES = ("after", "before", "on", "during", "by", "from", "to")


@dataclass(frozen=True)
class Predicate:
    """A history predicate: ``AFTER "-1w"``, ``DURING (a, b)``, ``BY jdoe``..."""

    name: str
    operand: Operand


@dataclass(frozen=True)
class Compare:
    """``field <operator> operand`` for the current value of a field."""

    field: FieldRef
    operator: str
    operand: Operand


@dataclass(frozen=True)
class Was:
    """``field WAS [NOT] [IN] operand predicates...`` over the change history."""

    field: FieldRef
    operator: str
    operand: Operand
    predicates: tuple[Predicate, ...] = ()


@dataclass(frozen=True)
class Changed:
    """``field CHANGED predicates...``."""

    field: FieldRef
    predicates: tuple[Predicate, ...] = ()


@dataclass(frozen=True)
class And:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Or:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Not:
    clause: Clause


Clause = Compare | Was | Changed | And | Or | Not

# --- the query ------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    field: FieldRef
    descending: bool | None = None
    """None when no direction was written: the field's natural order applies."""


@dataclass(frozen=True)
class Query:
    """A whole query; ``where`` None means all issues, ``order_by`` None the default order."""

    where: Clause | None = None
    order_by: tuple[SortKey, ...] | None = None
