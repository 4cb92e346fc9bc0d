/** A table of moves: each event names the states it may happen in and the state it leads to. */
export type TransitionTable<State extends string, Event extends string> = Readonly<Record<Event, { readonly from: readonly State[]; readonly to: State }>>;

/** A move a transitions table forbids: a bug in the caller or a race the caller must handle. */
export class ForbiddenTransitionError extends Error {
  override name = 'ForbiddenTransitionError';
  constructor(
    readonly event: string,
    readonly state: string,
    noun: string,
  ) {
    super(`a ${noun} that is ${state} cannot ${event}`);
  }
}

/**
 * The moves of one kind of record (deployments, test runs), from its table: `noun` names the
 * record in the error of a forbidden move.
 * @example const runs = stateMachine(RUN_TRANSITIONS, 'test run'); runs.next('queued', 'start') // 'running'
 */
export function stateMachine<State extends string, Event extends string>(table: TransitionTable<State, Event>, noun: string) {
  const can = (state: State, event: Event): boolean => table[event].from.includes(state);
  return {
    can,
    /** The state after `event`, or a {@link ForbiddenTransitionError}. */
    next(state: State, event: Event): State {
      if (!can(state, event)) throw new ForbiddenTransitionError(event, state, noun);
      return table[event].to;
    },
  };
}
