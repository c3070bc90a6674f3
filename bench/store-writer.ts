/**
 * A second process writing to the server's database, as `gptme` in a terminal does: it appends one
 * message per IPC request and answers when the write is committed. Started by the list bench.
 */
import { SqliteConversationStore } from "../runtime/store/sqlite/sqlite-store.js";

const store = SqliteConversationStore.open(process.argv[2]!);
process.on("message", (request: { id: string; content: string }) => {
  store.append(request.id, [{ role: "user", content: request.content, timestamp: new Date().toISOString() }]).then(
    () => process.send!("ok"),
    (error: unknown) => process.send!(String(error)),
  );
});
process.on("disconnect", () => {
  void store.close();
  process.exit(0);
});
process.send!("ready");
