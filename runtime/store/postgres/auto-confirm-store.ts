/** Auto-confirm budgets on PostgreSQL (see shared-replica-state.ts); a budget goes with its conversation. */
import type { AutoConfirmBudgetStore } from "../shared-replica-state.js";
import type { Queryable } from "./database.js";

export class PostgresAutoConfirmStore implements AutoConfirmBudgetStore {
  constructor(private readonly database: Queryable) {}

  async get(conversationId: string): Promise<number | null> {
    const [row] = await this.database.rows<{ remaining: number }>({
      name: "auto-confirm-get",
      text: "SELECT remaining FROM auto_confirm_budgets WHERE conversation_id = $1",
      values: [conversationId],
    });
    return row ? row.remaining : null;
  }

  async set(conversationId: string, remaining: number): Promise<void> {
    // Only for a conversation that exists (a budget set while it is being deleted is dropped with it).
    await this.database.run({
      name: "auto-confirm-set",
      text: `INSERT INTO auto_confirm_budgets (conversation_id, remaining, updated)
             SELECT id, $2, $3 FROM conversations WHERE id = $1
             ON CONFLICT (conversation_id) DO UPDATE SET remaining = excluded.remaining, updated = excluded.updated`,
      values: [conversationId, remaining, Date.now() / 1000],
    });
  }
}
