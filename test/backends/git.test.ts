import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { gitStore } from '../../src/index.js';
import { describeBackendContract } from '../backend-contract.js';
import { fileServer, isolateProcessGit, repositoryRoot, startDaemon, startHttp, type GitServer } from '../support/git-server.js';

// The contract over a real remote. `npm test` runs it over file://, each store its own machine
// (fast); HANDOFFS_GIT_TRANSPORTS=all (npm run test:git) runs it over git daemon and smart HTTP as
// well, and with every store on one machine too.
const all = process.env.HANDOFFS_GIT_TRANSPORTS === 'all';
const transports = all ? (['file', 'daemon', 'http'] as const) : (['file'] as const);
const layouts = all ? (['one machine', 'a machine per store'] as const) : (['a machine per store'] as const);

let restore: () => Promise<void>;
beforeAll(async () => {
  restore = await isolateProcessGit();
});
afterAll(async () => restore());

for (const transport of transports) {
  for (const machines of layouts) {
    describeBackendContract(`git over ${transport}, ${machines}`, async () => {
      const root = await repositoryRoot();
      await root.create('remote');
      const server: GitServer & { dispose?(): Promise<void> } =
        transport === 'daemon' ? await startDaemon(root) : transport === 'http' ? await startHttp(root) : fileServer(root);
      const home = await mkdtemp(join(tmpdir(), 'handoffs-git-machines-'));
      let count = 0;
      return {
        options: () => ({
          store: gitStore({
            remote: server.url('remote'),
            dir: join(home, machines === 'one machine' ? 'queue' : `queue-${count++}`),
            onWarning: () => {},
          }),
        }),
        dispose: async () => {
          await server.dispose?.();
          await root.dispose();
          await rm(home, { recursive: true, force: true });
        },
      };
    });
  }
}
