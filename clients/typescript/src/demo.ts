// The typed client end to end against a live invoicegraph server:
//
//   token (client credentials) -> CreateInvoice -> UpdateInvoice by a second writer ->
//   UpdateInvoice with the now stale version (VersionConflictError) -> InvoiceByKey and retry ->
//   RecordTransaction (a payment) -> InvoiceByKey, then a JSON summary on stdout.
//
// Configuration, argv first, then the environment:
//   --base-url URL        INVOICEGRAPH_BASE_URL        (default http://127.0.0.1:8000)
//   --client-id ID        INVOICEGRAPH_CLIENT_ID
//   --client-secret S     INVOICEGRAPH_CLIENT_SECRET
//   --invoice-id KEY      (default ts-demo-<time>-<random>)
//   --pay full|partial    (default full: the invoice ends PAID; partial pays half, it stays OPEN)
//
// Every outcome that is not the one the flow expects ends the program with exit status 1 and a
// message on stderr; stdout then stays empty.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

import { InvoiceGraphClient } from "./client.js";
import {
  CreateInvoiceDocument,
  InvoiceByKeyDocument,
  RecordTransactionDocument,
  UpdateInvoiceDocument,
  type CurrencyCode,
  type InvoiceByKeyQuery,
  type InvoiceStatus,
  type LineItemOperation,
  type UpdateInvoiceMutation,
} from "./generated/graphql.js";

const CURRENCY: CurrencyCode = "USD";
const CUSTOMER = "ts-demo-customer";
const MAX_UPDATE_ATTEMPTS = 5;

/** An outcome the flow does not expect. */
class UnexpectedOutcome extends Error {
  override readonly name = "UnexpectedOutcome";
}

type Payment = "full" | "partial";

interface Options {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  invoiceId: string;
  pay: Payment;
}

type Invoice = NonNullable<InvoiceByKeyQuery["invoice"]>;
type Balance = Invoice["balances"][number];
type UpdateResponse = UpdateInvoiceMutation["updateInvoice"];
type UpdatedInvoice = Extract<UpdateResponse, { __typename: "UpdateInvoiceResult" }>["invoice"];
type VersionConflict = Extract<UpdateResponse, { __typename: "VersionConflictError" }>;

interface Summary {
  invoiceId: string;
  id: string;
  version: number;
  status: InvoiceStatus;
  conflict: { expectedVersion: number; currentVersion: number };
  payment: { externalId: string; amount: string; currency: CurrencyCode };
  balances: Balance[];
}

function options(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      "base-url": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "invoice-id": { type: "string" },
      pay: { type: "string" },
    },
  });
  const clientId = values["client-id"] ?? env["INVOICEGRAPH_CLIENT_ID"];
  const clientSecret = values["client-secret"] ?? env["INVOICEGRAPH_CLIENT_SECRET"];
  if (clientId === undefined || clientSecret === undefined) {
    throw new UnexpectedOutcome(
      "client credentials missing: give --client-id and --client-secret, or set " +
        "INVOICEGRAPH_CLIENT_ID and INVOICEGRAPH_CLIENT_SECRET",
    );
  }
  const pay = values.pay ?? "full";
  if (pay !== "full" && pay !== "partial") {
    throw new UnexpectedOutcome(`--pay must be full or partial, not ${JSON.stringify(pay)}`);
  }
  return {
    baseUrl: values["base-url"] ?? env["INVOICEGRAPH_BASE_URL"] ?? "http://127.0.0.1:8000",
    clientId,
    clientSecret,
    invoiceId: values["invoice-id"] ?? `ts-demo-${Date.now()}-${randomUUID().slice(0, 8)}`,
    pay,
  };
}

function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new UnexpectedOutcome(message);
  }
}

function show(response: { __typename: string }): string {
  return JSON.stringify(response);
}

function balanceIn<B extends { currency: CurrencyCode }>(balances: readonly B[], currency: CurrencyCode): B {
  const balance = balances.find((candidate) => candidate.currency === currency);
  ensure(balance !== undefined, `no ${currency} balance in ${JSON.stringify(balances)}`);
  return balance;
}

async function invoiceByKey(client: InvoiceGraphClient, invoiceId: string): Promise<Invoice> {
  const { invoice } = await client.request(InvoiceByKeyDocument, { invoiceId });
  ensure(invoice !== null, `invoice ${invoiceId} not found`);
  return invoice;
}

/**
 * Apply `operations` under `expectedVersion`. On a VersionConflictError, read the invoice again
 * and retry under its current version, a bounded number of times. Returns the updated invoice and
 * the first conflict met (undefined when there was none).
 */
async function updateWithRetry(
  client: InvoiceGraphClient,
  invoiceId: string,
  id: string,
  expectedVersion: number,
  operations: LineItemOperation[],
): Promise<{ invoice: UpdatedInvoice; conflict: VersionConflict | undefined }> {
  let version = expectedVersion;
  let conflict: VersionConflict | undefined;
  for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt += 1) {
    const { updateInvoice: response } = await client.request(UpdateInvoiceDocument, {
      input: { id, expectedVersion: version, lineItems: operations },
    });
    switch (response.__typename) {
      case "UpdateInvoiceResult":
        return { invoice: response.invoice, conflict };
      case "VersionConflictError": {
        ensure(
          response.expectedVersion === version && response.currentVersion > version,
          `a VersionConflictError that does not fit expectedVersion ${version}: ${show(response)}`,
        );
        conflict ??= response;
        const current = await invoiceByKey(client, invoiceId);
        ensure(
          current.version >= response.currentVersion,
          `refetched version ${current.version} is older than the conflict's ${response.currentVersion}`,
        );
        version = current.version;
        break;
      }
      default:
        throw new UnexpectedOutcome(`updateInvoice: ${show(response)}`);
    }
  }
  throw new UnexpectedOutcome(`updateInvoice still conflicting after ${MAX_UPDATE_ATTEMPTS} attempts`);
}

async function run(settings: Options): Promise<Summary> {
  const client = await InvoiceGraphClient.connect(settings.baseUrl, settings.clientId, settings.clientSecret);
  const customer = { externalId: CUSTOMER };

  // 1. Create: 4 hours at 125.00 and a month of hosting at 49.00.
  const { createInvoice: created } = await client.request(CreateInvoiceDocument, {
    input: {
      invoiceId: settings.invoiceId,
      tags: [{ key: "source", value: "typescript-demo" }],
      lineItems: [
        {
          description: "Implementation work",
          productId: "consulting-hours",
          type: "PAYIN",
          user: customer,
          currency: CURRENCY,
          price: { unitPrice: "12500", quantity: 4 },
        },
        {
          description: "Hosting, one month",
          productId: "hosting-monthly",
          type: "PAYIN",
          user: customer,
          currency: CURRENCY,
          price: { amount: "4900" },
        },
      ],
    },
  });
  ensure(created.__typename === "CreateInvoiceResult", `createInvoice: ${show(created)}`);
  ensure(!created.isIkReplay, `invoice ${settings.invoiceId} existed already`);
  const { id, version: seenVersion } = created.invoice;
  ensure(
    created.invoice.status === "OPEN" && seenVersion === 1,
    `a new invoice should be OPEN at version 1: ${JSON.stringify(created.invoice)}`,
  );
  const work = created.invoice.lineItems.find((item) => item.description === "Implementation work");
  ensure(work !== undefined, `line item missing: ${JSON.stringify(created.invoice.lineItems)}`);

  // 2. A second writer (a colleague, say) tags the invoice: this makes our version stale.
  const { updateInvoice: tagged } = await client.request(UpdateInvoiceDocument, {
    input: { id, expectedVersion: seenVersion, tags: { set: [{ key: "reviewed", value: "yes" }] } },
  });
  ensure(tagged.__typename === "UpdateInvoiceResult", `the second writer's update: ${show(tagged)}`);
  ensure(tagged.invoice.version === seenVersion + 1, `tagging gave version ${tagged.invoice.version}`);

  // 3. Our change, still under the version we saw at creation: conflict, refetch, retry.
  const operations: LineItemOperation[] = [
    { update: { id: work.id, price: { unitPrice: "12500", quantity: 5 } } },
    {
      add: {
        description: "Priority support",
        productId: "support-priority",
        type: "PAYIN",
        user: customer,
        currency: CURRENCY,
        price: { amount: "7500" },
      },
    },
  ];
  const updated = await updateWithRetry(client, settings.invoiceId, id, seenVersion, operations);
  const conflict = updated.conflict;
  ensure(conflict !== undefined, "the update under a stale version did not conflict");
  ensure(
    conflict.expectedVersion === seenVersion && conflict.currentVersion === tagged.invoice.version,
    `unexpected conflict ${show(conflict)}`,
  );
  ensure(
    updated.invoice.version === tagged.invoice.version + 1,
    `the retried update gave version ${updated.invoice.version}`,
  );
  const payins = balanceIn(updated.invoice.balances, CURRENCY).payins;
  ensure(payins.expected === "74900", `expected payins ${payins.expected}, not 74900`);

  // 4. A payment from the customer: all that remains, or half of it.
  const remaining = BigInt(payins.remaining);
  const amount = settings.pay === "full" ? remaining : remaining / 2n;
  const externalId = `${settings.invoiceId}-payment-1`;
  const { recordTransaction: recorded } = await client.request(RecordTransactionDocument, {
    input: {
      externalId,
      amount: amount.toString(),
      currency: CURRENCY,
      posted: new Date().toISOString(),
      allocations: [{ invoice: { id }, type: "PAYIN", user: customer, amount: amount.toString() }],
    },
  });
  ensure(recorded.__typename === "RecordTransactionResult", `recordTransaction: ${show(recorded)}`);
  ensure(
    !recorded.isIkReplay && recorded.transaction.unallocatedAmount === "0",
    `recordTransaction: ${JSON.stringify(recorded)}`,
  );

  // 5. Read back: the status and version the contract implies, balances that add up.
  const settled = settings.pay === "full";
  const status: InvoiceStatus = settled ? "PAID" : "OPEN";
  const final = await invoiceByKey(client, settings.invoiceId);
  ensure(final.status === status, `status ${final.status} after a ${settings.pay} payment`);
  // A payment changes the invoice's version only when it changes the status.
  const version = updated.invoice.version + (settled ? 1 : 0);
  ensure(final.version === version, `version ${final.version}, expected ${version}`);
  const finalPayins = balanceIn(final.balances, CURRENCY).payins;
  ensure(
    finalPayins.expected === payins.expected &&
      BigInt(finalPayins.actual) === amount &&
      BigInt(finalPayins.remaining) === BigInt(payins.expected) - amount,
    `payins after the payment: ${JSON.stringify(finalPayins)}`,
  );

  return {
    invoiceId: final.invoiceId,
    id: final.id,
    version: final.version,
    status: final.status,
    conflict: { expectedVersion: conflict.expectedVersion, currentVersion: conflict.currentVersion },
    payment: { externalId, amount: amount.toString(), currency: CURRENCY },
    balances: final.balances,
  };
}

async function main(): Promise<number> {
  try {
    const summary = await run(options(process.argv.slice(2), process.env));
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  } catch (error: unknown) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`demo failed: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main();
