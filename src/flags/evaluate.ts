import type { EvaluationContext, Logger as OpenFeatureLogger } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';
import type { Logger } from 'pino';
import { ownEntry } from '../shared/names.js';
import { flagdJson } from './flagd.js';
import { isRollout, type FlagRecord } from './model.js';

/** An OFREP evaluation that succeeded (`evaluationSuccess` in the protocol's OpenAPI document). */
export interface OfrepSuccess {
  key: string;
  value: boolean;
  reason: string;
  variant: string;
  metadata: Record<string, string | number | boolean>;
}

/** The error codes OFREP answers with: 400 for the first four, 404 for `FLAG_NOT_FOUND`. */
export type OfrepErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL' | 'FLAG_NOT_FOUND';

/** An OFREP evaluation that failed (`evaluationFailure` / `flagNotFound`). */
export interface OfrepFailure {
  key: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

export type OfrepResult = OfrepSuccess | OfrepFailure;

export const isFailure = (result: OfrepResult): result is OfrepFailure => 'errorCode' in result;

const OFREP_CODES = new Set<string>(['PARSE_ERROR', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL', 'FLAG_NOT_FOUND']);

/**
 * Evaluates flags with `@openfeature/flagd-core`, the evaluator flagd's own in-process providers
 * use, so a rollout buckets each targeting key exactly as flagd would. One `FlagdCore` per
 * environment, rebuilt only when that environment's document changes.
 */
export function createEvaluator(log: Logger) {
  const cores = new Map<string, { json: string; core: FlagdCore }>();
  const logger = openFeatureLogger(log.child({ flags: 'flagd-core' }));

  function coreFor(environment: string, flags: Record<string, FlagRecord>): FlagdCore {
    const json = flagdJson(flags);
    const cached = cores.get(environment);
    if (cached?.json === json) return cached.core;
    const core = new FlagdCore(undefined, logger);
    core.setConfigurations(json);
    cores.set(environment, { json, core });
    return core;
  }

  /** One flag for one context, as OFREP answers it. */
  function evaluate(environment: string, flags: Record<string, FlagRecord>, key: string, context: EvaluationContext): OfrepResult {
    const record = ownEntry(flags, key);
    if (!record) return { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `there is no flag ${key} in ${environment}` };
    if (isRollout(record.value) && (typeof context.targetingKey !== 'string' || context.targetingKey === '')) {
      return {
        key,
        errorCode: 'TARGETING_KEY_MISSING',
        errorDetails: `${key} is on for ${record.value} of users in ${environment}: the evaluation context needs a targetingKey to put this user in one bucket or the other`,
      };
    }
    const result = coreFor(environment, flags).resolveBooleanEvaluation(key, false, context, logger);
    if (result.errorCode) {
      return { key, errorCode: OFREP_CODES.has(result.errorCode) ? (result.errorCode as OfrepErrorCode) : 'GENERAL', errorDetails: result.errorMessage ?? result.errorCode };
    }
    return {
      key,
      value: result.value,
      reason: result.reason ?? 'UNKNOWN',
      variant: result.variant ?? (result.value ? 'on' : 'off'),
      metadata: { environment, rollout: record.value },
    };
  }

  /** Every flag of the environment for one context, keys in order. */
  function evaluateAll(environment: string, flags: Record<string, FlagRecord>, context: EvaluationContext): OfrepResult[] {
    return Object.keys(flags)
      .sort()
      .map((key) => evaluate(environment, flags, key, context));
  }

  return { evaluate, evaluateAll };
}
export type Evaluator = ReturnType<typeof createEvaluator>;

/** flagd-core logs through OpenFeature's logger interface; its chatter is debug-level for igor. */
function openFeatureLogger(log: Logger): OpenFeatureLogger {
  const line = (args: unknown[]) => args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
  return {
    error: (...args: unknown[]) => log.warn(line(args)),
    warn: (...args: unknown[]) => log.debug(line(args)),
    info: (...args: unknown[]) => log.debug(line(args)),
    debug: (...args: unknown[]) => log.debug(line(args)),
  };
}
