import type { StrategyConfig } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import type { Server } from '../fleet/types.js';
import type { DeploymentPlan } from './types.js';

/** The plan an approver sees and approves: the exact commit, the hosts, the rollout. */
export function makePlan(sha: string, environment: string, servers: readonly Server[], strategy: StrategyConfig): DeploymentPlan {
  return { sha, environment, hosts: servers.map((server) => server.name).sort(), strategy: describeStrategy(strategy) };
}

/** `canary 1 (bake 1m, promote manual), then waves 25%, 100%, 10 at a time`. */
export function describeStrategy(strategy: StrategyConfig): string {
  const canary = strategy.canary
    ? `canary ${strategy.canary.servers} (bake ${formatDuration(strategy.canary.bake)}, promote ${strategy.canary.promote}), then `
    : '';
  const waves = strategy.waves.length === 1 ? 'all hosts' : `waves ${strategy.waves.join(', ')}`;
  return `${canary}${waves}, ${strategy.parallel} at a time`;
}

/** What changed between the approved plan and now, in words; null when nothing did. */
export function planChange(approved: DeploymentPlan, now: DeploymentPlan): string | null {
  const changes: string[] = [];
  if (approved.sha !== now.sha) changes.push(`the commit changed from ${approved.sha.slice(0, 7)} to ${now.sha.slice(0, 7)}`);
  const added = now.hosts.filter((host) => !approved.hosts.includes(host));
  const removed = approved.hosts.filter((host) => !now.hosts.includes(host));
  if (added.length) changes.push(`hosts added: ${added.join(', ')}`);
  if (removed.length) changes.push(`hosts gone: ${removed.join(', ')}`);
  if (approved.strategy !== now.strategy) changes.push(`the strategy changed to ${now.strategy}`);
  return changes.length ? changes.join('; ') : null;
}

/** `https://github.com/acme/shop/compare/a...b` when the repo is on GitHub, else null. */
export function compareUrl(repo: string, from: string | null, to: string): string | null {
  const match = /github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(repo);
  if (!match || !from) return null;
  return `https://github.com/${match[1]}/${match[2]}/compare/${from}...${to}`;
}
