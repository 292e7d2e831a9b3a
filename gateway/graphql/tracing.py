"""Each GraphQL operation: its span named, counted and timed, its trace id returned.

The request's span (started by gateway.middleware, continuing the client's
`traceparent` or a new trace) is named after the operation; the operation is
counted and timed per `<type> <first root field>` (a label bounded by the
schema, unlike client-chosen operation names); the response carries
`extensions.traceId`, the id to look up in the trace store.
"""

from __future__ import annotations

import time
from typing import Any

from graphql import FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from common import metrics, tracing


def operation_label(context: ExecutionContext) -> str:
    """`mutation placeOrder`: the operation's type and first root field."""
    document = context.graphql_document
    if document is None:
        return "invalid"
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if context.operation_name and (
            definition.name is None or definition.name.value != context.operation_name
        ):
            continue
        fields = [
            s.name.value
            for s in definition.selection_set.selections
            if isinstance(s, FieldNode)
        ]
        return f"{definition.operation.value} {fields[0] if fields else '-'}"
    return "invalid"


class TraceOperation(SchemaExtension):
    """Made per request (pass the class), when the operation starts: timing
    from here saves an `on_operation` hook per request."""

    def __init__(self) -> None:
        super().__init__()
        self._started = time.perf_counter()
        self._recorded = False

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context
        if not self._recorded:
            self._recorded = True
            label = operation_label(context)
            outcome = "error" if context.pre_execution_errors else "ok"
            metrics.observe(label, outcome, time.perf_counter() - self._started)
            span = tracing.current()
            if span is not None:
                span.name = f"graphql {label}"
                if context.operation_name:
                    span.tag("graphql.operation.name", context.operation_name)
        trace_id = tracing.current_trace_id()
        return {"traceId": trace_id} if trace_id else {}
