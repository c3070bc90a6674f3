/**
 * gptme's tasks: a task is a record (in the store) that owns one or more conversations sharing a
 * workspace under `<data dir>/tasks/<id>/workspace`, where its `target_repo` (`owner/repo`) is
 * cloned. Creating a task creates its first conversation, `<id>-0`, whose first message is the task.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { BadRequestError, NotFoundError } from "../errors.js";
import type { ConversationService } from "../runtime.js";
import type { Task, TaskListOptions, TaskStore, TargetType } from "../store/task-store.js";
import type { ConversationStore, Message } from "../store/types.js";
import { cloneRepository, gitStatus, type GitStatus } from "./git.js";

export interface TaskCreateInput {
  content: string;
  target_type: TargetType;
  target_repo: string | null;
  metadata: Record<string, unknown>;
}

export interface TaskUpdate {
  content?: string;
  target_type?: TargetType;
  target_repo?: string | null;
  metadata?: Record<string, unknown>;
}

/** gptme's task info: the task plus its workspace, its latest conversation and git state. */
export interface TaskInfo extends Task {
  workspace?: string;
  conversation?: { id: string; name: string; message_count: number };
  git?: GitStatus | { error: string };
  /** Set when creating the task could not clone its target repository (it starts in an empty workspace). */
  warning?: string;
}

export interface TaskService {
  /**
   * `GET /api/v2/tasks` answers gptme HEAD's `{tasks: [...]}`; `array` answers gptme v0.31's bare
   * array instead, which the archived gptme-webui needs (`GPTME_TASKS_LIST=array`).
   */
  readonly listShape: "object" | "array";
  list(options: TaskListOptions): Promise<Task[]>;
  create(input: TaskCreateInput): Promise<TaskInfo>;
  info(id: string): Promise<TaskInfo>;
  update(id: string, patch: TaskUpdate): Promise<TaskInfo>;
  /** 400 when it already is (un)archived, as gptme. */
  setArchived(id: string, archived: boolean): Promise<void>;
}

export interface TaskServiceOptions {
  tasks: TaskStore;
  store: ConversationStore;
  conversations: ConversationService;
  dataDirectory: string;
  /** Where `owner/repo` is cloned from: `https://github.com/` (gptme's), or e.g. a `file://` root in tests. */
  repositoryBaseUrl: string;
  listShape?: "object" | "array";
}

const taskIdPattern = /^[a-zA-Z0-9_-]+$/;
/** gptme's `owner/repo` rule, without `.` / `..` segments (they would leave the clone root). */
const targetRepoPattern = /^[a-zA-Z0-9._-]+\/[a-zA-Z0-9._-]+$/;

function validTargetRepo(repo: string): boolean {
  return targetRepoPattern.test(repo) && repo.split("/").every((segment) => segment !== "." && segment !== "..");
}

/** `task-YYYYMMDD-HHMMSS-<6 hex>`, as gptme names them. */
function newTaskId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `task-${stamp}-${randomBytes(3).toString("hex")}`;
}

export function createTaskService(options: TaskServiceOptions): TaskService {
  const taskWorkspace = (id: string) => join(options.dataDirectory, "tasks", id, "workspace");

  async function load(id: string): Promise<Task> {
    const task = taskIdPattern.test(id) ? await options.tasks.getTask(id) : null;
    if (!task) throw new NotFoundError(`Task not found: ${id}`);
    return task;
  }

  /** The shared workspace, with the target repository cloned into it when there is one. */
  async function prepareWorkspace(task: Task): Promise<{ path: string; warning?: string }> {
    const workspace = taskWorkspace(task.id);
    mkdirSync(workspace, { recursive: true });
    const repo = task.target_repo;
    if (!repo || !repo.includes("/")) return { path: workspace };
    if (!validTargetRepo(repo)) return { path: workspace, warning: `Invalid target_repo ${repo}: expected owner/repo` };
    const destination = join(workspace, repo.split("/")[1]!);
    if (existsSync(destination)) return { path: destination };
    const url = `${options.repositoryBaseUrl.replace(/\/?$/, "/")}${repo}.git`;
    try {
      await cloneRepository(url, destination);
      return { path: destination };
    } catch (error) {
      return { path: workspace, warning: `Could not clone ${repo}: ${(error as Error).message}` };
    }
  }

  async function createConversation(task: Task): Promise<{ id: string; warning?: string }> {
    const id = `${task.id}-${task.conversation_ids.length}`;
    const { path, warning } = await prepareWorkspace(task);
    let prompt = `Task: ${task.content}`;
    if (task.target_type === "pr" && task.target_repo) prompt += `\n\nTarget: Create a PR in ${task.target_repo}`;
    const now = new Date().toISOString();
    const name = task.content.length > 50 ? `${task.content.slice(0, 50)}...` : task.content;
    const messages: Message[] = [{ role: "user", content: prompt, timestamp: now }];
    if (warning) messages.unshift({ role: "system", content: `${warning}; the workspace starts empty.`, timestamp: now });
    await options.conversations.create(id, { config: { chat: { name, workspace: path } }, prompt: "full", messages });
    return { id, warning };
  }

  async function info(task: Task): Promise<TaskInfo> {
    const result: TaskInfo = { ...task };
    const latest = task.conversation_ids.at(-1);
    if (!latest) return result;
    const conversation = await options.store.get(latest);
    if (!conversation) {
      result.git = { error: `Conversation not found: ${latest}` };
      return result;
    }
    result.workspace = conversation.workspace;
    result.conversation = { id: latest, name: conversation.name, message_count: conversation.messageCount };
    let repository = conversation.workspace;
    const repoName = task.target_repo?.includes("/") ? task.target_repo.split("/")[1]! : null;
    if (repoName && existsSync(join(conversation.workspace, repoName, ".git"))) repository = join(conversation.workspace, repoName);
    result.git = existsSync(repository) ? await gitStatus(repository) : { error: "Workspace does not exist" };
    return result;
  }

  return {
    listShape: options.listShape ?? "object",
    list: (listOptions) => options.tasks.listTasks(listOptions),

    async create(input) {
      const now = new Date();
      const task: Task = {
        id: newTaskId(now),
        content: input.content,
        created_at: now.toISOString(),
        status: "pending",
        target_type: input.target_type,
        target_repo: input.target_repo,
        conversation_ids: [],
        metadata: input.metadata,
        archived: false,
      };
      const conversation = await createConversation(task);
      task.conversation_ids = [conversation.id];
      await options.tasks.createTask(task);
      const result = await info(task);
      if (conversation.warning) result.warning = conversation.warning;
      return result;
    },

    info: async (id) => info(await load(id)),

    async update(id, patch) {
      const task = await load(id);
      if (patch.content !== undefined) task.content = patch.content;
      if (patch.target_type !== undefined) task.target_type = patch.target_type;
      if (patch.target_repo !== undefined) task.target_repo = patch.target_repo;
      if (patch.metadata !== undefined) task.metadata = { ...task.metadata, ...patch.metadata };
      await options.tasks.updateTask(task);
      return info(task);
    },

    async setArchived(id, archived) {
      const task = await load(id);
      if (task.archived === archived) throw new BadRequestError(archived ? "Task is already archived" : "Task is not archived");
      await options.tasks.updateTask({ ...task, archived });
    },
  };
}
