// Where the gateway and the OIDC provider are: /config.json, written by
// whichever server serves the app (so one build runs on any port offset).
export interface RuntimeConfig {
  graphqlUrl: string;
  oidcIssuer: string;
  oidcClientId: string;
  mailpitUrl: string;
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  return (await response.json()) as RuntimeConfig;
}
