/**
 * What the model should know about the project before it starts: instruction files (user-wide and
 * the workspace's own) and the files that describe the project, each capped in size.
 */
import { join } from "node:path";
import { fenceFor } from "../parse/markdown-blocks.js";
import type { PromptFileSystem } from "./file-system.js";

export const INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md", ".cursorrules", ".github/copilot-instructions.md"];
export const PROJECT_FILES = ["package.json", "pyproject.toml", "Cargo.toml", "Makefile", "docker-compose.yml", "docker-compose.yaml"];
export const MAX_FILE_CHARACTERS = 20_000;
export const MAX_CONTEXT_CHARACTERS = 100_000;

interface ContextFile {
  label: string;
  content: string;
}

export interface WorkspaceContextOptions {
  workspace: string;
  configDirectory: string;
  fileSystem: PromptFileSystem;
}

/** The workspace context as one markdown text, or undefined when nothing was found. */
export async function workspaceContext(options: WorkspaceContextOptions): Promise<string | undefined> {
  const budget = { remaining: MAX_CONTEXT_CHARACTERS };
  const instructions = await readAll(instructionPaths(options), options.fileSystem, budget);
  const projectFiles = await readAll(await projectPaths(options), options.fileSystem, budget);
  const sections: string[] = [];
  if (instructions.length > 0) {
    sections.push(["# Instructions", ...instructions.map((file) => `## ${file.label}\n\n${file.content}`)].join("\n\n"));
  }
  if (projectFiles.length > 0) {
    sections.push(["# Project Files", ...projectFiles.map((file) => `${fenceFor(file.content)}${file.label}\n${file.content}\n${fenceFor(file.content)}`)].join("\n\n"));
  }
  return sections.length > 0 ? sections.join("\n\n") : undefined;
}

function instructionPaths(options: WorkspaceContextOptions): Array<[path: string, label: string]> {
  const paths: Array<[string, string]> = INSTRUCTION_FILES.map((name) => [join(options.configDirectory, name), join(options.configDirectory, name)]);
  if (options.configDirectory !== options.workspace) {
    paths.push(...INSTRUCTION_FILES.map((name): [string, string] => [join(options.workspace, name), name]));
  }
  return paths;
}

async function projectPaths(options: WorkspaceContextOptions): Promise<Array<[string, string]>> {
  const readmes = (await options.fileSystem.list(options.workspace)).filter((name) => name.startsWith("README")).sort();
  return [...readmes, ...PROJECT_FILES].map((name) => [join(options.workspace, name), name]);
}

async function readAll(paths: Array<[string, string]>, fileSystem: PromptFileSystem, budget: { remaining: number }): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  for (const [path, label] of paths) {
    if (budget.remaining <= 0) break;
    const text = await fileSystem.readText(path);
    if (text === undefined || text.trim() === "") continue;
    const content = capped(text.trimEnd(), Math.min(MAX_FILE_CHARACTERS, budget.remaining));
    budget.remaining -= content.length;
    files.push({ label, content });
  }
  return files;
}

function capped(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n... (${text.length - limit} more characters not shown)`;
}
