/** Tasks as stored (gptme's Task record), and the store contract a SQLite or PostgreSQL store implements. */

export type TaskStatus = "pending" | "active" | "completed" | "failed";
export type TargetType = "stdout" | "pr" | "email" | "tweet";

export const taskStatuses: readonly TaskStatus[] = ["pending", "active", "completed", "failed"];
export const targetTypes: readonly TargetType[] = ["stdout", "pr", "email", "tweet"];

/** gptme's `Task` dataclass, field for field (its wire shape). */
export interface Task {
  id: string;
  content: string;
  /** ISO 8601. */
  created_at: string;
  status: TaskStatus;
  target_type: TargetType;
  target_repo: string | null;
  conversation_ids: string[];
  metadata: Record<string, unknown>;
  archived: boolean;
}

export interface TaskListOptions {
  includeArchived: boolean;
  status?: TaskStatus;
}

/** Every method returns a promise, so an asynchronous database can stand behind it. */
export interface TaskStore {
  /** Newest first. */
  listTasks(options: TaskListOptions): Promise<Task[]>;
  getTask(id: string): Promise<Task | null>;
  /** Throws `ConflictError` when the id exists. */
  createTask(task: Task): Promise<void>;
  /** Replaces the stored record; throws `NotFoundError` when it is missing. */
  updateTask(task: Task): Promise<void>;
}
