// Every operation the storefront sends, one module per area. `npm run codegen`
// checks each against ../gateway/schema.graphql and types it (src/gql/), so a
// schema change that breaks one fails the build.
export * from "./admin";
export * from "./cart";
export * from "./catalog";
export * from "./orders";
