import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the full-size simulation leaves its figures for test/stress/sim.mjs to gather. */
export const FIGURES_DIR = join(import.meta.dirname, '..', '..', '.stress');

/** Writes one part's figures as JSON. */
export function saveFigures(part: string, figures: unknown): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(join(FIGURES_DIR, `sim-${part}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
