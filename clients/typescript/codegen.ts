// graphql-codegen's client preset: typed documents (TypedDocumentNode) for the playground
// operations, checked against the served schema. Run `npm run generate`; the output in
// src/generated/ is committed, and tests/e2e/test_typescript_client.py checks it is current.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../../playground/operations/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "./src/generated/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
      },
      config: {
        // Money is an Int96 decimal string, never a number; instants are ISO 8601 strings.
        scalars: {
          Int96: "string",
          DateTime: "string",
        },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        // Relative imports with ".js", as Node's ESM resolution (module: NodeNext) needs.
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
