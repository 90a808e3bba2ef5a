"""Hypothesis strategies for well-formed JQL ASTs (shared by parser and compiler tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from core.jql import ast
from core.jql.render import BARE_RE, KEYWORDS

FIELD_NAMES = ["project", "status", "assignee", "summary", "created", "Løsningsperiode", "key"]
FUNCTION_NAMES = ["currentUser", "membersOf", "now", "startOfDay", "endOfWeek", "fooBar"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def _literal(value: str, quoted: bool) -> ast.Literal:
    bare_ok = bool(BARE_RE.fullmatch(value)) and value.lower() not in KEYWORDS
    return ast.Literal(value, quoted or not bare_ok)


def build_queries(field_names: list[str] | None = None, values: list[str] | None = None,
                  function_names: list[str] | None = None) -> st.SearchStrategy[ast.Query]:
    """Random well-formed queries; real names and values make most of them compile."""
    text = st.one_of(st.sampled_from(values), TEXT) if values else TEXT
    literals = st.builds(_literal, text, st.booleans())
    functions = st.builds(ast.FunctionCall, st.sampled_from(function_names or FUNCTION_NAMES),
                          st.lists(text, max_size=2).map(tuple))
    singles = st.one_of(literals, functions, st.just(ast.Empty()))
    lists = st.builds(ast.ListOperand, st.lists(singles, min_size=1, max_size=3).map(tuple))
    fields = st.one_of(
        st.sampled_from(field_names or FIELD_NAMES).map(ast.FieldRef),
        st.integers(10008, 10030).map(lambda n: ast.FieldRef(f"cf[{n}]", cf_id=n)),
        TEXT.map(lambda name: ast.FieldRef(name, quoted=True)),
    )

    @st.composite
    def compares(draw: st.DrawFn) -> ast.Compare:
        op = draw(st.sampled_from(ast.COMPARE_OPERATORS))
        if op in ("in", "not in"):
            operand = draw(st.one_of(lists, functions))
        elif op in ("is", "is not"):
            operand = ast.Empty()
        elif op in ("~", "!~"):
            operand = draw(literals)
        elif op in ("=", "!="):
            operand = draw(singles)
        else:
            operand = draw(st.one_of(literals, functions))
        return ast.Compare(draw(fields), op, operand)

    def predicates(names: list[str]) -> st.SearchStrategy[tuple[ast.Predicate, ...]]:
        def one(name: str) -> st.SearchStrategy[ast.Predicate]:
            if name == "during":
                pair = st.builds(ast.ListOperand, st.tuples(singles, singles))
                return st.builds(ast.Predicate, st.just(name), pair)
            operand = st.one_of(singles, lists) if name == "by" else singles
            return st.builds(ast.Predicate, st.just(name), operand)

        return st.lists(st.sampled_from(names).flatmap(one), max_size=3).map(tuple)

    @st.composite
    def histories(draw: st.DrawFn) -> ast.Was | ast.Changed:
        if draw(st.booleans()):
            preds = draw(predicates(["after", "before", "on", "during", "by", "from", "to"]))
            return ast.Changed(draw(fields), preds)
        op = draw(st.sampled_from(ast.WAS_OPERATORS))
        operand = draw(st.one_of(lists, functions) if op.endswith("in") else singles)
        preds = draw(predicates(["after", "before", "on", "during", "by"]))
        return ast.Was(draw(fields), op, operand, preds)

    def combine(children: st.SearchStrategy[ast.Clause]) -> st.SearchStrategy[ast.Clause]:
        many = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            st.builds(ast.And, many), st.builds(ast.Or, many), st.builds(ast.Not, children)
        )

    clauses = st.recursive(st.one_of(compares(), histories()), combine, max_leaves=6)
    sort_keys = st.builds(ast.SortKey, fields, st.sampled_from([None, True, False]))
    return st.builds(
        ast.Query,
        st.one_of(st.none(), clauses),
        st.one_of(st.none(), st.lists(sort_keys, min_size=1, max_size=3).map(tuple)),
    )


queries = build_queries()
