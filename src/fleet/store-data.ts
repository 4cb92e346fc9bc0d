import { dictionary } from '../shared/names.js';

/** The fleet's part of the store. */
export interface FleetData {
  /** SHA-256 fingerprints of SSH host keys seen first (`host:port` → `SHA256:…`). */
  hostKeys: Record<string, string>;
}

export function emptyFleetData(): FleetData {
  return { hostKeys: dictionary() };
}
