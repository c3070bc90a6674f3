/** Tasks on PostgreSQL (migration 5), as on SQLite (task-rows.ts): every replica sees the same. */
import { ConflictError, NotFoundError } from "../../errors.js";
import { rowToTask, type TaskRow } from "../task-row.js";
import type { Task, TaskListOptions, TaskStore } from "../task-store.js";
import type { Queryable } from "./database.js";

const columns = "id, content, created_at, status, target_type, target_repo, conversation_ids, metadata, archived";

const values = (task: Task): unknown[] => [
  task.id,
  task.content,
  task.created_at,
  task.status,
  task.target_type,
  task.target_repo,
  JSON.stringify(task.conversation_ids),
  JSON.stringify(task.metadata),
  task.archived,
];

export class PostgresTaskStore implements TaskStore {
  constructor(private readonly database: Queryable) {}

  async listTasks(options: TaskListOptions): Promise<Task[]> {
    const rows = await this.database.rows<TaskRow>({
      name: "task-list",
      text: `SELECT ${columns} FROM tasks
             WHERE ($1 OR NOT archived) AND ($2::text IS NULL OR status = $2)
             ORDER BY created_at DESC, id DESC`,
      values: [options.includeArchived, options.status ?? null],
    });
    return rows.map(rowToTask);
  }

  async getTask(id: string): Promise<Task | null> {
    const [row] = await this.database.rows<TaskRow>({ name: "task-get", text: `SELECT ${columns} FROM tasks WHERE id = $1`, values: [id] });
    return row ? rowToTask(row) : null;
  }

  async createTask(task: Task): Promise<void> {
    const inserted = await this.database.run({
      name: "task-insert",
      text: `INSERT INTO tasks (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      values: values(task),
    });
    if (inserted === 0) throw new ConflictError(`Task already exists: ${task.id}`);
  }

  async updateTask(task: Task): Promise<void> {
    const updated = await this.database.run({
      name: "task-update",
      text: `UPDATE tasks SET content = $2, created_at = $3, status = $4, target_type = $5, target_repo = $6,
             conversation_ids = $7, metadata = $8, archived = $9 WHERE id = $1`,
      values: values(task),
    });
    if (updated === 0) throw new NotFoundError(`Task not found: ${task.id}`);
  }
}
