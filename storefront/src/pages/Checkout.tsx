import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useClient, useMutation, useQuery } from "urql";
import { ErrorBanner, Notice } from "../components/Banner";
import { Field } from "../components/Field";
import { RequireLogin } from "../components/RequireLogin";
import { useDraft, useLastGood } from "../context";
import { money } from "../format";
import { CartQuery, ClearCartMutation, PlaceOrderMutation } from "../graphql/operations";
import { cardProblems, pay, type Card } from "../payment";

const EMPTY_ADDRESS = { fullName: "", street: "", city: "", postalCode: "", country: "" };

function newKey(): string {
  return `checkout-${crypto.randomUUID()}`;
}

function addressProblems(address: typeof EMPTY_ADDRESS): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [field, label] of [
    ["fullName", "your full name"],
    ["street", "the street and number"],
    ["city", "the city"],
    ["postalCode", "the postal code"],
    ["country", "the country"],
  ] as const) {
    if (!address[field].trim()) problems[field] = `Enter ${label}.`;
  }
  return problems;
}

function CheckoutForm() {
  const navigate = useNavigate();
  const client = useClient();
  const [{ data, error: cartError }, refetchCart] = useQuery({ query: CartQuery, requestPolicy: "network-only" });
  const [placing, placeOrder] = useMutation(PlaceOrderMutation);
  const [, clearCart] = useMutation(ClearCartMutation);
  // Kept across reloads, logins and errors; the card number and CVC are not
  // stored anywhere, on purpose.
  const [address, setAddress, clearAddress] = useDraft("address", EMPTY_ADDRESS);
  const [cardDraft, setCardDraft, clearCardDraft] = useDraft("card", { holder: "", expiry: "" });
  const [secret, setSecret] = useState({ number: "", cvc: "" });
  // One key per checkout: a double click or a retry places one order.
  const [checkout, setCheckout, clearCheckout] = useDraft("checkout", { key: newKey(), paid: "" });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [declined, setDeclined] = useState("");
  const [refusal, setRefusal] = useState("");
  const [paying, setPaying] = useState(false);
  const inFlight = useRef(false); // a second click before React re-renders

  // A failed refetch (outage, rate limit) must not take the form away.
  const cart = useLastGood(data?.cart);
  const card: Card = { ...cardDraft, ...secret };
  const busy = paying || placing.fetching;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || inFlight.current || !cart) return;
    inFlight.current = true;
    try {
      await finish(cart);
    } finally {
      inFlight.current = false;
    }
  };

  const finish = async (cart: NonNullable<NonNullable<typeof data>["cart"]>) => {
    setDeclined("");
    setRefusal("");
    const found = { ...addressProblems(address), ...(checkout.paid ? {} : cardProblems(card)) };
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    let paid = checkout.paid;
    if (!paid) {
      setPaying(true);
      const payment = await pay(card, cart.subtotal?.amount ?? 0);
      setPaying(false);
      if (!payment.approved) {
        setDeclined(payment.reason);
        return;
      }
      paid = payment.reference;
      setCheckout({ ...checkout, paid });
    }
    const items = cart.lines.map((line) => ({ productId: line.productId, quantity: line.quantity }));
    const result = await placeOrder({ input: { items, idempotencyKey: checkout.key } });
    const outcome = result.data?.placeOrder;
    if (!outcome) return; // a transport failure: shown by the banner, key kept
    switch (outcome.__typename) {
      case "Order":
        await clearCart({}, { additionalTypenames: ["Cart"] });
        // Every view of the cart (the header's badge too) learns it is empty.
        await client.query(CartQuery, {}, { requestPolicy: "network-only" }).toPromise();
        clearAddress();
        clearCardDraft();
        clearCheckout();
        navigate(`/orders/${outcome.id}?placed=1`);
        return;
      case "OutOfStock": {
        const name = cart.lines.find((l) => l.productId === outcome.productId)?.product?.name ?? "A product";
        setRefusal(
          `${name}: only ${outcome.available ?? 0} left in stock (you asked for ${outcome.requested}). ` +
            "Change the quantity in your cart; your address is kept.",
        );
        setCheckout({ ...checkout, key: newKey() });
        refetchCart({ requestPolicy: "network-only" });
        return;
      }
      default:
        setRefusal(outcome.message);
        setCheckout({ ...checkout, key: newKey() });
    }
  };

  if (cartError && !cart) return <ErrorBanner error={cartError} retry={() => refetchCart()} />;
  if (!cart) return <p aria-live="polite">Loading…</p>;
  if (cart.lines.length === 0) {
    return (
      <p>
        Your cart is empty. <Link to="/">Browse the catalog</Link>
      </p>
    );
  }
  const onAddress = (field: keyof typeof EMPTY_ADDRESS) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setAddress({ ...address, [field]: e.target.value });
  return (
    <form className="checkout" onSubmit={submit} noValidate aria-labelledby="checkout-title">
      <h1 id="checkout-title">Checkout</h1>
      <section aria-labelledby="summary-title" className="panel">
        <h2 id="summary-title">Order summary</h2>
        <ul>
          {cart.lines.map((line) => (
            <li key={line.productId}>
              {line.quantity} × {line.product?.name ?? line.productId} — {money(line.lineTotal)}
            </li>
          ))}
        </ul>
        <p>
          Total: <strong data-testid="total">{money(cart.subtotal)}</strong>
        </p>
      </section>
      <fieldset>
        <legend>Shipping address</legend>
        <Field label="Full name" name="fullName" autoComplete="name" value={address.fullName} onChange={onAddress("fullName")} error={problems.fullName} />
        <Field label="Street and number" name="street" autoComplete="street-address" value={address.street} onChange={onAddress("street")} error={problems.street} />
        <Field label="City" name="city" autoComplete="address-level2" value={address.city} onChange={onAddress("city")} error={problems.city} />
        <Field label="Postal code" name="postalCode" autoComplete="postal-code" value={address.postalCode} onChange={onAddress("postalCode")} error={problems.postalCode} />
        <Field label="Country" name="country" autoComplete="country-name" value={address.country} onChange={onAddress("country")} error={problems.country} />
      </fieldset>
      <fieldset disabled={Boolean(checkout.paid)}>
        <legend>Payment (simulated)</legend>
        {checkout.paid ? (
          <p role="status">Payment approved ({checkout.paid}).</p>
        ) : (
          <p className="muted">
            Test cards: 4242 4242 4242 4242 is approved, 4000 0000 0000 0002 is declined.
          </p>
        )}
        <Field label="Name on card" name="holder" autoComplete="cc-name" value={cardDraft.holder} onChange={(e) => setCardDraft({ ...cardDraft, holder: e.target.value })} error={problems.holder} />
        <Field label="Card number" name="cardNumber" autoComplete="cc-number" inputMode="numeric" value={secret.number} onChange={(e) => setSecret({ ...secret, number: e.target.value })} error={problems.number} />
        <Field label="Expiry (MM/YY)" name="expiry" autoComplete="cc-exp" value={cardDraft.expiry} onChange={(e) => setCardDraft({ ...cardDraft, expiry: e.target.value })} error={problems.expiry} />
        <Field label="CVC" name="cvc" autoComplete="cc-csc" inputMode="numeric" value={secret.cvc} onChange={(e) => setSecret({ ...secret, cvc: e.target.value })} error={problems.cvc} />
      </fieldset>
      {declined && (
        <Notice kind="error">
          <span data-testid="declined">{declined}</span>
        </Notice>
      )}
      {refusal && <Notice kind="warn">{refusal}</Notice>}
      <ErrorBanner error={placing.error} />
      <button type="submit" className="primary" disabled={busy}>
        {paying ? "Paying…" : placing.fetching ? "Placing your order…" : `Pay and place order`}
      </button>
    </form>
  );
}

export function Checkout() {
  return (
    <RequireLogin>
      <CheckoutForm />
    </RequireLogin>
  );
}
