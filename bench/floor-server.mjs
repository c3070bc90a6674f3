// The start-up floor: the libraries every default start must load (Hono on @hono/node-server, chanfana
// with a zod-described route, better-sqlite3 with a database file opened), with none of our code.
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { fromHono, OpenAPIRoute } from "chanfana";
import { Hono } from "hono";
import { z } from "zod";

const database = new Database(process.env.FLOOR_DATABASE ?? ":memory:");
database.pragma("journal_mode = WAL");
database.exec("CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, name TEXT)");

class Health extends OpenAPIRoute {
  schema = { responses: { 200: { description: "ok", content: { "application/json": { schema: z.object({ status: z.string() }) } } } } };
  handle() {
    database.prepare("SELECT count(*) FROM conversations").get();
    return { status: "ok" };
  }
}

const app = fromHono(new Hono());
app.get("/health", Health);
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
