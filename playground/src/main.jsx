// The invoicegraph playground: GraphiQL with the example operations as tabs, under a sign-in bar.
//
// Everything the page needs is in this bundle and its one stylesheet, served by the invoicegraph
// server itself: no CDN, no inline script. The server puts the page's configuration in
// <script type="application/json" id="playground-config">, read here.

import { useEditorContext } from '@graphiql/react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { setNonce } from 'get-nonce';
import { GraphiQL } from 'graphiql';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';

import 'graphiql/style.css';
import './playground.css';

const config = JSON.parse(document.getElementById('playground-config').textContent);
// GraphiQL's dialogs add a <style> element (scroll locking); the server allows it by a nonce that
// is new with every page, instead of allowing inline styles in general.
if (config.styleNonce) setNonce(config.styleNonce);
const graphqlUrl = new URL(config.graphqlPath, window.location.href);
const subscriptionUrl = new URL(graphqlUrl);
subscriptionUrl.protocol = graphqlUrl.protocol === 'https:' ? 'wss:' : 'ws:';

function headersWithToken(headersText, token) {
  let headers = {};
  try {
    const parsed = JSON.parse(headersText || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed;
  } catch {
    // Headers that are not a JSON object are replaced.
  }
  const kept = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
  return JSON.stringify({ ...kept, Authorization: `Bearer ${token}` }, null, 2);
}

function hasAuthorization(headers) {
  return Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'authorization');
}

function isUnauthenticated(result) {
  return (
    Array.isArray(result?.errors) &&
    result.errors.some((error) => error?.extensions?.code === 'UNAUTHENTICATED')
  );
}

function withAuthorization(headers, token) {
  const kept = Object.fromEntries(
    Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
  return { ...kept, Authorization: `Bearer ${token}` };
}

// How to get a new token once the one in use has expired: the demo's own endpoint, or the
// credentials of the last sign-in (kept in this page's memory only, never stored).
let renewToken = config.demoTokenPath ? fetchDemoToken : null;

// Requests (and subscriptions, whose connection_init carries the headers) send the headers of
// their tab; a tab without an Authorization header uses the token of the last sign-in. A request
// refused as UNAUTHENTICATED (an expired token) gets a new token, put in the tab's headers, and
// is sent once more.
function makeFetcher(token, onRenewed) {
  const fetcher = createGraphiQLFetcher({
    url: graphqlUrl.href,
    subscriptionUrl: subscriptionUrl.href,
    // plain JSON answers (the server has no @defer), so a refusal can be read and retried
    enableIncrementalDelivery: false,
  });
  return async (params, options) => {
    const headers = options?.headers ?? {};
    const sent =
      token === null || hasAuthorization(headers) ? headers : withAuthorization(headers, token);
    const result = await fetcher(params, { ...options, headers: sent });
    if (renewToken === null || !isUnauthenticated(result)) return result;
    let fresh;
    try {
      fresh = await renewToken();
    } catch {
      return result;
    }
    onRenewed(fresh);
    return fetcher(params, { ...options, headers: withAuthorization(headers, fresh) });
  };
}

function putTokenInHeaders(token) {
  const headerEditor = editors?.headerEditor;
  if (headerEditor) headerEditor.setValue(headersWithToken(headerEditor.getValue(), token));
}

function base64(text) {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes));
}

// The demo client's token, new each time: the run that seeded the demo serves it.
async function fetchDemoToken() {
  const response = await fetch(config.demoTokenPath, { credentials: 'omit' });
  const body = await response.json();
  if (!response.ok || typeof body?.access_token !== 'string') throw new Error(`HTTP ${response.status}`);
  return body.access_token;
}

// OAuth2 client credentials, as any API client does it.
async function requestToken(clientId, clientSecret) {
  const response = await fetch(config.tokenPath, {
    method: 'POST',
    credentials: 'omit',
    headers: {
      Authorization: `Basic ${base64(`${clientId}:${clientSecret}`)}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Reported below by the status.
  }
  if (!response.ok || typeof body?.access_token !== 'string') {
    const reason = body?.error_description ?? body?.error ?? `HTTP ${response.status}`;
    throw new Error(reason);
  }
  return body.access_token;
}

// GraphiQL's editors, captured by a component rendered inside GraphiQL (in its logo), so that the
// sign-in bar outside GraphiQL can put the token into the headers editor.
let editors = null;

function EditorsBridge() {
  editors = useEditorContext();
  return null;
}

function SignInBar({ token, demo, onToken }) {
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const id = clientId.trim();
      const secret = clientSecret.trim();
      const newToken = await requestToken(id, secret);
      putTokenInHeaders(newToken);
      renewToken = () => requestToken(id, secret);
      onToken(newToken, false);
      setClientSecret('');
      setMessage({ kind: 'ok', text: `Signed in as ${id}: the token is in this tab’s headers.` });
    } catch (error) {
      setMessage({ kind: 'error', text: `Sign-in failed: ${error.message}` });
    }
    setBusy(false);
  }

  let status;
  if (message) status = message;
  else if (token && demo)
    status = {
      kind: 'info',
      text: 'This server seeded the demo workspace when it started: its bearer token is filled in (and renewed when it expires). Press ▶ to run a tab.',
    };
  else status = { kind: 'info', text: 'Sign in with an API client’s id and secret to send requests.' };

  return (
    <header className="ig-bar">
      <span className="ig-title">invoicegraph playground</span>
      <p className={`ig-status ig-${status.kind}`} role="status" data-testid="signin-status">
        {status.text}
      </p>
      <form className="ig-form" onSubmit={submit} aria-label="Sign in">
        <input
          aria-label="Client id"
          placeholder="client id (cli_…)"
          name="client_id"
          autoComplete="username"
          spellCheck="false"
          required
          value={clientId}
          onChange={(event) => setClientId(event.target.value)}
        />
        <input
          aria-label="Client secret"
          placeholder="client secret"
          name="client_secret"
          type="password"
          autoComplete="current-password"
          required
          value={clientSecret}
          onChange={(event) => setClientSecret(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </header>
  );
}

// GraphiQL shows the first tab's query but not its variables when it starts without saved tabs;
// passing them as the initial variables fixes that (and is skipped when tabs were saved).
const hasSavedTabs = (() => {
  try {
    return window.localStorage.getItem('graphiql:tabState') !== null;
  } catch {
    return false;
  }
})();

function Playground({ initialToken }) {
  const [signedIn, setSignedIn] = useState({ token: initialToken, demo: initialToken !== null });
  const token = signedIn.token;
  const fetcher = useMemo(
    () =>
      makeFetcher(token, (fresh) => {
        putTokenInHeaders(fresh);
        setSignedIn((current) => ({ ...current, token: fresh }));
      }),
    [token],
  );
  const tabs = useMemo(
    () =>
      config.operations.map((operation) => ({
        query: operation.query,
        variables: operation.variables,
        headers: initialToken ? headersWithToken('', initialToken) : '',
      })),
    [],
  );
  return (
    <>
      <SignInBar
        token={token}
        demo={signedIn.demo}
        onToken={(fresh, demo) => setSignedIn({ token: fresh, demo })}
      />
      <main className="ig-graphiql">
        <GraphiQL
          fetcher={fetcher}
          defaultTabs={tabs}
          variables={hasSavedTabs || tabs.length === 0 ? undefined : tabs[0].variables}
          defaultHeaders={token ? headersWithToken('', token) : ''}
          defaultEditorToolsVisibility
          shouldPersistHeaders={false}
        >
          {/* The bar above names the page; the logo's place holds only the bridge. */}
          <GraphiQL.Logo>
            <EditorsBridge />
          </GraphiQL.Logo>
        </GraphiQL>
      </main>
    </>
  );
}

// In the run that seeded the demo, the page starts with a fresh demo token (the one embedded in
// the page may have expired since the server started).
async function start() {
  let initialToken = config.demoToken ?? null;
  if (config.demoTokenPath) {
    try {
      initialToken = await fetchDemoToken();
    } catch {
      // the embedded token, then; an expired one is renewed on the first refusal
    }
  }
  createRoot(document.getElementById('playground')).render(
    <StrictMode>
      <Playground initialToken={initialToken} />
    </StrictMode>,
  );
}

start();
