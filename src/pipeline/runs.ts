import type { Timer } from '../shared/clock.js';
import type { Server } from '../fleet/types.js';

/** How the wait for an approval ended. */
export type Decision = { outcome: 'approved'; servers: Server[] } | { outcome: 'rejected' | 'expired' | 'cancelled' | 'shutdown' };

/** Why a run was told to stop early: Cancel, the Rollback button during a bake, or igor stopping. */
export type StopReason = 'cancelled' | 'rolled-back' | 'shutdown';

/** How the wait for a manual canary promotion ended. */
export type Promotion = 'promote' | 'rollback' | 'stop';

/** What igor holds in memory for one deployment while it runs. */
export interface Run {
  /** Aborted as soon as the run is told to stop: waits (bake, approval) and test steps end at once. */
  controller: AbortController;
  /**
   * Aborted when commands on the hosts must be killed: on Cancel and Rollback at once, on
   * shutdown only when the grace period is over (a host mid-restart is better left to finish).
   */
  hostCommands: AbortController;
  stopReason: StopReason | null;
  /** Who pressed Cancel, for the record. */
  cancelledBy: string | null;
  done: Promise<void>;
  /** Resolves when a person (or the clock) decides on a pending approval. */
  decision: Promise<Decision>;
  decide(decision: Decision): void;
  /** Resolves when someone presses Promote or Rollback after the canary's bake (or the run is stopped). */
  promotion: Promise<Promotion>;
  decidePromotion(promotion: Promotion): void;
  /** Set while an approval is being checked, so two presses cannot both start the rollout. */
  deciding: boolean;
  expiryTimer: Timer | null;
}

/** The runs in progress, by deployment id. */
export function createRuns() {
  const runs = new Map<string, Run>();
  return {
    add(id: string): Run {
      let decide!: (decision: Decision) => void;
      const decision = new Promise<Decision>((resolve) => (decide = resolve));
      let decidePromotion!: (promotion: Promotion) => void;
      const promotion = new Promise<Promotion>((resolve) => (decidePromotion = resolve));
      const run: Run = {
        controller: new AbortController(),
        hostCommands: new AbortController(),
        stopReason: null,
        cancelledBy: null,
        done: Promise.resolve(),
        decision,
        decide,
        promotion,
        decidePromotion,
        deciding: false,
        expiryTimer: null,
      };
      runs.set(id, run);
      return run;
    },
    get: (id: string) => runs.get(id),
    remove(id: string): void {
      const run = runs.get(id);
      run?.expiryTimer?.cancel();
      runs.delete(id);
    },
    all: () => [...runs.values()],
  };
}
export type Runs = ReturnType<typeof createRuns>;
