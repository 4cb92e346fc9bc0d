import type { EvaluationContext } from '@openfeature/core';
import type { OfrepErrorCode, OfrepFailure, OfrepResult } from './evaluate.js';
import { isFailure } from './evaluate.js';

/** A request the protocol refuses before any flag is looked at. */
export interface OfrepRequestError {
  errorCode: Extract<OfrepErrorCode, 'PARSE_ERROR' | 'INVALID_CONTEXT'>;
  errorDetails: string;
}

/**
 * Reads an OFREP request body (`{ "context": { "targetingKey": "user-1", … } }`, or nothing).
 * Not JSON, or not an object → `PARSE_ERROR`; a context that is not an object, or a
 * `targetingKey` that is not a string → `INVALID_CONTEXT` (both 400 in the protocol's OpenAPI).
 */
export function readEvaluationRequest(body: unknown): { context: EvaluationContext } | OfrepRequestError {
  const text = typeof body === 'string' ? body : '';
  if (text.trim() === '') return { context: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { errorCode: 'PARSE_ERROR', errorDetails: `the body is not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(parsed)) return { errorCode: 'PARSE_ERROR', errorDetails: 'the body must be a JSON object such as {"context": {"targetingKey": "user-1"}}' };
  const context = parsed.context;
  if (context === undefined || context === null) return { context: {} };
  if (!isObject(context)) return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context must be an object such as {"targetingKey": "user-1"}' };
  if (context.targetingKey !== undefined && typeof context.targetingKey !== 'string') {
    return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context.targetingKey must be a string' };
  }
  return { context: context as EvaluationContext };
}

/** The HTTP status OFREP gives a single evaluation: 200, 404 for `FLAG_NOT_FOUND`, 500 for `GENERAL`, else 400. */
export function statusOf(result: OfrepResult): number {
  if (!isFailure(result)) return 200;
  return statusOfCode(result.errorCode);
}

export function statusOfCode(code: OfrepErrorCode): number {
  if (code === 'FLAG_NOT_FOUND') return 404;
  if (code === 'GENERAL') return 500;
  return 400;
}

/**
 * A failure body as OFREP shapes it, plus igor's `error` sentence, so it is also the
 * `{ "error": … }` every igor endpoint answers with.
 */
export function failureBody(failure: OfrepFailure | OfrepRequestError) {
  return { ...failure, error: failure.errorDetails };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
