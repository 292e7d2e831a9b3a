from pathlib import Path

import strawberry

from gateway import graphiql

STOCK_PAGE = Path(strawberry.__file__).parent / "static" / "graphiql.html"


def test_every_unpkg_url_of_the_stock_page_becomes_local() -> None:
    html = graphiql.localize(STOCK_PAGE.read_text())
    assert "unpkg.com" not in html
    assert "/graphiql-assets/graphiql/graphiql.min.js" in html
    assert "/graphiql-assets/react/umd/react.production.min.js" in html
    assert "/graphiql-assets/@graphiql/plugin-explorer/dist/index.umd.js" in html


def test_a_missing_asset_folder_keeps_the_stock_page(tmp_path: Path) -> None:
    assert not graphiql.usable(None)
    assert not graphiql.usable(tmp_path)


def test_the_router_serves_the_localized_page() -> None:
    import asyncio

    from gateway.graphql.router import build_router
    from gateway.graphql.schema import SchemaLimits, build_schema

    router = build_router(
        build_schema(SchemaLimits()), None, graphiql=True, local_ide=True
    )
    page = asyncio.run(router.render_graphql_ide(None)).body.decode()  # type: ignore[arg-type]
    assert "unpkg.com" not in page
    assert graphiql.ASSETS_PATH in page
