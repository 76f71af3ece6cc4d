// PostGraphile v5 as bench/peers/run.py serves it: the Amber preset (PostGraphile's recommended
// base) over the `public` schema that invoicegraph's migrations made, configured as v4 is run on
// the same database (`--simple-collections only`, no GraphiQL, no query log): lists rather than
// Relay connections, so that both peers answer the same query shapes. Read by server.mjs; the
// connection string comes from DATABASE_URL.
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] }),
  ],
  schema: {
    // v4's --simple-collections only, as v5's own v4 compatibility preset spells it. Nothing
    // else changes Amber: its inflection already names the relations as v4 does
    // (lineItemsByInvoiceIdList, userByUserId), so no @graphile/simplify-inflection; the one
    // difference the queries see is that a table's `id` column is `rowId` (ROW_ID_ASC).
    defaultBehavior: "-connection -resource:connection +list +resource:list",
  },
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

export default preset;
