import { Link } from "react-router-dom";
import { useQuery } from "urql";
import { ErrorBanner } from "../components/Banner";
import { RequireLogin } from "../components/RequireLogin";
import { money, when } from "../format";
import { OrdersQuery } from "../graphql/operations";

function OrderList() {
  const [{ data, fetching, error }, refetch] = useQuery({
    query: OrdersQuery,
    variables: { first: 50 },
    requestPolicy: "cache-and-network",
  });
  const edges = data?.orders.edges ?? [];
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Your orders</h1>
      <ErrorBanner error={error} retry={() => refetch({ requestPolicy: "network-only" })} />
      {fetching && !data && <p aria-live="polite">Loading…</p>}
      {data && edges.length === 0 && <p>No orders yet.</p>}
      <ul className="orders" aria-label="Orders">
        {edges.map(({ node }) => (
          <li key={node.id}>
            <Link to={`/orders/${node.id}`}>
              <span>{when(node.createdAt)}</span>
              <span>{node.items.reduce((n, item) => n + item.quantity, 0)} items</span>
              <span>{money(node.total)}</span>
              <span className={`status status-${node.status.toLowerCase()}`}>{node.status}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Orders() {
  return (
    <RequireLogin>
      <OrderList />
    </RequireLogin>
  );
}
