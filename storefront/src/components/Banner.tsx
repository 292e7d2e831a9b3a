import { useLocation } from "react-router-dom";
import type { CombinedError } from "urql";
import { useShop } from "../context";
import { describe } from "../errors";

/** A failed request, in words, with the way out (log in again, retry). */
export function ErrorBanner({
  error,
  retry,
}: {
  error: CombinedError | Error | undefined | null;
  retry?: () => void;
}) {
  const { auth } = useShop();
  const location = useLocation();
  const problem = describe(error);
  if (!problem) return null;
  return (
    <div role="alert" className={`banner banner-${problem.kind}`} data-problem={problem.kind}>
      <span>{problem.message}</span>
      {problem.kind === "expired" && (
        <button type="button" onClick={() => void auth.login(location.pathname + location.search)}>
          Log in again
        </button>
      )}
      {retry && problem.kind !== "expired" && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({ kind, children }: { kind: "ok" | "warn" | "error"; children: React.ReactNode }) {
  return (
    <div role={kind === "ok" ? "status" : "alert"} className={`banner banner-${kind}`}>
      {children}
    </div>
  );
}
