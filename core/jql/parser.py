"""Parse JQL text into the dataclasses of :mod:`core.jql.ast`.

The grammar lives in ``grammar.lark``; this module turns lark's tree into the
AST, unescapes strings, and checks that each operator gets the kind of
operand Jira allows, so the compiler only ever sees well-formed clauses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError

from . import ast
from .errors import JqlError, syntax_error
from .limits import JqlLimits, check_text, check_tree, current_limits
from .syntax_errors import translate

_ESCAPES = {'"': '"', "'": "'", "t": "\t", "n": "\n", "r": "\r", "\\": "\\", " ": " "}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_CF_NAME_RE = re.compile(r"(?:cf\[\s*|customfield_)(\d+)\s*\]?", re.I)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark.open(
        "grammar.lark",
        rel_to=__file__,
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse(text: str, limits: JqlLimits | None = None) -> ast.Query:
    """Parse ``text``; an empty or blank query matches all issues in the default order.

    Raises JqlError, with Jira's wording and the 1-based position, on any
    syntax problem, and on a query over ``limits`` (default: the app's).
    """
    if not isinstance(text, str):
        raise JqlError("The JQL query must be a string.")
    if not text or not text.strip():
        return ast.Query()
    limits = limits or current_limits()
    check_text(text, limits)
    try:
        tree = _lark().parse(text)
        check_tree(tree, limits)
        return _ToAst().transform(tree)
    except UnexpectedInput as error:
        raise translate(error, text) from None
    except VisitError as error:
        if isinstance(error.orig_exc, JqlError):
            raise error.orig_exc from None
        raise


def unescape(token: Token) -> str:
    """The text of a WORD or STRING token with quotes removed and escapes resolved."""
    raw = str(token)
    quoted = raw[:1] in "\"'" and token.type == "STRING"
    body = raw[1:-1] if quoted else raw

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) == 5 and code[0] == "u":
            return chr(int(code[1:], 16))
        if code in _ESCAPES:
            return _ESCAPES[code]
        raise syntax_error(
            f"The escape sequence '\\{code}' in the string '{body}' is illegal.",
            token.line,
            token.column,
        )

    return _ESCAPE_RE.sub(replace, body)


def _pos(item: Token | ast.Literal) -> dict[str, int]:
    return {"line": item.line or 0, "column": item.column or 0}


def _describe(operand: ast.Operand) -> str:
    from .render import render_operand

    return render_operand(operand)


def _check_operand(operator: str, operand: ast.Operand, token: Token) -> None:
    """Reject operands Jira does not allow with ``operator``."""
    multi = operator in ("in", "not in", "was in", "was not in")
    problem = None
    if multi and isinstance(operand, (ast.Literal, ast.Empty)):
        problem = "needs a list of values or a function, but got '{}'"
    elif not multi and isinstance(operand, ast.ListOperand):
        problem = "does not support the list '{}'; use 'IN' instead"
    elif operator in ("~", "!~") and isinstance(operand, ast.FunctionCall):
        problem = "does not support the function '{}'"
    elif operator in (">", ">=", "<", "<=", "~", "!~") and isinstance(operand, ast.Empty):
        problem = "does not support '{}'"
    if problem:
        detail = problem.format(_describe(operand))
        raise syntax_error(f"The operator '{operator.upper()}' {detail}.", token.line, token.column)


_WAS_PREDICATES = {"after", "before", "on", "during", "by"}


@v_args(inline=True)
class _ToAst(Transformer):
    """Bottom-up conversion of lark's tree to AST dataclasses."""

    def start(self, where: ast.Clause | None, order_by: tuple[ast.SortKey, ...] | None):
        return ast.Query(where=where, order_by=order_by)

    def or_clause(self, *items: ast.Clause | Token) -> ast.Or:
        return ast.Or(tuple(c for c in items if not isinstance(c, Token)))

    def and_clause(self, *items: ast.Clause | Token) -> ast.And:
        return ast.And(tuple(c for c in items if not isinstance(c, Token)))

    def negation(self, _not: Token, clause: ast.Clause) -> ast.Not:
        return ast.Not(clause)

    # -- terminals --

    def compare(self, field: ast.FieldRef, op: Token, operand: ast.Operand) -> ast.Compare:
        _check_operand(str(op), operand, op)
        return ast.Compare(field, str(op), operand)

    def in_(self, field: ast.FieldRef, op: Token, operand: ast.Operand) -> ast.Compare:
        _check_operand("in", operand, op)
        return ast.Compare(field, "in", operand)

    def not_in(self, field: ast.FieldRef, op: Token, _in: Token, operand: ast.Operand):
        _check_operand("not in", operand, op)
        return ast.Compare(field, "not in", operand)

    def is_(self, field: ast.FieldRef, _is: Token, negated: Token | None, empty: ast.Empty):
        return ast.Compare(field, "is not" if negated else "is", empty)

    def was(self, field: ast.FieldRef, op: Token, was_op: str, operand: ast.Operand, *preds):
        operator = ("was " + was_op).strip()
        _check_operand(operator, operand, op)
        for pred in preds:
            if pred.name not in _WAS_PREDICATES:
                raise syntax_error(
                    f"The predicate '{pred.name.upper()}' is not supported by the "
                    f"'{operator.upper()}' operator.",
                    op.line,
                    op.column,
                )
        return ast.Was(field, operator, operand, tuple(preds))

    def was_op(self, negated: Token | None, in_: Token | None) -> str:
        return " ".join(word for word, tok in (("not", negated), ("in", in_)) if tok)

    def changed(self, field: ast.FieldRef, _op: Token, *preds: ast.Predicate) -> ast.Changed:
        return ast.Changed(field, tuple(preds))

    def predicate(self, keyword: Token, operand: ast.Operand) -> ast.Predicate:
        name = str(keyword).lower()
        if name == "during":
            if not (isinstance(operand, ast.ListOperand) and len(operand.items) == 2) and not (
                isinstance(operand, ast.FunctionCall)
            ):
                raise syntax_error(
                    "The predicate 'DURING' needs two dates, e.g. DURING (\"-2w\", now()).",
                    keyword.line,
                    keyword.column,
                )
        elif isinstance(operand, ast.ListOperand) and name != "by":
            raise syntax_error(
                f"The predicate '{name.upper()}' does not support a list of values.",
                keyword.line,
                keyword.column,
            )
        return ast.Predicate(name, operand)

    # -- operands --

    def value(self, token: Token) -> ast.Literal:
        return ast.Literal(unescape(token), token.type == "STRING", **_pos(token))

    def empty(self, token: Token) -> ast.Empty:
        return ast.Empty(**_pos(token))

    def list(self, *items: ast.Operand) -> ast.ListOperand:
        first = items[0]
        return ast.ListOperand(tuple(items), line=first.line, column=max(first.column - 1, 0))

    def function(self, name: Token, *args: str | None) -> ast.FunctionCall:
        present = tuple(a for a in args if a is not None)
        return ast.FunctionCall(str(name), present, **_pos(name))

    def bare(self, token: Token) -> str:
        return unescape(token)

    quoted = bare

    # -- fields and order --

    def field(self, token: Token) -> ast.FieldRef:
        name = unescape(token)
        match = _CF_NAME_RE.fullmatch(name) if token.type != "STRING" else None
        if token.type == "CF_FIELD":
            name = re.sub(r"\s+", "", name)
        cf_id = int(match.group(1)) if match else None
        return ast.FieldRef(name, token.type == "STRING", cf_id, **_pos(token))

    def order_by(self, _order: Token, _by: Token, *keys: ast.SortKey):
        return tuple(keys)

    def sort_key(self, field: ast.FieldRef, direction: Token | None) -> ast.SortKey:
        descending = None if direction is None else str(direction).lower() == "desc"
        return ast.SortKey(field, descending)
