// The simulated payment step (no payment provider is involved). Documented
// test cards, as payment providers publish them:
//   4242 4242 4242 4242  approved
//   4000 0000 0000 0002  declined ("card declined")
//   4000 0000 0000 9995  declined ("insufficient funds")
// Any other number that passes the Luhn check is approved; one that fails it,
// or an expiry in the past, is refused before "charging".
export interface Card {
  number: string;
  expiry: string; // MM/YY
  cvc: string;
  holder: string;
}

export type Payment = { approved: true; reference: string } | { approved: false; reason: string };

const DECLINED: Record<string, string> = {
  "4000000000000002": "Your card was declined. Try another card.",
  "4000000000009995": "Your card has insufficient funds. Try another card.",
};

export function digits(number: string): string {
  return number.replace(/[\s-]/g, "");
}

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return number.length >= 12 && sum % 10 === 0;
}

/** Problems with the card as typed: field -> message (empty when fine). */
export function cardProblems(card: Card, today = new Date()): Record<string, string> {
  const problems: Record<string, string> = {};
  const number = digits(card.number);
  if (!/^\d{12,19}$/.test(number) || !luhn(number)) problems.number = "Enter a valid card number.";
  const match = /^(\d{2})\s*\/\s*(\d{2})$/.exec(card.expiry.trim());
  const month = match ? Number(match[1]) : 0;
  const year = match ? 2000 + Number(match[2]) : 0;
  const endOfMonth = new Date(year, month, 1);
  if (!match || month < 1 || month > 12 || endOfMonth <= today) {
    problems.expiry = "Enter an expiry date (MM/YY) that is not in the past.";
  }
  if (!/^\d{3,4}$/.test(card.cvc.trim())) problems.cvc = "Enter the 3 or 4 digits on the back.";
  if (!card.holder.trim()) problems.holder = "Enter the name on the card.";
  return problems;
}

/** "Charge" the card after a short, realistic pause. */
export async function pay(card: Card, amountCents: number): Promise<Payment> {
  await new Promise((resolve) => setTimeout(resolve, 400));
  const reason = DECLINED[digits(card.number)];
  if (reason) return { approved: false, reason };
  return { approved: true, reference: `sim-${amountCents}-${Date.now().toString(36)}` };
}
