#!/usr/bin/env node
// Runs graphql-http's GraphQL-over-HTTP server audits against a live server and prints the
// results as one JSON document on stdout.
//
//   node audit.mjs URL [TOKEN]
//
// URL is the GraphQL endpoint (e.g. http://127.0.0.1:8000/graphql). The bearer token is TOKEN,
// or else the AUDIT_BEARER_TOKEN environment variable (which keeps it out of the process list).
// Every request an audit makes goes through a fetch that adds `Authorization: Bearer TOKEN`.
//
// The audits run one after another (auditServer would run them all at once), so that each
// audit's requests and responses are recorded against it; they are all in the output, with the
// response bodies read in full, for failures to be explained without re-running anything.
//
// Output: {"graphqlHttp": version, "graphql": version, "url", "durationMs",
//          "results": [{"id", "name", "requirement", "status", "reason", "exchanges"}]}
// where status is "ok", "notice" (a MAY failed), "warn" (a SHOULD failed), "error" (a MUST
// failed) or "fatal" (the audit threw something that is not an audit failure).
// Exit status: 0 when the audits ran (whatever their results), 2 on a usage error.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serverAudits } from 'graphql-http';

const require = createRequire(import.meta.url);

function installedVersion(name) {
  const manifest = require.resolve(`${name}/package.json`);
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

function usage(message) {
  process.stderr.write(`${message}\nusage: node audit.mjs URL [TOKEN]  (or AUDIT_BEARER_TOKEN=...)\n`);
  process.exit(2);
}

const [url, tokenArgument] = process.argv.slice(2);
const token = tokenArgument ?? process.env.AUDIT_BEARER_TOKEN;
if (!url) usage('missing URL');
if (!token) usage('missing bearer token');

const BODY_REPORT_LIMIT = 4096;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** The exchanges of the audit that is running now. */
let exchanges = [];

function headersObject(headers) {
  const out = {};
  for (const [key, value] of headers.entries()) {
    out[key] = key === 'authorization' ? value.replace(/^(Bearer)\s+.+$/i, '$1 <token>') : value;
  }
  return out;
}

function truncated(text) {
  return text.length > BODY_REPORT_LIMIT ? `${text.slice(0, BODY_REPORT_LIMIT)}...` : text;
}

/** fetch with the bearer token on every request; records the request and the full response. */
async function authorizedFetch(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  const request = new Request(input, { ...init, headers });
  const exchange = {
    request: {
      method: request.method,
      url: request.url,
      headers: headersObject(request.headers),
      body: typeof init.body === 'string' ? truncated(init.body) : init.body == null ? null : '<binary>',
    },
    response: null,
  };
  exchanges.push(exchange);
  const response = await fetch(request);
  // Read the body here, once, and hand the audit an equivalent Response: the audit may consume
  // its body (or not), and the report still has all of it.
  const bytes = new Uint8Array(await response.arrayBuffer());
  exchange.response = {
    status: response.status,
    statusText: response.statusText,
    headers: headersObject(response.headers),
    body: truncated(new TextDecoder('utf-8').decode(bytes)),
  };
  return new Response(NULL_BODY_STATUSES.has(response.status) ? null : bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function requirementOf(name) {
  return name.split(' ', 1)[0];
}

const started = performance.now();
const results = [];
for (const { id, name, fn } of serverAudits({ url, fetchFn: authorizedFetch })) {
  exchanges = [];
  let result;
  try {
    result = await fn();
  } catch (error) {
    result = { id, name, status: 'fatal', reason: String(error?.stack ?? error) };
  }
  results.push({
    id,
    name,
    requirement: requirementOf(name),
    status: result.status,
    reason: result.status === 'ok' ? null : result.reason,
    exchanges,
  });
}

process.stdout.write(
  `${JSON.stringify(
    {
      graphqlHttp: installedVersion('graphql-http'),
      graphql: installedVersion('graphql'),
      url,
      durationMs: Math.round(performance.now() - started),
      results,
    },
    null,
    2,
  )}\n`,
);
