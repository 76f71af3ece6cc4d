// PostGraphile v5 on node:http with WORKERS processes sharing one port (node:cluster), as
// PostGraphile v4's `--cluster-workers` runs it: the v5 CLI has no cluster option.
//   DATABASE_URL=postgres://... node server.mjs --host 127.0.0.1 --port 5000 --workers 2
import cluster from "node:cluster";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";

import preset from "./graphile.config.mjs";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "5000" },
    workers: { type: "string", default: "2" },
  },
});

if (cluster.isPrimary) {
  const workers = Number(values.workers);
  for (let n = 0; n < workers; n += 1) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); stopping`);
    process.exit(1);
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
      process.exit(0);
    });
  }
} else {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  serv.addTo(server).catch((error) => {
    console.error(error);
    process.exit(1);
  });
  server.listen(Number(values.port), values.host);
}
