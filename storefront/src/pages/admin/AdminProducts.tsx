import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { ErrorBanner, Notice } from "../../components/Banner";
import { RequireLogin } from "../../components/RequireLogin";
import { money } from "../../format";
import { ProductsQuery, UpdateStockMutation } from "../../graphql/operations";
import { NewProduct } from "./NewProduct";

interface Outcome {
  kind: "ok" | "error";
  message: string;
}

function StockRow({ id, name, stock, price }: { id: string; name: string; stock: number; price: string }) {
  const [value, setValue] = useState(String(stock));
  const [state, update] = useMutation(UpdateStockMutation);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await update({ id, stock: Number(value) }, { additionalTypenames: ["Product"] });
    const answer = result.data?.updateProduct;
    if (!answer) return;
    setOutcome(
      answer.__typename === "Product"
        ? { kind: "ok", message: `Stock of ${name} is now ${answer.stock}.` }
        : { kind: "error", message: answer.message },
    );
  };
  const inputId = `stock-${id}`;
  return (
    <tr data-product-id={id}>
      <td>
        <Link to={`/products/${id}`}>{name}</Link>
      </td>
      <td>{price}</td>
      <td>
        <form className="inline-form" onSubmit={submit}>
          <label htmlFor={inputId} className="visually-hidden">
            Stock of {name}
          </label>
          <input id={inputId} name="stock" type="number" min={0} value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" disabled={state.fetching}>
            Save stock
          </button>
        </form>
        <ErrorBanner error={state.error} />
        {outcome && <Notice kind={outcome.kind}>{outcome.message}</Notice>}
      </td>
    </tr>
  );
}

function Admin() {
  const [search, setSearch] = useState("");
  const [{ data, error }, refetch] = useQuery({
    query: ProductsQuery,
    variables: { first: 50, filter: { search: search || null } },
    requestPolicy: "network-only",
  });
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Admin: products</h1>
      <NewProduct onCreated={() => refetch({ requestPolicy: "network-only" })} />
      <h2>Stock</h2>
      <label>
        Find a product
        <input type="search" name="adminSearch" value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <ErrorBanner error={error} retry={() => refetch({ requestPolicy: "network-only" })} />
      <table>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Price</th>
            <th scope="col">Stock</th>
          </tr>
        </thead>
        <tbody>
          {(data?.products.edges ?? []).map(({ node }) => (
            <StockRow key={node.id} id={node.id} name={node.name} stock={node.stock} price={money(node.price)} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AdminProducts() {
  return (
    <RequireLogin admin>
      <Admin />
    </RequireLogin>
  );
}
