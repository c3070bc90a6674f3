/** A tasks row as both stores read it (SQLite keeps `archived` as 0/1, PostgreSQL as a boolean). */
import type { Task, TaskStatus, TargetType } from "./task-store.js";

export interface TaskRow {
  id: string;
  content: string;
  created_at: string;
  status: string;
  target_type: string;
  target_repo: string | null;
  conversation_ids: string;
  metadata: string;
  archived: boolean | number;
}

export function rowToTask(row: TaskRow): Task {
  return {
    id: row.id,
    content: row.content,
    created_at: row.created_at,
    status: row.status as TaskStatus,
    target_type: row.target_type as TargetType,
    target_repo: row.target_repo,
    conversation_ids: JSON.parse(row.conversation_ids) as string[],
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    archived: row.archived === true || row.archived === 1,
  };
}
