/**
 * Typed errors thrown by use cases. The one error mapper in
 * `lib/http/errors.ts` turns them into `{error: {code, message, details}}`.
 */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
    /** response headers the error carries (`Retry-After` on a 429) */
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_request', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Missing or invalid credentials') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'This key may not access that shop') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limit: number, message = `Body larger than ${limit} bytes`) {
    super(413, 'payload_too_large', message);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message = 'Too many requests', retryAfterSeconds = 1, details?: unknown) {
    super(429, 'too_many_requests', message, details, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** Issue list in the `{index?, path, message}` shape SPEC §1.4 uses. */
export type FieldIssue = { index?: number; path: string; message: string };

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}
