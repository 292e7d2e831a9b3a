"""Validation rules that bound the shape of an operation: depth and aliases.

Both follow fragment spreads, and each fragment is measured once per document
(memoized), so a chain of fragments that each spread the next one twice costs
linear time, not 2^n (strawberry's own limiters walk every spread again).
A spread counts every time it appears: one fragment with 10 aliases spread 3
times is 30 aliases. Cycles and unknown fragments count as nothing here;
graphql-core's NoFragmentCycles and KnownFragmentNames report them.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

# A measure of one selection set, given how to measure a named fragment.
_Measure = Callable[[SelectionSetNode | None, Callable[[str], int]], int]


class _FragmentMemo:
    """Measures each fragment of a document at most once; a fragment met again
    while it is being measured (a cycle) measures 0."""

    def __init__(self, context: ValidationContext, measure: _Measure) -> None:
        self._fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self._measure = measure
        self._done: dict[str, int] = {}
        self._open: set[str] = set()

    def __call__(self, name: str) -> int:
        if name in self._done:
            return self._done[name]
        fragment = self._fragments.get(name)
        if fragment is None or name in self._open:
            return 0
        self._open.add(name)
        value = self._measure(fragment.selection_set, self)
        self._open.discard(name)
        self._done[name] = value
        return value


def _operations(context: ValidationContext) -> list[OperationDefinitionNode]:
    return [
        d
        for d in context.document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]


def _depth(selections: SelectionSetNode | None, fragment: Callable[[str], int]) -> int:
    """Fields with a selection set on the deepest path (introspection fields
    such as `__schema` count 0, as strawberry's QueryDepthLimiter does)."""
    deepest = 0
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__") or not selection.selection_set:
                continue
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragment))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragment))
        elif isinstance(selection, FragmentSpreadNode):
            deepest = max(deepest, fragment(selection.name.value))
    return deepest


def _aliases(
    selections: SelectionSetNode | None, fragment: Callable[[str], int]
) -> int:
    """Aliased fields, each spread of a fragment counting its aliases again."""
    count = 0
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            count += 1 if selection.alias else 0
            count += _aliases(selection.selection_set, fragment)
        elif isinstance(selection, InlineFragmentNode):
            count += _aliases(selection.selection_set, fragment)
        elif isinstance(selection, FragmentSpreadNode):
            count += fragment(selection.name.value)
    return count


def depth_limit(max_depth: int) -> type[ValidationRule]:
    class DepthLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            memo = _FragmentMemo(context, _depth)
            for operation in _operations(context):
                if _depth(operation.selection_set, memo) > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            operation,
                        )
                    )

    return DepthLimit


def alias_limit(max_aliases: int) -> type[ValidationRule]:
    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            memo = _FragmentMemo(context, _aliases)
            total = sum(
                _aliases(operation.selection_set, memo)
                for operation in _operations(context)
            )
            if total > max_aliases:
                context.report_error(
                    GraphQLError(f"{total} aliases found. Allowed: {max_aliases}")
                )

    return AliasLimit


__all__ = ["alias_limit", "depth_limit"]
