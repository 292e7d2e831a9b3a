// Login through the provider's own page: OpenID Connect authorization code
// with PKCE (S256), done by oidc-client-ts in the browser as a public client.
// Tokens live in sessionStorage (gone with the tab); the access token is
// renewed silently with the refresh token a minute before it expires.
import { User, UserManager, WebStorageStateStore } from "oidc-client-ts";
import type { RuntimeConfig } from "./config";

export const ADMIN_PERMISSIONS = ["products:write", "orders:write"] as const;

export interface Session {
  subject: string;
  name: string;
  email: string;
  permissions: string[];
}

type Listener = (session: Session | null) => void;

function decodeClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(json) as Record<string, unknown>;
}

function sessionOf(user: User | null): Session | null {
  if (!user || user.expired) return null;
  // Permissions are in the access token (Auth0 RBAC style), not the ID token.
  const claims = decodeClaims(user.access_token);
  const permissions = Array.isArray(claims.permissions)
    ? claims.permissions.map(String)
    : [];
  return {
    subject: user.profile.sub,
    name: String(user.profile.name ?? user.profile.sub),
    email: String(user.profile.email ?? ""),
    permissions,
  };
}

export class Auth {
  private readonly manager: UserManager;
  private listeners = new Set<Listener>();
  private current: Session | null = null;
  // Set when a renewal failed: the next request tells the shopper to log in.
  expired = false;

  constructor(config: RuntimeConfig) {
    const origin = window.location.origin;
    this.manager = new UserManager({
      authority: config.oidcIssuer,
      client_id: config.oidcClientId,
      redirect_uri: `${origin}/callback`,
      post_logout_redirect_uri: `${origin}/`,
      response_type: "code",
      scope: "openid profile email offline_access",
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: 60,
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    });
    this.manager.events.addUserLoaded((user) => this.publish(user));
    this.manager.events.addUserUnloaded(() => this.publish(null));
    this.manager.events.addSilentRenewError(() => this.markExpired());
    this.manager.events.addAccessTokenExpired(() => this.markExpired());
  }

  async start(): Promise<void> {
    this.publish(await this.manager.getUser());
  }

  private publish(user: User | null): void {
    this.current = sessionOf(user);
    if (this.current) this.expired = false;
    for (const listener of this.listeners) listener(this.current);
  }

  /** The session ended on its own (renewal failed, or the gateway said so). */
  markExpired(): void {
    if (!this.current) return;
    this.expired = true;
    void this.manager.removeUser();
  }

  get session(): Session | null {
    return this.current;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isAdmin(): boolean {
    return ADMIN_PERMISSIONS.every((p) => this.current?.permissions.includes(p));
  }

  /** The bearer token for the gateway, or null when logged out. */
  async accessToken(): Promise<string | null> {
    const user = await this.manager.getUser();
    if (!user) return null;
    if (user.expired) {
      try {
        return (await this.manager.signinSilent())?.access_token ?? null;
      } catch {
        this.markExpired();
        return null;
      }
    }
    return user.access_token;
  }

  /** Renew now (also what the timer does before expiry). */
  async renew(): Promise<void> {
    await this.manager.signinSilent();
  }

  login(returnTo: string): Promise<void> {
    return this.manager.signinRedirect({ state: { returnTo } });
  }

  /** Finish the login on /callback; answers where to go next. */
  async finishLogin(): Promise<string> {
    const user = await this.manager.signinRedirectCallback();
    const state = user.state as { returnTo?: string } | undefined;
    const returnTo = state?.returnTo ?? "/";
    return returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo : "/";
  }

  async logout(): Promise<void> {
    const user = await this.manager.getUser();
    await this.manager.removeUser();
    await this.manager.signoutRedirect({ id_token_hint: user?.id_token });
  }
}
