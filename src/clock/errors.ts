/**
 * @module clock/errors
 * The single error type thrown by the clock module for bad input.
 */

/** What was wrong with the input. */
export type ClockErrorCode = 'invalid-instant' | 'invalid-time-zone' | 'invalid-period';

/**
 * Thrown by the clock module when an input is unusable. The message is one line and names the
 * offending value (JSON-quoted, so embedded newlines cannot break the line).
 */
export class ClockError extends Error {
  override readonly name = 'ClockError';
  readonly code: ClockErrorCode;

  constructor(code: ClockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Render an arbitrary input value for an error message, on one line. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value); // JSON would print NaN and Infinity as null
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
