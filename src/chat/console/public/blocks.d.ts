// Types of blocks.js, a plain ES module that the browser loads as it is (no build step).
import type { KnownBlock } from '@slack/types';

export interface RenderOptions {
  /** Display names of user ids; a mention without one shows the id. */
  users?: Record<string, string>;
  /** Display names of channel ids. */
  channels?: Record<string, string>;
  /** Where a link should point in the console (deployment API links → deployment pages). */
  rewriteUrl?: (url: string) => string;
  /** The origin same-origin paths must resolve to (default: the page's own). */
  origin?: string;
  /** `false` renders buttons disabled. */
  interactive?: boolean;
  /** The reader's locale and time zone for Slack's date tokens (default: the browser's own). */
  locale?: string;
  timeZone?: string;
  /** What `today` is counted from (ISO-8601; default: now). */
  now?: string;
}

export function escapeHtml(text: string): string;
export function mrkdwn(text: string, options?: RenderOptions): string;
export function textObject(text: { type: string; text: string } | undefined, options?: RenderOptions): string;
export function renderBlock(block: KnownBlock | { type: string; [key: string]: unknown }, options?: RenderOptions): string;
export function renderMessage(message: { text: string; blocks?: Array<KnownBlock | { type: string; [key: string]: unknown }> }, options?: RenderOptions): string;
