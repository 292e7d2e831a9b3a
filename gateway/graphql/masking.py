"""Masking: a bug's error reaches the client as a fixed message with code
`INTERNAL`; every other error gets an `extensions.code` too, so clients can
always switch on it (see `gateway.graphql.errors` for the expected ones)."""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors

INTERNAL_MESSAGE = "Internal server error."


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors raised by a bug, not by us or graphql-core."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskInternalErrors(MaskErrors):
    """Unexpected errors -> a fixed message and code INTERNAL; every other error
    gets a code too, so clients can always switch on `extensions.code`."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=is_unexpected, error_message=INTERNAL_MESSAGE
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return with_codes(super()._process_errors(errors))

    def _process_result(self, result: object) -> None:
        # As strawberry's, without its isinstance check against a
        # runtime-checkable Protocol: the costliest part of a clean result.
        errors = getattr(result, "errors", None)
        if errors:
            setattr(result, "errors", self._process_errors(errors))  # noqa: B010


_MASK = MaskInternalErrors()


def finalize_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Mask and code a result's errors; safe to apply twice. Used on results the
    extension does not see (errors raised while parsing or validating)."""
    return _MASK._process_errors(errors)


def with_codes(errors: list[GraphQLError]) -> list[GraphQLError]:
    for error in errors:
        if error.extensions and "code" in error.extensions:
            continue
        error.extensions = {**(error.extensions or {}), "code": _code_of(error)}
    return errors


def _code_of(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError) or isinstance(
        error.original_error, GraphQLSyntaxError
    ):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "INTERNAL"
