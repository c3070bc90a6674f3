/** Errors a model reply can end with, and how a provider SDK's failure is classified for retrying. */

/** A provider request that failed for good: after the retries, or with a non-retryable cause. */
export class ModelRequestError extends Error {
  /** The provider's HTTP status, when it answered with one. */
  readonly status: number | undefined;
  /** Whether the cause is transient (408/409/429/5xx, connection failures); a later request may succeed. */
  readonly retryable: boolean;
  readonly modelId: string;
  readonly attempts: number;
  constructor(
    message: string,
    details: { modelId: string; status?: number; retryable: boolean; attempts: number; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.name = "ModelRequestError";
    this.status = details.status;
    this.retryable = details.retryable;
    this.modelId = details.modelId;
    this.attempts = details.attempts;
  }
}

/** The error a reply stream ends with when its signal was aborted (`name === "AbortError"`). */
export function abortError(): Error {
  return new DOMException("The model request was aborted", "AbortError");
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/** What went wrong with one attempt, independent of the SDK that reported it. */
export type Failure =
  | { kind: "http"; status: number; message: string; retryable: boolean; retryAfterMs?: number }
  | { kind: "connection"; message: string; retryable: true }
  | { kind: "stream"; message: string; retryable: boolean }
  | { kind: "abort" }
  | { kind: "other"; message: string; retryable: false };

/** The error classes both Stainless-generated SDKs (openai, @anthropic-ai/sdk) export. */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
}

/** Before an SDK is loaded (it loads on the first request), no error can be one of its classes. */
class NoSdkError extends Error {}
export const sdkNotLoaded: SdkErrorClasses = { APIError: NoSdkError, APIUserAbortError: NoSdkError, APIConnectionError: NoSdkError };

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Classifies an error thrown by an SDK call or while iterating its stream. */
export function classifyFailure(error: unknown, sdk: SdkErrorClasses): Failure {
  if (isAbortError(error) || error instanceof sdk.APIUserAbortError) return { kind: "abort" };
  if (error instanceof sdk.APIConnectionError) {
    return { kind: "connection", message: describeCause(error), retryable: true };
  }
  if (error instanceof sdk.APIError) {
    const { status, headers } = error as Error & { status?: number; headers?: Headers };
    const message = providerMessage(error);
    if (status === undefined) {
      // An `error` event inside an SSE stream: the SDKs report it without a status.
      return { kind: "stream", message, retryable: streamErrorRetryable(error) };
    }
    return { kind: "http", status, message, retryable: isRetryableStatus(status), retryAfterMs: retryAfter(headers) };
  }
  return { kind: "other", message: error instanceof Error ? error.message : String(error), retryable: false };
}

/** The provider's own words: `error.message` of the JSON body when there is one. */
function providerMessage(error: Error): string {
  const body = (error as Error & { error?: unknown }).error as Record<string, unknown> | undefined;
  const nested = body?.error as Record<string, unknown> | undefined;
  const text = nested?.message ?? body?.message;
  if (typeof text === "string" && text) return text;
  return error.message.replace(/^\d{3} /, "");
}

function streamErrorRetryable(error: Error): boolean {
  const type = (error as Error & { type?: unknown }).type;
  return type === "overloaded_error" || type === "api_error" || type === "server_error" || type === "rate_limit_error";
}

/** `Connection error.` alone does not say why; the innermost cause does (`connect ECONNREFUSED ...`). */
function describeCause(error: Error): string {
  let innermost: unknown = error.cause;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  return innermost instanceof Error ? `${error.message.replace(/\.$/, "")}: ${innermost.message}` : error.message;
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const milliseconds = Number(headers?.get("retry-after-ms"));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const seconds = headers?.get("retry-after");
  if (!seconds) return undefined;
  const asNumber = Number(seconds);
  if (Number.isFinite(asNumber)) return asNumber * 1000;
  const date = Date.parse(seconds);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
