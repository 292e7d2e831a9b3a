import type { ReactNode } from "react";
import { useLocation } from "react-router-dom";
import { useSession, useShop } from "../context";

/** Shows its children to a logged-in shopper, a login button to anyone else. */
export function RequireLogin({ children, admin = false }: { children: ReactNode; admin?: boolean }) {
  const { auth } = useShop();
  const session = useSession();
  const location = useLocation();
  if (!session) {
    return (
      <section className="panel">
        <h1>Please log in</h1>
        {auth.expired && <p role="alert">Your session has expired.</p>}
        <p>You need to be logged in to see this page.</p>
        <button type="button" onClick={() => void auth.login(location.pathname + location.search)}>
          Log in
        </button>
      </section>
    );
  }
  if (admin && !auth.isAdmin()) {
    return (
      <section className="panel">
        <h1>Not allowed</h1>
        <p>This page is for shop administrators.</p>
      </section>
    );
  }
  return <>{children}</>;
}
