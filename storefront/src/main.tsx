import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { Provider as UrqlProvider } from "urql";
import { App } from "./App";
import { Auth } from "./auth";
import { loadConfig } from "./config";
import { ShopContext } from "./context";
import { makeClient } from "./graphql/client";
import "./styles.css";

async function start(): Promise<void> {
  const root = createRoot(document.getElementById("root")!);
  try {
    const config = await loadConfig();
    const auth = new Auth(config);
    await auth.start();
    const client = makeClient(config.graphqlUrl, auth);
    root.render(
      <StrictMode>
        <ShopContext.Provider value={{ auth, config }}>
          <UrqlProvider value={client}>
            <BrowserRouter>
              <App />
            </BrowserRouter>
          </UrqlProvider>
        </ShopContext.Provider>
      </StrictMode>,
    );
  } catch (err) {
    console.error("storefront failed to start", err);
    root.render(
      <p role="alert" className="banner banner-error">
        The shop cannot start: its configuration could not be loaded. Reload the page in a moment.
      </p>,
    );
  }
}

void start();
