// The gateway's GraphQL API through urql: queries and mutations over HTTP
// with the bearer token, subscriptions over graphql-transport-ws (graphql-ws),
// authenticated in connection_init as the gateway expects.
import { createClient as createWsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";
import type { Auth } from "../auth";
import { GatewayDown, RateLimited, SessionExpired } from "../errors";

/** fetch with the current bearer token, turning the gateway's refusals
 * before GraphQL (429, 401, 5xx, no answer at all) into typed errors. */
function gatewayFetch(auth: Auth): typeof fetch {
  return async (input, init) => {
    const token = await auth.accessToken();
    const headers = new Headers(init?.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    let response: Response;
    try {
      response = await fetch(input, { ...init, headers });
    } catch {
      throw new GatewayDown();
    }
    if (response.status === 429) {
      throw new RateLimited(Number(response.headers.get("Retry-After") ?? "1"));
    }
    if (response.status === 401) {
      auth.markExpired();
      throw new SessionExpired();
    }
    if ([502, 503, 504].includes(response.status)) throw new GatewayDown();
    return response;
  };
}

export function makeClient(graphqlUrl: string, auth: Auth): Client {
  const ws = createWsClient({
    url: graphqlUrl.replace(/^http/, "ws"),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    connectionParams: async () => {
      const token = await auth.accessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
  // A new login, renewal or logout must reach the socket: reconnect.
  auth.subscribe(() => ws.terminate());
  return new Client({
    url: graphqlUrl,
    requestPolicy: "cache-and-network",
    fetch: gatewayFetch(auth),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });
}
