// A cart mutation's result union, as the one line the shopper reads.
interface CartResultLike {
  __typename?: string;
  available?: number | null;
  requested?: number | null;
  message?: string;
  fields?: { field: string; message: string }[];
}

export interface Outcome {
  kind: "ok" | "warn" | "error";
  message: string;
}

export function cartOutcome(result: CartResultLike | undefined, success: string): Outcome | null {
  if (!result) return null;
  switch (result.__typename) {
    case "Cart":
      return { kind: "ok", message: success };
    case "OutOfStock":
      return {
        kind: "warn",
        message:
          result.available === 0 || result.available == null
            ? "Sorry, this product is out of stock."
            : `Only ${result.available} left in stock (you asked for ${result.requested}).`,
      };
    case "ValidationError":
      return {
        kind: "error",
        message: (result.fields ?? []).map((f) => `${f.field}: ${f.message}`).join("; ") || "Not valid.",
      };
    case "NotFound":
      return { kind: "error", message: "This product no longer exists." };
    case "Conflict":
      return { kind: "warn", message: "Your cart changed at the same time; please try again." };
    case "Unavailable":
      return { kind: "error", message: "The cart is unavailable right now; try again in a moment." };
    default:
      return { kind: "error", message: result.message ?? "Something went wrong." };
  }
}
