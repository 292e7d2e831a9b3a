import { NavLink, Route, Routes, useLocation } from "react-router-dom";
import { useQuery } from "urql";
import { useLastGood, useSession, useShop } from "./context";
import { CartQuery } from "./graphql/operations";
import { AdminProducts } from "./pages/admin/AdminProducts";
import { Callback } from "./pages/Callback";
import { CartPage } from "./pages/CartPage";
import { Catalog } from "./pages/Catalog";
import { Checkout } from "./pages/Checkout";
import { OrderPage } from "./pages/OrderPage";
import { Orders } from "./pages/Orders";
import { ProductPage } from "./pages/ProductPage";

function CartLink() {
  const [{ data }] = useQuery({ query: CartQuery, requestPolicy: "cache-and-network" });
  const count = useLastGood(data?.cart.totalQuantity) ?? 0;
  return (
    <NavLink to="/cart" aria-label={`Cart, ${count} item${count === 1 ? "" : "s"}`}>
      Cart <span className="badge" data-testid="cart-count">{count}</span>
    </NavLink>
  );
}

function Header() {
  const { auth } = useShop();
  const session = useSession();
  const location = useLocation();
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <NavLink to="/" className="brand">
        daprshop
      </NavLink>
      <nav aria-label="Main">
        <NavLink to="/" end>
          Catalog
        </NavLink>
        {session && <CartLink />}
        {session && <NavLink to="/orders">Orders</NavLink>}
        {session && auth.isAdmin() && <NavLink to="/admin">Admin</NavLink>}
      </nav>
      <div className="account">
        {session ? (
          <>
            <span data-testid="who">{session.name}</span>
            <button type="button" onClick={() => void auth.logout()}>
              Log out
            </button>
          </>
        ) : (
          <button type="button" onClick={() => void auth.login(location.pathname + location.search)}>
            Log in
          </button>
        )}
      </div>
    </header>
  );
}

export function App() {
  return (
    <>
      <Header />
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Catalog />} />
          <Route path="/products/:id" element={<ProductPage />} />
          <Route path="/cart" element={<CartPage />} />
          <Route path="/checkout" element={<Checkout />} />
          <Route path="/orders" element={<Orders />} />
          <Route path="/orders/:id" element={<OrderPage />} />
          <Route path="/admin" element={<AdminProducts />} />
          <Route path="/callback" element={<Callback />} />
          <Route path="*" element={<p>No such page.</p>} />
        </Routes>
      </main>
    </>
  );
}
