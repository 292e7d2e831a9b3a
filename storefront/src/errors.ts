// What can go wrong on the way to the gateway, and the one sentence the
// shopper reads for each. Typed results of mutations (OutOfStock,
// ValidationError, ...) are shown where they happen; these are the rest.
import type { CombinedError } from "urql";

export class GatewayDown extends Error {
  constructor() {
    super("The shop cannot be reached right now. Nothing was lost: try again in a moment.");
  }
}

export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Too many requests in a short time. Please wait ${retryAfterSeconds} s and try again; ` +
        "what you entered is kept.",
    );
  }
}

export class SessionExpired extends Error {
  constructor() {
    super("Your session has expired. Log in again; what you entered is kept.");
  }
}

export type Problem =
  | { kind: "down" | "expired" | "other"; message: string }
  | { kind: "rate"; message: string; retryAfterSeconds: number };

/** The shopper's view of a failed operation. */
export function describe(error: CombinedError | Error | undefined | null): Problem | null {
  if (!error) return null;
  const cause = "networkError" in error ? (error.networkError ?? error) : error;
  if (cause instanceof RateLimited) {
    return { kind: "rate", message: cause.message, retryAfterSeconds: cause.retryAfterSeconds };
  }
  if (cause instanceof SessionExpired) return { kind: "expired", message: cause.message };
  if (cause instanceof GatewayDown) return { kind: "down", message: cause.message };
  if ("graphQLErrors" in error) {
    const codes = error.graphQLErrors.map((e) => e.extensions?.code);
    if (codes.includes("UNAUTHENTICATED")) {
      return { kind: "expired", message: new SessionExpired().message };
    }
    if (codes.includes("UNAVAILABLE")) {
      return { kind: "down", message: "A part of the shop is unavailable; try again shortly." };
    }
    if (error.networkError) return { kind: "down", message: new GatewayDown().message };
  }
  return { kind: "other", message: "Something went wrong. Please try again." };
}
