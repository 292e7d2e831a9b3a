"""Each query text parsed and validated once per process, limits included.

One extension does what strawberry's MaxTokensLimiter, ParserCache,
AddValidationRules (our depth and alias limits, and DisableIntrospection in
prod) and ValidationCache did as five: fewer hooks to set up per request, and
the cache is keyed by the query text, which Python hashes once per string,
where ValidationCache hashed the whole parsed document on every request.

The cached verdict is the full one: a document over a limit keeps its error
and is refused every time it comes back, without being measured again. A
document that does not parse (or has more than `max_tokens` tokens) is not
cached: its syntax error is raised as strawberry's own parse step would.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    parse,
    specified_rules,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gateway.graphql.limits import alias_limit, depth_limit


def document_rules(
    max_depth: int, max_aliases: int, introspection: bool
) -> tuple[type[ASTValidationRule], ...]:
    """graphql-core's rules, then the shape limits, then (in prod) no
    introspection."""
    rules: list[type[ASTValidationRule]] = [
        *specified_rules,
        depth_limit(max_depth),
        alias_limit(max_aliases),
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


class DocumentCache:
    """query text -> (document, its validation errors): a bounded LRU, one per
    schema (the rules and the schema are fixed, so the text is the key)."""

    def __init__(
        self,
        max_tokens: int,
        rules: Sequence[type[ASTValidationRule]],
        maxsize: int = 256,
    ) -> None:
        self.max_tokens = max_tokens
        self.rules = tuple(rules)
        self.maxsize = maxsize
        self._prepared: OrderedDict[str, tuple[DocumentNode, list[GraphQLError]]]
        self._prepared = OrderedDict()

    def prepare(
        self, schema: GraphQLSchema, query: str
    ) -> tuple[DocumentNode, list[GraphQLError]]:
        """The parsed document and its validation errors (a fresh list); raises
        the GraphQLSyntaxError of a document that does not parse."""
        prepared = self._prepared.get(query)
        if prepared is None:
            document = parse(query, max_tokens=self.max_tokens)
            prepared = (document, validate_document(schema, document, self.rules))
            self._prepared[query] = prepared
            if len(self._prepared) > self.maxsize:
                self._prepared.popitem(last=False)
        else:
            self._prepared.move_to_end(query)
        return prepared[0], list(prepared[1])


class PreparedDocuments(SchemaExtension):
    """Made per request (strawberry calls the factory `prepared_documents`
    returns) over the schema's one `DocumentCache`."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            document, errors = self.cache.prepare(context.schema._schema, context.query)
            context.graphql_document = document
            # Validated already: strawberry skips its own validation when
            # `pre_execution_errors` is set (its "run by an extension" rule),
            # and still refuses the operation when the list is not empty.
            context.pre_execution_errors = errors
        yield


def prepared_documents(cache: DocumentCache) -> Callable[[], PreparedDocuments]:
    """The extension factory to give the schema."""
    return functools.partial(PreparedDocuments, cache)
