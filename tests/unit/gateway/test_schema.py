"""The committed SDL, and the shape clients rely on."""

from __future__ import annotations

from graphql import GraphQLUnionType, parse, validate

from gateway.graphql import export
from gateway.graphql.schema import build_schema


def test_the_committed_sdl_is_current() -> None:
    assert export.SDL_PATH.exists(), "run `python -m gateway.graphql.export`"
    assert export.SDL_PATH.read_text() == export.sdl(), (
        "gateway/schema.graphql is stale: run `python -m gateway.graphql.export`"
    )


def test_the_export_check_fails_on_a_stale_file(tmp_path: object) -> None:
    from pathlib import Path

    stale = Path(str(tmp_path)) / "schema.graphql"
    stale.write_text("type Query { old: Int }\n")

    assert export.main(["--check", "--output", str(stale)]) == 1
    assert export.main(["--output", str(stale)]) == 0
    assert export.main(["--check", "--output", str(stale)]) == 0


def test_the_names_clients_rely_on_exist() -> None:
    sdl = export.sdl()
    for fragment in (
        "me: User",
        "product(id: ID!): Product",
        "products(first: Int = null, after: String = null, filter: ProductFilter",
        "): ProductConnection!",
        "order(id: ID!): Order",
        "orders(first: Int = null, after: String = null, last: Int = null, "
        "before: String = null): OrderConnection!",
        "filter: ProductFilter = null, last: Int = null, before: String = null)",
        "updateProfile(input: UpdateProfileInput!): UpdateProfileResult!",
        "createProduct(input: CreateProductInput!): CreateProductResult!",
        "updateProduct(id: ID!, input: UpdateProductInput!): UpdateProductResult!",
        "placeOrder(input: PlaceOrderInput!): PlaceOrderResult!",
        "cancelOrder(id: ID!): CancelOrderResult!",
        "updateOrderStatus(id: ID!, status: OrderStatus!): UpdateOrderStatusResult!",
        "orderStatusChanged(\n    orderId: ID!\n",
        "afterUpdatedAt: DateTime = null\n  ): Order!",
    ):
        assert fragment in sdl, fragment


def test_every_result_union_can_select_all_members_at_once() -> None:
    """No two members have a same-named field of another type (a client asking
    `... on Product { id } ... on NotFound { id }` must validate)."""
    schema = build_schema()._schema
    unions = [
        t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLUnionType) and name.endswith("Result")
    ]
    assert len(unions) == 7
    for union in unions:
        selections = []
        for member in union.types:
            leaves = [
                name
                for name, field in member.fields.items()
                if not hasattr(_named(field.type), "fields")
            ]
            selections.append(f"... on {member.name} {{ {' '.join(leaves)} }}")
        field = next(
            name
            for name, f in schema.mutation_type.fields.items()  # type: ignore[union-attr]
            if _named(f.type) is union
        )
        args = {
            "updateProfile": "(input: {})",
            "createProduct": (
                '(input: {name: "a", category: "b", '
                'price: {amount: 1, currency: "USD"}})'
            ),
            "updateProduct": '(id: "1", input: {})',
            "placeOrder": '(input: {items: [], idempotencyKey: "k"})',
            "cancelOrder": '(id: "1")',
            "updateOrderStatus": '(id: "1", status: SHIPPED)',
            "addToCart": '(productId: "1")',
        }[field]
        query = f"mutation {{ {field}{args} {{ __typename {' '.join(selections)} }} }}"
        assert validate(schema, parse(query)) == [], query


def _named(graphql_type: object) -> object:
    while hasattr(graphql_type, "of_type"):
        graphql_type = graphql_type.of_type
    return graphql_type
