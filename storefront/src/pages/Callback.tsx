import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { useShop } from "../context";

/** Where the provider sends the shopper back: finish the login, go on. */
export function Callback() {
  const { auth } = useShop();
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice; a code is spent once
    started.current = true;
    auth
      .finishLogin()
      .then((to) => navigate(to, { replace: true }))
      .catch((err: unknown) => {
        console.error("login failed", err);
        setFailed(true);
      });
  }, [auth, navigate]);
  if (failed) {
    return (
      <section className="panel" role="alert">
        <h1>Login failed</h1>
        <button type="button" onClick={() => void auth.login("/")}>
          Try again
        </button>
      </section>
    );
  }
  return <p aria-live="polite">Logging you in…</p>;
}
