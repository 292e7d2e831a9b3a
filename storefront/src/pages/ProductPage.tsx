import { useState, type FormEvent } from "react";
import { Link, useLocation, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { ErrorBanner, Notice } from "../components/Banner";
import { useSession, useShop } from "../context";
import { money } from "../format";
import { AddToCartMutation, ProductQuery } from "../graphql/operations";
import { cartOutcome } from "./cartOutcome";

export function ProductPage() {
  const { id = "" } = useParams();
  const { auth } = useShop();
  const session = useSession();
  const location = useLocation();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ProductQuery,
    variables: { id },
    requestPolicy: "network-only",
  });
  const [added, addToCart] = useMutation(AddToCartMutation);
  const [quantity, setQuantity] = useState("1");
  const [outcome, setOutcome] = useState<ReturnType<typeof cartOutcome>>(null);

  const product = data?.product;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await addToCart(
      { productId: id, quantity: Number(quantity) },
      { additionalTypenames: ["Cart"] },
    );
    setOutcome(cartOutcome(result.data?.addToCart, `Added to your cart.`));
    if (result.data?.addToCart.__typename === "OutOfStock") refetch({ requestPolicy: "network-only" });
  };

  if (fetching && !data) return <p aria-live="polite">Loading…</p>;
  if (error) return <ErrorBanner error={error} retry={() => refetch({ requestPolicy: "network-only" })} />;
  if (!product) return <p>This product does not exist. <Link to="/">Back to the catalog</Link></p>;
  return (
    <article className="product" aria-labelledby="product-name">
      <p>
        <Link to="/">← Catalog</Link>
      </p>
      <h1 id="product-name">{product.name}</h1>
      <p className="muted">{product.category}</p>
      <p className="price" data-testid="price">
        {money(product.price)}
      </p>
      <p data-testid="stock" className={product.stock > 0 ? "stock" : "stock out"}>
        {product.stock > 0 ? `${product.stock} in stock` : "Out of stock"}
      </p>
      {product.description && <p>{product.description}</p>}
      {session ? (
        <form className="inline-form" onSubmit={submit}>
          <label>
            Quantity
            <input
              name="quantity"
              type="number"
              min={1}
              step={1}
              value={quantity}
              onChange={(e) => setQuantity(e.target.value)}
            />
          </label>
          <button type="submit" disabled={added.fetching || product.stock === 0}>
            Add to cart
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => void auth.login(location.pathname)}>
          Log in to buy
        </button>
      )}
      <ErrorBanner error={added.error} />
      {outcome && <Notice kind={outcome.kind}>{outcome.message}</Notice>}
    </article>
  );
}
