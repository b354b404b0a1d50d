/**
 * @file The error every API client throws for a failed request, and main throws from handlers.
 *
 * Runs in main, preload and the renderer. Kept apart from contract.ts so the renderer can use it at
 * runtime without pulling the zod schemas into its bundle.
 */
import type { ApiErrorCode, ApiErrorDto } from './contract';

/** A request failed with a code the caller can branch on. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly issues: { path: string; message: string }[] | undefined;

  constructor(code: ApiErrorCode, message: string, issues?: { path: string; message: string }[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.issues = issues;
  }

  static fromDto(dto: ApiErrorDto): ApiError {
    return new ApiError(dto.code, dto.message, dto.issues);
  }

  toDto(): ApiErrorDto {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}
