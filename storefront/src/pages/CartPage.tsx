import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { ErrorBanner, Notice } from "../components/Banner";
import { RequireLogin } from "../components/RequireLogin";
import { money } from "../format";
import { CartQuery, RemoveFromCartMutation, SetCartQuantityMutation } from "../graphql/operations";
import { cartOutcome, type Outcome } from "./cartOutcome";

interface LineProps {
  productId: string;
  name: string;
  quantity: number;
  max: number;
  unit: string;
  total: string;
  onOutcome: (outcome: Outcome | null) => void;
}

function CartLineRow({ productId, name, quantity, max, unit, total, onOutcome }: LineProps) {
  const [value, setValue] = useState(String(quantity));
  const [setState, setQuantity] = useMutation(SetCartQuantityMutation);
  const [removeState, remove] = useMutation(RemoveFromCartMutation);
  const context = { additionalTypenames: ["Cart"] };
  const update = async (event: FormEvent) => {
    event.preventDefault();
    const result = await setQuantity({ productId, quantity: Number(value) }, context);
    onOutcome(cartOutcome(result.data?.setCartQuantity, `${name}: quantity updated.`));
    if (result.data?.setCartQuantity.__typename !== "Cart") return;
  };
  const inputId = `qty-${productId}`;
  return (
    <li className="cart-line" data-product-id={productId}>
      <Link to={`/products/${productId}`} className="cart-name">
        {name}
      </Link>
      <span className="muted">{unit} each</span>
      <form className="inline-form" onSubmit={update}>
        <label htmlFor={inputId}>Quantity</label>
        <input
          id={inputId}
          name="quantity"
          type="number"
          min={1}
          max={max}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" disabled={setState.fetching}>
          Update
        </button>
      </form>
      <span className="line-total">{total}</span>
      <button
        type="button"
        className="link-button"
        aria-label={`Remove ${name}`}
        disabled={removeState.fetching}
        onClick={async () => {
          const result = await remove({ productId }, context);
          onOutcome(cartOutcome(result.data?.removeFromCart, `${name} removed.`));
        }}
      >
        Remove
      </button>
      <ErrorBanner error={setState.error ?? removeState.error} />
    </li>
  );
}

function Cart() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: CartQuery, requestPolicy: "cache-and-network" });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const cart = data?.cart;
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      <ErrorBanner error={error} retry={() => refetch({ requestPolicy: "network-only" })} />
      {outcome && <Notice kind={outcome.kind}>{outcome.message}</Notice>}
      {fetching && !cart && <p aria-live="polite">Loading…</p>}
      {cart && cart.lines.length === 0 && (
        <p>
          Your cart is empty. <Link to="/">Browse the catalog</Link>
        </p>
      )}
      {cart && cart.lines.length > 0 && (
        <>
          <ul className="cart-lines" aria-label="Cart lines">
            {cart.lines.map((line) => (
              <CartLineRow
                key={`${line.productId}:${line.quantity}`}
                productId={line.productId}
                name={line.product?.name ?? "A product no longer sold"}
                quantity={line.quantity}
                max={cart.maxLineQuantity}
                unit={money(line.product?.price)}
                total={money(line.lineTotal)}
                onOutcome={setOutcome}
              />
            ))}
          </ul>
          <p className="subtotal">
            Subtotal ({cart.totalQuantity} items): <strong data-testid="subtotal">{money(cart.subtotal)}</strong>
          </p>
          <Link className="button" to="/checkout">
            Checkout
          </Link>
        </>
      )}
    </section>
  );
}

export function CartPage() {
  return (
    <RequireLogin>
      <Cart />
    </RequireLogin>
  );
}
