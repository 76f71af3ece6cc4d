// A small typed GraphQL client over Node's built-in fetch: OAuth2 client credentials for the
// token, then POST /graphql with a TypedDocumentNode, so variables and results are typed by the
// documents that graphql-codegen generated in ./generated/.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { Kind, print, type DocumentNode } from "graphql";

/** The server could not be reached, or answered with something other than a GraphQL result. */
export class TransportError extends Error {
  override readonly name = "TransportError";
}

/** A GraphQL response with top-level `errors` (malformed request, auth, limits, faults). */
export class GraphQLResponseError extends Error {
  override readonly name = "GraphQLResponseError";

  constructor(
    message: string,
    readonly status: number,
    readonly errors: unknown,
  ) {
    super(message);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function endpoint(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
}

async function readJson(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    throw new TransportError(`${what}: HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 500)}`);
  }
}

/** POST /oauth2/token with HTTP Basic client credentials; returns the bearer token. */
export async function fetchToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const basic = Buffer.from(`${clientId}:${clientSecret}`, "utf8").toString("base64");
  const response = await fetch(endpoint(baseUrl, "oauth2/token"), {
    method: "POST",
    headers: {
      Authorization: `Basic ${basic}`,
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/json",
    },
    body: new URLSearchParams({ grant_type: "client_credentials" }).toString(),
  });
  const body = await readJson(response, "POST /oauth2/token");
  if (!response.ok || !isRecord(body)) {
    throw new TransportError(`POST /oauth2/token: HTTP ${response.status}: ${JSON.stringify(body)}`);
  }
  const token = body["access_token"];
  if (typeof token !== "string" || body["token_type"] !== "Bearer") {
    throw new TransportError(`POST /oauth2/token: no bearer access_token in ${JSON.stringify(body)}`);
  }
  return token;
}

function operationName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.name !== undefined) {
      return definition.name.value;
    }
  }
  return undefined;
}

interface Answer {
  readonly status: number;
  readonly ok: boolean;
  readonly body: unknown;
}

/** The SHA-256 (hex) codegen embedded in the document (persistedDocuments), if any. */
function persistedHash(document: DocumentNode): string | undefined {
  const meta: unknown = (document as { __meta__?: unknown }).__meta__;
  const hash = isRecord(meta) ? meta["hash"] : undefined;
  return typeof hash === "string" ? hash.replace(/^sha256:/, "") : undefined;
}

/** Whether the server asks for the document's text: it has not kept this hash yet. */
function notYetPersisted(body: unknown): boolean {
  const errors = isRecord(body) ? body["errors"] : undefined;
  return (
    Array.isArray(errors) &&
    errors.some(
      (error) => isRecord(error) && isRecord(error["extensions"]) && error["extensions"]["code"] === "PERSISTED_QUERY_NOT_FOUND",
    )
  );
}

export class InvoiceGraphClient {
  private readonly printed = new WeakMap<DocumentNode, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async connect(baseUrl: string, clientId: string, clientSecret: string): Promise<InvoiceGraphClient> {
    return new InvoiceGraphClient(baseUrl, await fetchToken(baseUrl, clientId, clientSecret));
  }

  /** Run one operation; top-level errors throw, so what returns is the document's data type.
   *
   * A document that codegen gave a hash is sent by its hash alone (automatic persisted queries;
   * a server running only trusted documents knows every hash of persisted-documents.json); if
   * the server has not seen it yet it answers PERSISTED_QUERY_NOT_FOUND, and the text follows. */
  async request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const hash = persistedHash(document);
    if (hash !== undefined) {
      const persisted = { persistedQuery: { version: 1, sha256Hash: hash } };
      const byHash = await this.post(document, { variables, extensions: persisted });
      if (!notYetPersisted(byHash.body)) {
        return this.resultOf<TResult>(document, byHash);
      }
      return this.resultOf<TResult>(
        document,
        await this.post(document, { query: this.text(document), variables, extensions: persisted }),
      );
    }
    return this.resultOf<TResult>(document, await this.post(document, { query: this.text(document), variables }));
  }

  private text(document: DocumentNode): string {
    let query = this.printed.get(document);
    if (query === undefined) {
      query = print(document);
      this.printed.set(document, query);
    }
    return query;
  }

  private async post(document: DocumentNode, payload: Record<string, unknown>): Promise<Answer> {
    const name = operationName(document) ?? "anonymous operation";
    const response = await fetch(endpoint(this.baseUrl, "graphql"), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${this.token}`,
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
      },
      body: JSON.stringify({ ...payload, operationName: operationName(document) }),
    });
    return { status: response.status, ok: response.ok, body: await readJson(response, name) };
  }

  private resultOf<TResult>(document: DocumentNode, answer: Answer): TResult {
    const name = operationName(document) ?? "anonymous operation";
    const { body } = answer;
    const response = { status: answer.status, ok: answer.ok };
    if (!isRecord(body)) {
      throw new TransportError(`${name}: HTTP ${response.status}: not a GraphQL response: ${JSON.stringify(body)}`);
    }
    const errors = body["errors"];
    if (errors !== undefined && errors !== null) {
      throw new GraphQLResponseError(
        `${name}: HTTP ${response.status}: ${JSON.stringify(errors)}`,
        response.status,
        errors,
      );
    }
    const data = body["data"];
    if (!response.ok || !isRecord(data)) {
      throw new TransportError(`${name}: HTTP ${response.status} without data: ${JSON.stringify(body)}`);
    }
    // The server validated the result against the same schema and document the types come from.
    return data as TResult;
  }
}
