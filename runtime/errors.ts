/**
 * Domain errors with a stable name and an HTTP status. Runtime code throws these; the one error
 * mapper in `handlers/errors.ts` turns them into `{ "error": "..." }` responses, and the CLI into
 * one readable line.
 */
export class AppError extends Error {
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(status: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.extra = extra;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(400, message, extra);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, message);
  }
}

/** No provider key, or a model that cannot be resolved: tells the user what to set. */
export class ModelConfigurationError extends AppError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(503, message, extra);
  }
}
