"""Bounds on what one query may cost: its length, terms, nesting, list lengths,
words in a text search, and the database time of a search.

Every bound is a setting of the config's ``limits`` block; a query over one is
refused before it is compiled, with a message naming the setting, so a careless
or hostile query costs a few milliseconds instead of minutes of a worker.
Parsing is checked in two steps: the text's length before lark reads it, then
the parse tree's shape (iteratively, since the tree may be deep) before the
recursive transformer and compiler walk it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from lark import Tree

from .errors import JqlError

_TERMS = frozenset(("compare", "in_", "not_in", "is_", "was", "changed"))


@dataclass(frozen=True)
class JqlLimits:
    """The limits of the config's ``limits`` block (``jql_`` settings and the timeout)."""

    jql_max_length: int = 10_000
    jql_max_terms: int = 100
    jql_max_depth: int = 40
    jql_max_list: int = 1_000
    jql_max_words: int = 40
    search_timeout_seconds: float = 4.0

    @classmethod
    def from_config(cls, block: dict[str, Any] | None) -> JqlLimits:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (block or {}).items() if k in names})


DEFAULT_LIMITS = JqlLimits()


def too_much(what: str, found: int, setting: str, limit: int) -> JqlError:
    """A query over a limit, in Jira's style, naming the setting that raises it."""
    return JqlError(f"The query is too large: {what} {found} is over the limit of {limit} "
                    f"(setting 'limits.{setting}').")


def current_limits() -> JqlLimits:
    """The limits of the app serving this request, else the defaults (CLI, tests)."""
    try:
        from flask import current_app

        return current_app.extensions["amsflow"].jql_limits
    except (RuntimeError, KeyError, AttributeError):
        return DEFAULT_LIMITS


def check_text(text: str, limits: JqlLimits) -> None:
    if len(text) > limits.jql_max_length:
        raise too_much("its length in characters", len(text), "jql_max_length",
                       limits.jql_max_length)


def check_tree(tree: Tree, limits: JqlLimits) -> None:
    """Terms, nesting and list lengths of lark's tree, walked without recursion."""
    terms = 0
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if depth > limits.jql_max_depth:
            raise too_much("its nesting depth", depth, "jql_max_depth", limits.jql_max_depth)
        if node.data in _TERMS:
            terms += 1
            if terms > limits.jql_max_terms:
                raise too_much("the number of terms", terms, "jql_max_terms",
                               limits.jql_max_terms)
        elif node.data == "list" and len(node.children) > limits.jql_max_list:
            raise too_much("the number of values in a list", len(node.children),
                           "jql_max_list", limits.jql_max_list)
        step = 1 if node.data in ("negation", "or_clause", "and_clause", "list") else 0
        stack.extend((child, depth + step) for child in node.children)


def check_words(count: int, limits: JqlLimits) -> None:
    """A text search (``~``) with too many words (PostgreSQL nests a tsquery per word)."""
    if count > limits.jql_max_words:
        raise too_much("the number of words in a text search", count, "jql_max_words",
                       limits.jql_max_words)
