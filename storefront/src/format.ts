export interface MoneyValue {
  amount: number;
  currency: string;
}

/** Minor units (cents) as the shopper reads them: "$12.50". */
export function money(value: MoneyValue | null | undefined): string {
  if (!value) return "—";
  return new Intl.NumberFormat("en-US", { style: "currency", currency: value.currency }).format(
    value.amount / 100,
  );
}

export function when(iso: string): string {
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}
