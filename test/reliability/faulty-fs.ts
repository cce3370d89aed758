import type { FileSystem } from '../../src/index.js';

/** The faults the suite injects. `SHORT_WRITE` writes half the data, then fails with ENOSPC. */
export const FAULTS = ['ENOSPC', 'EIO', 'EACCES', 'EMFILE', 'EPERM', 'EBUSY', 'SHORT_WRITE'] as const;
export type Fault = (typeof FAULTS)[number];
/** Faults the stores retry, so the operation must succeed in spite of one. */
export const TRANSIENT: readonly Fault[] = ['EMFILE', 'EBUSY'];

export type Operation = Exclude<keyof FileSystem, 'volume'>;

/** Which call to fail: the `nth` call (1-based) of `operation`, once. */
export interface FaultPlan {
  operation: Operation;
  nth: number;
  fault: Fault;
}

/** An adapter that counts calls per operation and fails one of them as planned. */
export function faultyFs(inner: FileSystem, plan?: FaultPlan): FileSystem & { calls: Map<Operation, number> } {
  const calls = new Map<Operation, number>();
  const wrapped: Partial<Record<Operation, unknown>> = {};
  for (const key of Object.keys(inner) as Operation[]) {
    const operation = inner[key];
    if (typeof operation !== 'function') continue;
    wrapped[key] = async (...args: unknown[]) => {
      const count = (calls.get(key) ?? 0) + 1;
      calls.set(key, count);
      if (plan && plan.operation === key && plan.nth === count) {
        if (plan.fault === 'SHORT_WRITE') {
          if (key === 'createFile') {
            const [path, data, options] = args as Parameters<FileSystem['createFile']>;
            await inner.createFile(path, data.subarray(0, Math.floor(data.byteLength / 2)), options);
          }
          throw Object.assign(new Error(`injected short write in ${key}`), { code: 'ENOSPC' });
        }
        throw Object.assign(new Error(`injected ${plan.fault} in ${key}`), { code: plan.fault });
      }
      return (operation as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
    };
  }
  return Object.assign({ ...inner, ...wrapped } as FileSystem, { calls });
}
