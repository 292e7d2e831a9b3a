import { createContext, useContext, useEffect, useRef, useState } from "react";
import type { Auth, Session } from "./auth";
import type { RuntimeConfig } from "./config";

export interface Shop {
  auth: Auth;
  config: RuntimeConfig;
}

export const ShopContext = createContext<Shop | null>(null);

export function useShop(): Shop {
  const shop = useContext(ShopContext);
  if (!shop) throw new Error("useShop outside ShopContext");
  return shop;
}

/** The logged-in shopper (null when logged out), re-rendered on change. */
export function useSession(): Session | null {
  const { auth } = useShop();
  const [session, setSession] = useState(auth.session);
  useEffect(() => auth.subscribe(setSession), [auth]);
  return session;
}

/** A value kept in sessionStorage, so a reload, a login round trip or an
 * error never loses what the shopper typed. */
export function useDraft<T extends object>(key: string, initial: T): [T, (value: T) => void, () => void] {
  const storageKey = `draft:${key}`;
  const [value, setValue] = useState<T>(() => {
    const saved = window.sessionStorage.getItem(storageKey);
    return saved ? { ...initial, ...(JSON.parse(saved) as T) } : initial;
  });
  const save = (next: T) => {
    setValue(next);
    window.sessionStorage.setItem(storageKey, JSON.stringify(next));
  };
  const clear = () => {
    window.sessionStorage.removeItem(storageKey);
    setValue(initial);
  };
  return [value, save, clear];
}

/** The latest defined value: what the page showed before a refetch failed. */
export function useLastGood<T>(value: T | undefined): T | undefined {
  const last = useRef(value);
  if (value !== undefined) last.current = value;
  return last.current;
}
