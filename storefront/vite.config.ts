// Vite: the production bundle (`npm run build` -> dist/, served by
// devmesh/storefront_server.py) and the dev server with hot reload (Tilt).
// Both answer /config.json from the STOREFRONT_* environment the launcher
// sets (devmesh/launcher/storefront.py), so ports can shift.
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

function runtimeConfig(): Plugin {
  return {
    name: "daprshop-runtime-config",
    configureServer(server) {
      server.middlewares.use("/config.json", (_req, res) => {
        const env = process.env;
        res.setHeader("Content-Type", "application/json");
        res.setHeader("Cache-Control", "no-store");
        res.end(
          JSON.stringify({
            graphqlUrl: env.STOREFRONT_GRAPHQL_URL ?? "http://127.0.0.1:18000/graphql",
            oidcIssuer: env.STOREFRONT_OIDC_ISSUER ?? "http://127.0.0.1:18080/shop",
            oidcClientId: env.STOREFRONT_OIDC_CLIENT_ID ?? "daprshop-storefront",
            mailpitUrl: env.STOREFRONT_MAILPIT_URL ?? "",
          }),
        );
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), runtimeConfig()],
  server: {
    host: "127.0.0.1",
    port: Number(process.env.STOREFRONT_PORT ?? 18090),
    strictPort: true,
  },
  build: { outDir: "dist", sourcemap: true },
});
