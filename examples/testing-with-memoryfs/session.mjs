// A user's own code: what their tool does at session start and end, written against HandoffStore.
import { HandoffStore, nodeFs } from 'handoffs';

/** Starts a session: returns the context to show the agent, or a default line when there is none. */
export async function openSession({ dir, fs = nodeFs(), now }) {
  const store = new HandoffStore({ dir, fs, now });
  const { merged, handoffs } = await store.start({ maxLines: 200 });
  return handoffs.length === 0 ? 'No handoffs from earlier sessions.' : merged;
}

/** Ends a session: records what was done and what comes next. */
export async function closeSession({ dir, fs = nodeFs(), now }, { topic, done, next }) {
  const store = new HandoffStore({ dir, fs, now });
  return store.end({ slug: topic, body: `Done: ${done}\nNext: ${next}\n` });
}
