import { describe, expect, it } from 'vitest';
import { HandoffStore, memoryFs } from '../../src/index.js';
import { ClaimLookupError, OpenClaims } from '../../src/mcp/claims.js';

/** A store in memory with `count` pending handoffs. */
async function storeWith(count: number): Promise<HandoffStore> {
  const store = new HandoffStore({ dir: '/handoffs', fs: memoryFs(), onWarning: () => {} });
  for (let index = 0; index < count; index++) await store.write({ slug: `h${index}`, body: `body ${index}` });
  return store;
}

const states = async (store: HandoffStore) => (await store.list({ consumed: true })).map((ref) => `${ref.slug}:${ref.state}`).sort();

describe('OpenClaims: the claims an MCP server holds between tool calls', () => {
  it('acknowledges a claim by id once; the id is spent after', async () => {
    const store = await storeWith(2);
    const claims = new OpenClaims();
    const id = (await claims.add(await store.claim()))!;
    expect(claims.size).toBe(1);
    const result = await claims.acknowledge(id);
    expect(result.handoffs).toHaveLength(2);
    expect(await states(store)).toEqual(['h0:consumed', 'h1:consumed']);
    expect(claims.size).toBe(0);
    await expect(claims.acknowledge(id)).rejects.toBeInstanceOf(ClaimLookupError);
  });

  it('releases some handoffs of a claim and acknowledges the rest without calling the released ones lost', async () => {
    const store = await storeWith(3);
    const claims = new OpenClaims();
    const claim = await store.claim();
    const id = (await claims.add(claim))!;
    const [first, second, third] = claim.handoffs.map((handoff) => handoff.name);
    expect((await claims.release(id, [second!])).released).toHaveLength(1);
    expect(claims.held(id)).toEqual([first, third]);
    const result = await claims.acknowledge(id);
    expect(result.handoffs.map((handoff) => handoff.name)).toEqual([first, third]);
    expect(result.lost).toEqual([]);
    expect(await states(store)).toEqual(['h0:consumed', 'h1:pending', 'h2:consumed']);
  });

  it('closes a claim id once every handoff in it is released', async () => {
    const store = await storeWith(2);
    const claims = new OpenClaims();
    const claim = await store.claim();
    const id = (await claims.add(claim))!;
    await claims.release(id, [claim.handoffs[0]!.name]);
    expect(claims.size).toBe(1);
    await claims.release(id, [claim.handoffs[1]!.name]);
    expect(claims.size).toBe(0);
    expect(() => claims.held(id)).toThrow(ClaimLookupError);
  });

  it('on close, releases every open claim, and releases at once any claim added after', async () => {
    const store = await storeWith(2);
    const claims = new OpenClaims();
    await claims.add(await store.claim({ limit: 1 }));
    const { released } = await claims.close();
    expect(released).toHaveLength(1);
    expect(await states(store)).toEqual(['h0:pending', 'h1:pending']);

    // A claim that was still being made when the client went away is not kept until its lease ends.
    const late = await store.claim();
    expect(late.handoffs).toHaveLength(2);
    expect(await claims.add(late)).toBeUndefined();
    expect(await states(store)).toEqual(['h0:pending', 'h1:pending']);
  });
});
