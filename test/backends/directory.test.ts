import { join } from 'node:path';
import { adapters } from '../helpers.js';
import { describeBackendContract } from '../backend-contract.js';

for (const adapter of adapters) {
  describeBackendContract(`directory on ${adapter.name}`, async () => {
    const box = await adapter.sandbox();
    const dir = join(box.root, 'handoffs');
    return { options: () => ({ dir, fs: box.fs }), dispose: () => box.dispose() };
  });
}
