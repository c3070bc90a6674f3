/** The tasks table (migration 6) behind the TaskStore contract. */
import type { Database, Statement } from "better-sqlite3";
import { ConflictError, NotFoundError } from "../../errors.js";
import { rowToTask, type TaskRow } from "../task-row.js";
import type { Task, TaskListOptions, TaskStore } from "../task-store.js";

function taskToParameters(task: Task): unknown[] {
  return [
    task.content,
    task.created_at,
    task.status,
    task.target_type,
    task.target_repo,
    JSON.stringify(task.conversation_ids),
    JSON.stringify(task.metadata),
    task.archived ? 1 : 0,
    task.id,
  ];
}

export class SqliteTaskStore implements TaskStore {
  private readonly all: Statement<[], TaskRow>;
  private readonly one: Statement<[string], TaskRow>;
  private readonly insert: Statement<unknown[]>;
  private readonly update: Statement<unknown[]>;

  constructor(database: Database) {
    const columns = "id, content, created_at, status, target_type, target_repo, conversation_ids, metadata, archived";
    this.all = database.prepare(`SELECT ${columns} FROM tasks ORDER BY created_at DESC, id DESC`);
    this.one = database.prepare(`SELECT ${columns} FROM tasks WHERE id = ?`);
    this.insert = database.prepare(
      `INSERT INTO tasks (content, created_at, status, target_type, target_repo, conversation_ids, metadata, archived, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.update = database.prepare(
      `UPDATE tasks SET content = ?, created_at = ?, status = ?, target_type = ?, target_repo = ?,
       conversation_ids = ?, metadata = ?, archived = ? WHERE id = ?`,
    );
  }

  async listTasks(options: TaskListOptions): Promise<Task[]> {
    return this.all
      .all()
      .map(rowToTask)
      .filter((task) => (options.includeArchived || !task.archived) && (!options.status || task.status === options.status));
  }

  async getTask(id: string): Promise<Task | null> {
    const row = this.one.get(id);
    return row ? rowToTask(row) : null;
  }

  async createTask(task: Task): Promise<void> {
    if (this.one.get(task.id)) throw new ConflictError(`Task already exists: ${task.id}`);
    this.insert.run(...taskToParameters(task));
  }

  async updateTask(task: Task): Promise<void> {
    if (this.update.run(...taskToParameters(task)).changes === 0) throw new NotFoundError(`Task not found: ${task.id}`);
  }
}
