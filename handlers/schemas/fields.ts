/**
 * String fields with gptme HEAD's exact validation messages ("session_id is required",
 * "session_id must be a string"), so scripts matching on them keep working.
 */
import { z } from "zod";

/** Missing, null or blank: "<field> is required"; another type: "<field> must be a string". */
export function requiredString(field: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined || issue.input === null ? `${field} is required` : `${field} must be a string`),
    })
    .refine((value) => value.trim() !== "", { message: `${field} is required` });
}

/** Absent (or null) is fine; present, it must be a non-blank string. */
export function optionalString(field: string) {
  return z
    .string({ error: `${field} must be a string` })
    .refine((value) => value.trim() !== "", { message: `${field} must be a non-empty string` })
    .nullish();
}

/** A list of strings; any other shape answers gptme's "<field> must be a list of strings". */
export function stringList(field: string) {
  const message = `${field} must be a list of strings`;
  return z.array(z.string({ error: message }), { error: message });
}

/** Absent, null or blank: left out (the route decides whether it was needed); another type: "<field> must be a string". */
export function blankAsMissing(field: string) {
  return z
    .string({ error: `${field} must be a string` })
    .nullish()
    .transform((value) => (value === null || value === undefined || value.trim() === "" ? undefined : value));
}
