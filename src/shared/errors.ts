// The one error shape that crosses every boundary: core → contract → renderer, workstation → server.

export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'illegal_transition'
  | 'conflict'
  | 'too_large'
  | 'unauthenticated'
  | 'version_mismatch'
  | 'internal';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class DeskError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DeskError';
    this.code = code;
    this.details = details;
  }

  toInfo(): ErrorInfo {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof DeskError) return error.toInfo();
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

export function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}
