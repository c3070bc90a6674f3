/**
 * gptme's `QUERY /api/v2/tools`: filters ANDed together (`eq`, `neq`, `contains`, `in`, `regex`
 * on the string, boolean and list fields) and an optional projection to some fields.
 */
import { BadRequestError } from "../errors.js";
import { checkPattern, regexMatches } from "./regex-search.js";
import { toolDescriptionFields, type ToolDescription } from "./tool-catalog.js";

export type FilterOperation = "eq" | "neq" | "contains" | "in" | "regex";

export interface ToolFilter {
  field: string;
  op: FilterOperation;
  value: string | boolean | string[];
}

export interface ToolQuery {
  filters?: ToolFilter[];
  fields?: string[] | null;
}

const stringFields = new Set(["name", "desc", "instructions"]);
const booleanFields = new Set(["is_mcp", "is_available", "disabled_by_default"]);
const listFields = new Set(["block_types"]);
const filterableFields = [...stringFields, ...booleanFields, ...listFields].sort();

/** Python's repr of a list of strings, as gptme's messages show them. */
const pythonList = (items: string[]) => `[${items.map((item) => `'${item}'`).join(", ")}]`;

function pythonTypeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  return "dict";
}

function validate(query: ToolQuery): void {
  for (const filter of query.filters ?? []) {
    if (!filterableFields.includes(filter.field)) {
      throw new BadRequestError(`Unknown filter field: '${filter.field}'. Valid fields: ${pythonList(filterableFields)}`);
    }
    if (booleanFields.has(filter.field) && typeof filter.value !== "boolean") {
      throw new BadRequestError(
        `Filter field '${filter.field}' requires a boolean value, got '${pythonTypeName(filter.value)}'`,
      );
    }
    if (filter.op === "regex") checkPattern(String(filter.value));
  }
  const unknown = (query.fields ?? []).filter((field) => !(toolDescriptionFields as readonly string[]).includes(field));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `Unknown projection field(s): ${pythonList(unknown)}. Valid fields: ${pythonList([...toolDescriptionFields].sort())}`,
    );
  }
}

function matches(tool: ToolDescription, filter: ToolFilter, regexResult: boolean | undefined): boolean {
  const value = filter.value;
  if (booleanFields.has(filter.field)) {
    const actual = tool[filter.field as "is_mcp"];
    if (filter.op === "eq") return actual === value;
    if (filter.op === "neq") return actual !== value;
    return false;
  }
  if (listFields.has(filter.field)) {
    const list = tool.block_types;
    if (filter.op === "contains") return list.includes(String(value));
    if (filter.op === "eq") return Array.isArray(value) && list.length === value.length && list.every((item, index) => item === value[index]);
    if (filter.op === "in") return (Array.isArray(value) ? value : [String(value)]).some((item) => list.includes(item));
    return false;
  }
  const text = tool[filter.field as "name"];
  const expected = String(value);
  switch (filter.op) {
    case "eq":
      return text === expected;
    case "neq":
      return text !== expected;
    case "contains":
      return text.toLowerCase().includes(expected.toLowerCase());
    case "in":
      return (Array.isArray(value) ? value : [expected]).includes(text);
    case "regex":
      return regexResult === true;
  }
}

/** The tools passing every filter, projected to `fields` when given; 400 for unknown fields or bad patterns. */
export async function queryTools(tools: ToolDescription[], query: ToolQuery): Promise<Array<Partial<ToolDescription>>> {
  validate(query);
  let selected = tools;
  for (const filter of query.filters ?? []) {
    const regex =
      filter.op === "regex" && stringFields.has(filter.field)
        ? await regexMatches(String(filter.value), selected.map((tool) => tool[filter.field as "name"]))
        : undefined;
    selected = selected.filter((tool, index) => matches(tool, filter, regex?.[index]));
  }
  const fields = query.fields;
  if (!fields || fields.length === 0) return selected;
  return selected.map((tool) => Object.fromEntries(fields.map((field) => [field, tool[field as keyof ToolDescription]])));
}
