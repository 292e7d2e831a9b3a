// Typed operations from the gateway's committed schema: every `graphql(...)`
// document under src/ is checked against ../gateway/schema.graphql, so a
// schema change that breaks the client fails `npm run build`.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../gateway/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: false,
  errorsOnly: true,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        scalars: { DateTime: "string", Long: "number" },
        strictScalars: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
