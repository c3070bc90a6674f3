/**
 * For CI: starts the private PostgreSQL and NATS (JetStream) the tests share, on free ports of
 * 127.0.0.1 with their files in temp dirs, and prints their URLs as `GPTME_TEST_DATABASE_URL=...`
 * and `GPTME_TEST_NATS_URL=...` lines; `stop` ends them.
 *
 *   node --import tsx test/support/services-cli.ts start STATE_FILE > services.env
 *   node --import tsx test/support/services-cli.ts stop STATE_FILE
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type NatsServer, startNats, stopNats } from "./nats-server.js";
import { type PostgresServer, startPostgres, stopPostgres } from "./postgres-server.js";

interface State {
  postgres?: PostgresServer;
  nats?: NatsServer;
}

const [command, stateFile] = process.argv.slice(2);
if (!stateFile || (command !== "start" && command !== "stop")) {
  console.error("usage: services-cli.ts start|stop STATE_FILE");
  process.exit(2);
}

if (command === "start") {
  const state: State = {};
  const failures: string[] = [];
  await startPostgres().then(
    (server) => (state.postgres = server),
    (error: Error) => failures.push(error.message),
  );
  await startNats().then(
    (server) => (state.nats = server),
    (error: Error) => failures.push(error.message),
  );
  writeFileSync(stateFile, JSON.stringify(state));
  if (state.postgres) console.log(`GPTME_TEST_DATABASE_URL=${state.postgres.adminUrl}`);
  if (state.nats) console.log(`GPTME_TEST_NATS_URL=${state.nats.url}`);
  for (const failure of failures) console.error(`services: ${failure}`);
  process.exit(failures.length > 0 ? 1 : 0);
} else if (existsSync(stateFile)) {
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as State;
  if (state.postgres) await stopPostgres(state.postgres);
  if (state.nats) await stopNats(state.nats);
  rmSync(stateFile, { force: true });
}
