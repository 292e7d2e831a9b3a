import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { ErrorBanner } from "../components/Banner";
import { money } from "../format";
import { ProductsQuery } from "../graphql/operations";

const PAGE_SIZE = 12;

/** Dollars as typed ("12.50") -> cents, or undefined when empty or not a number. */
function cents(text: string | null): number | undefined {
  if (!text) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? Math.round(value * 100) : undefined;
}

/** The catalog: search and filters live in the URL (shareable, back button),
 * pages are followed by cursor; "Previous" walks back the cursors seen. */
export function Catalog() {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const category = params.get("category") ?? "";
  const minPrice = params.get("min") ?? "";
  const maxPrice = params.get("max") ?? "";
  const after = params.get("after");
  const [trail, setTrail] = useState<(string | null)[]>([]);
  const [form, setForm] = useState({ search, category, minPrice, maxPrice });

  const [{ data, fetching, error }, refetch] = useQuery({
    query: ProductsQuery,
    variables: {
      first: PAGE_SIZE,
      after,
      filter: {
        search: search || null,
        category: category || null,
        minPrice: cents(minPrice) ?? null,
        maxPrice: cents(maxPrice) ?? null,
      },
    },
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (form.search.trim()) next.set("q", form.search.trim());
    if (form.category) next.set("category", form.category);
    if (form.minPrice) next.set("min", form.minPrice);
    if (form.maxPrice) next.set("max", form.maxPrice);
    setTrail([]);
    setParams(next);
  };
  const goTo = (cursor: string | null, back: boolean) => {
    const next = new URLSearchParams(params);
    if (cursor) next.set("after", cursor);
    else next.delete("after");
    setTrail(back ? trail.slice(0, -1) : [...trail, after]);
    setParams(next);
  };

  const edges = data?.products.edges ?? [];
  const pageInfo = data?.products.pageInfo;
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Catalog</h1>
      <form className="filters" role="search" onSubmit={apply}>
        <label>
          Search
          <input
            name="search"
            type="search"
            value={form.search}
            onChange={(e) => setForm({ ...form, search: e.target.value })}
            placeholder="mug, kettle…"
          />
        </label>
        <label>
          Category
          <select
            name="category"
            value={form.category}
            onChange={(e) => setForm({ ...form, category: e.target.value })}
          >
            <option value="">All</option>
            <option value="kitchen">Kitchen</option>
            <option value="bags">Bags</option>
            <option value="apparel">Apparel</option>
          </select>
        </label>
        <label>
          Min price ($)
          <input
            name="minPrice"
            inputMode="decimal"
            value={form.minPrice}
            onChange={(e) => setForm({ ...form, minPrice: e.target.value })}
          />
        </label>
        <label>
          Max price ($)
          <input
            name="maxPrice"
            inputMode="decimal"
            value={form.maxPrice}
            onChange={(e) => setForm({ ...form, maxPrice: e.target.value })}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorBanner error={error} retry={() => refetch({ requestPolicy: "network-only" })} />
      {fetching && !data && <p aria-live="polite">Loading…</p>}
      {data && edges.length === 0 && <p>No products match.</p>}
      <ul className="grid" aria-label="Products">
        {edges.map(({ node }) => (
          <li key={node.id} className="card">
            <Link to={`/products/${node.id}`} className="card-link">
              <span className="card-title">{node.name}</span>
              <span className="muted">{node.category}</span>
              <span className="price">{money(node.price)}</span>
              <span className={node.stock > 0 ? "stock" : "stock out"}>
                {node.stock > 0 ? `${node.stock} in stock` : "Out of stock"}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={trail.length === 0} onClick={() => goTo(trail.at(-1) ?? null, true)}>
          Previous
        </button>
        <button
          type="button"
          disabled={!pageInfo?.hasNextPage}
          onClick={() => goTo(pageInfo?.endCursor ?? null, false)}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
