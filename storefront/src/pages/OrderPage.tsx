import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { useMutation, useQuery, useSubscription } from "urql";
import { ErrorBanner, Notice } from "../components/Banner";
import { RequireLogin } from "../components/RequireLogin";
import { money, when } from "../format";
import { CancelOrderMutation, OrderQuery, OrderStatusSubscription } from "../graphql/operations";

/** One order; its status follows the order-status-changed subscription. */
function OrderDetail({ id }: { id: string }) {
  const [params] = useSearchParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: OrderQuery, variables: { id } });
  const [live] = useSubscription({ query: OrderStatusSubscription, variables: { orderId: id } });
  const [cancelling, cancel] = useMutation(CancelOrderMutation);
  const [refusal, setRefusal] = useState("");

  const order = data?.order;
  if (fetching && !data) return <p aria-live="polite">Loading…</p>;
  if (error && !order) return <ErrorBanner error={error} retry={() => refetch({ requestPolicy: "network-only" })} />;
  if (!order) return <p>No such order. <Link to="/orders">Your orders</Link></p>;
  const latest = live.data?.orderStatusChanged;
  const status = latest?.status ?? order.status;
  const cancellable = status === "PENDING" || status === "CONFIRMED";
  return (
    <article aria-labelledby="order-title">
      <p>
        <Link to="/orders">← Your orders</Link>
      </p>
      <h1 id="order-title">Order {order.id.slice(0, 8)}</h1>
      {params.get("placed") && <Notice kind="ok">Thank you! Your order is placed.</Notice>}
      <p>
        Status:{" "}
        <strong aria-live="polite" data-testid="order-status" className={`status status-${status.toLowerCase()}`}>
          {status}
        </strong>{" "}
        <span className="muted" data-testid="live">
          {live.error ? "(live updates paused; reconnecting)" : "(updates live)"}
        </span>
      </p>
      <p className="muted">Placed {when(order.createdAt)}</p>
      <table>
        <caption className="visually-hidden">Items</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Quantity</th>
            <th scope="col">Unit price</th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.productId}>
              <td>
                <Link to={`/products/${item.productId}`}>{item.productName}</Link>
              </td>
              <td>{item.quantity}</td>
              <td>{money(item.unitPrice)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td data-testid="order-total">{money(order.total)}</td>
          </tr>
        </tfoot>
      </table>
      {cancellable && (
        <button
          type="button"
          disabled={cancelling.fetching}
          onClick={async () => {
            setRefusal("");
            const result = await cancel({ id }, { additionalTypenames: ["Order"] });
            const outcome = result.data?.cancelOrder;
            if (outcome && outcome.__typename !== "Order") setRefusal(outcome.message);
          }}
        >
          Cancel order
        </button>
      )}
      {refusal && <Notice kind="warn">{refusal}</Notice>}
      <ErrorBanner error={cancelling.error} />
    </article>
  );
}

export function OrderPage() {
  const { id = "" } = useParams();
  return (
    <RequireLogin>
      <OrderDetail id={id} />
    </RequireLogin>
  );
}
