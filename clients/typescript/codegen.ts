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
        // persisted-documents.json: {sha256: document}, the manifest a server running only
        // trusted documents loads; each document also carries its hash, which the client sends.
        persistedDocuments: { mode: "embedHashInDocument", hashAlgorithm: "sha256" },
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
