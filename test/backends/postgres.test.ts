import { describeBackendContract } from '../backend-contract.js';
import { freshSchema, usePostgres, withSchema } from '../support/postgres.js';

const server = usePostgres();

// Through the URL, as `--store postgres://…` and HANDOFFS_STORE give it: each store a new backend
// (its own pool) on the same schema.
describeBackendContract('postgres (URL)', async () => {
  const url = withSchema(server().url, freshSchema('contract'));
  return { options: () => ({ store: url }), dispose: async () => {} };
});
