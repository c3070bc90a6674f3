/** The conversation list's cursor: the last item's `modified` and id, opaque to clients, the same for every store. */
import { BadRequestError } from "../errors.js";

export interface ListCursor {
  modified: number;
  id: string;
}

export function encodeCursor(row: { modified: number; id: string }): string {
  return `${row.modified}|${encodeURIComponent(row.id)}`;
}

export function decodeCursor(cursor: string): ListCursor {
  const separator = cursor.indexOf("|");
  const modifiedText = separator === -1 ? cursor : cursor.slice(0, separator);
  const modified = Number(modifiedText);
  if (modifiedText.trim() === "" || !Number.isFinite(modified)) throw new BadRequestError("Invalid cursor");
  if (separator === -1) return { modified, id: "" };
  try {
    return { modified, id: decodeURIComponent(cursor.slice(separator + 1)) };
  } catch {
    throw new BadRequestError("Invalid cursor");
  }
}
