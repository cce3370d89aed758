import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { HandoffError } from '../errors.js';
import type { HandoffMeta } from '../handoff/front-matter.js';
import type { HandoffContent } from '../handoff/store.js';
import type { ToolContext } from './context.js';
import { fields } from './fields.js';
import { guarded, toolResult } from './results.js';

/**
 * The handoff tools: write, claim, acknowledge, release, list, read. Descriptions are written for a
 * model choosing between them; the stores do all the work and keep their guarantees (a write never
 * replaces anything, each handoff is claimed by one session at a time and consumed once).
 */

/** Recorded as `agent` in the front matter of every handoff written through MCP. */
export const MCP_AGENT = 'mcp';

/** A handoff body longer than this is a runaway tool call, not a note for the next session. */
const MAX_BODY_CHARS = 1_000_000;
const MAX_NAME_CHARS = 300;

/** Registers the handoff tools on `server`. */
export function registerHandoffTools(server: McpServer, context: ToolContext): void {
  const { z, store } = context;
  const field = fields(z);
  const sessionId = field
    .text('session_id', 'Your session or conversation id, if you have one. Recorded with what you write or claim, so it can be traced or given back later.', 200)
    .optional();
  const allProjects = field
    .flag('all_projects', "true: every project's handoffs. Default false: this project's and those written for any project.")
    .optional();
  const claimId = field.text('claim_id', 'The claim_id that claim_handoffs returned.', 100);

  server.registerTool(
    'write_handoff',
    {
      title: 'Write a handoff for the next session',
      description:
        'Save a handoff: a note for the next agent session on this project saying what was done, what is left, and what it needs to know ' +
        '(decisions, files, commands, open questions). Call it before you finish, or when the user asks you to hand off. Each call saves a new ' +
        'handoff and never overwrites one. The next session on this project receives it exactly once, through its session-start hook or claim_handoffs. ' +
        'Not for lasting facts about the project: use add_memory for those.',
      inputSchema: z.strictObject({
        slug: field.text('slug', 'A few words naming the work, e.g. "auth refactor". Becomes part of the handoff\'s name (letters and digits kept).', 200),
        body: field.text('body', 'The handoff in Markdown: done, next steps, open questions, the files and commands that matter.', MAX_BODY_CHARS),
        tags: field.texts('tags', 'Optional labels, e.g. ["blocked", "release"].', 20, 64).optional(),
        global: field
          .flag('global', "true: the next session of any project may take it. Default false: only this project's sessions.")
          .optional(),
        session_id: sessionId,
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (input, extra) =>
      guarded(async () => {
        if (input.body.trim() === '') throw new HandoffError('INVALID_BODY', 'body is blank: write what the next session needs to know');
        const project = await context.project();
        const meta: HandoffMeta = { host: hostname(), agent: MCP_AGENT };
        if (input.global !== true) meta.project = project.root;
        if (project.branch) meta.branch = project.branch;
        const session = input.session_id ?? extra.sessionId;
        if (session) meta.sessionId = session;
        const client = context.client()?.name;
        if (client) meta.client = client;
        if (input.tags?.length) meta.tags = input.tags;
        const written = await store.write({ slug: input.slug, body: input.body, meta });
        const scope = input.global === true ? 'any project' : project.root;
        return toolResult(`Wrote handoff ${written.name} for ${scope}. The next session there receives it once.`, {
          name: written.name,
          project: input.global === true ? null : project.root,
          created_at: written.createdAt.toISOString(),
        });
      }),
  );

  server.registerTool(
    'claim_handoffs',
    {
      title: "Receive this project's handoffs",
      description:
        'Receive the handoffs earlier agent sessions left for this project: one merged text, oldest first, the newest in full. Call it once at the ' +
        'start of a session, before you begin work, unless your context already shows handoffs from a session-start hook. They are held for you ' +
        'alone under the returned claim_id. Once you have taken in their context, call acknowledge_handoffs with that claim_id so no later ' +
        'session receives them again; if you cannot use them, call release_handoffs to give them back. Handoffs you never acknowledge go back ' +
        'to pending when this server stops.',
      inputSchema: z.strictObject({
        max_lines: field.count('max_lines', 'Line budget of the merged text; older handoffs are shortened first. Default 200.', 100_000).optional(),
        max_chars: field.count('max_chars', 'Character budget of the merged text. Default: none.', 10_000_000).optional(),
        all_projects: allProjects,
        session_id: sessionId,
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (input, extra) =>
      guarded(async () => {
        const project = input.all_projects === true ? undefined : await context.project();
        const scope = project === undefined ? 'any project' : project.root;
        const claim = await store.claim({
          project: project?.root,
          session: input.session_id ?? extra.sessionId,
          leaseMs: context.leaseMs,
          maxLines: input.max_lines ?? context.maxLines,
          maxChars: input.max_chars,
        });
        if (claim.handoffs.length === 0) {
          return toolResult(`No pending handoffs for ${scope}.`, { claim_id: null, project: project?.root ?? null, handoffs: [], merged: '' });
        }
        const id = await context.claims.add(claim);
        if (id === undefined) throw new Error('the server is shutting down; the handoffs were given back');
        const until = new Date(Date.now() + context.leaseMs).toISOString();
        const names = claim.handoffs.map((handoff) => handoff.name);
        const footer =
          `Claimed ${count(names.length, 'handoff')} for ${scope}, for you alone until ${until}: ${names.join(', ')}. ` +
          `claim_id: ${id}. Once you have taken in their context, call acknowledge_handoffs with claim_id "${id}"; ` +
          `to give them back, call release_handoffs. A handoff shortened above can be read whole with read_handoff.`;
        return toolResult(`${claim.merged}\n\n---\n${footer}`, {
          claim_id: id,
          project: project?.root ?? null,
          lease_expires_at: until,
          handoffs: claim.handoffs.map((handoff) => ({ ...summary(handoff), redelivered: handoff.redelivered })),
          merged: claim.merged,
        });
      }),
  );

  server.registerTool(
    'acknowledge_handoffs',
    {
      title: 'Acknowledge claimed handoffs',
      description:
        'Mark the handoffs of a claim as received, once you have taken in their context: they are consumed, and no later session receives them again.',
      inputSchema: z.strictObject({ claim_id: claimId }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        const result = await context.claims.acknowledge(input.claim_id);
        const consumed = result.handoffs.map((handoff) => handoff.name);
        const lost = result.lost.map((handoff) => handoff.name);
        const failed = result.failed.map((failure) => ({ name: failure.handoff.name, code: failure.code }));
        const parts = [`Acknowledged ${count(consumed.length, 'handoff')}: consumed, no later session receives ${consumed.length === 1 ? 'it' : 'them'}.`];
        if (lost.length > 0) parts.push(`${count(lost.length, 'handoff')} had been taken over by another session after the claim's lease ended: ${lost.join(', ')}.`);
        if (failed.length > 0) {
          parts.push(`${count(failed.length, 'handoff')} could not be marked consumed (${failed.map((failure) => `${failure.name}: ${failure.code}`).join(', ')}); a later session receives them again.`);
        }
        return toolResult(parts.join(' '), { consumed, lost, failed });
      }),
  );

  server.registerTool(
    'release_handoffs',
    {
      title: 'Give claimed handoffs back',
      description:
        'Give back handoffs you claimed but will not use (all of the claim, or those named): they are pending again, and the next session or claim receives them.',
      inputSchema: z.strictObject({
        claim_id: claimId,
        names: field.texts('names', 'Names of handoffs in the claim to give back. Default: all of them.', 1000, MAX_NAME_CHARS).optional(),
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        const held = context.claims.held(input.claim_id);
        const unknown = (input.names ?? []).filter((name) => !held.includes(name));
        const { released, lost, failed } = await context.claims.release(input.claim_id, input.names);
        const parts = [`Released ${count(released.length, 'handoff')}: pending again, for the next session.`];
        if (unknown.length > 0) parts.push(`Not held by claim ${input.claim_id}: ${unknown.join(', ')}.`);
        if (lost.length > 0) parts.push(`Already taken over by another session: ${lost.join(', ')}.`);
        if (failed.length > 0) parts.push(`Could not be released (${failed.map((failure) => `${failure.name}: ${failure.code}`).join(', ')}); they return to pending when the lease ends.`);
        return toolResult(parts.join(' '), { released, not_held: unknown, lost, failed });
      }),
  );

  server.registerTool(
    'list_handoffs',
    {
      title: 'List handoffs',
      description:
        "List this project's handoffs without claiming any: pending ones and those claimed but not yet acknowledged, oldest first; with " +
        'include_consumed, also consumed ones still kept (7 days). Gives the names read_handoff takes. To receive pending handoffs, use claim_handoffs.',
      inputSchema: z.strictObject({
        include_consumed: field.flag('include_consumed', 'true: also list consumed handoffs still kept. Default false.').optional(),
        all_projects: allProjects,
        limit: field.count('limit', 'At most this many, the newest. Default 50.', 1000).optional(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        const project = input.all_projects === true ? undefined : await context.project();
        const refs = await store.list({ consumed: input.include_consumed === true });
        const contents = await Promise.all(refs.map((ref) => store.read(ref.name).catch(() => undefined)));
        const inScope = contents.filter(
          (content): content is HandoffContent =>
            content !== undefined && (project === undefined || typeof content.meta.project !== 'string' || resolve(content.meta.project) === project.root),
        );
        const shown = inScope.slice(-(input.limit ?? 50)).map(summary);
        const scope = project === undefined ? 'any project' : project.root;
        const lines = shown.map((handoff) => `- ${handoff.name} (${handoff.state}${handoff.agent ? `, from ${handoff.agent}` : ''}${handoff.project ? '' : ', any project'})`);
        const text = shown.length === 0 ? `No handoffs for ${scope}.` : `${count(shown.length, 'handoff')} for ${scope}, oldest first:\n${lines.join('\n')}`;
        return toolResult(text, { project: project?.root ?? null, handoffs: shown });
      }),
  );

  server.registerTool(
    'read_handoff',
    {
      title: 'Read one handoff',
      description:
        'Read one handoff in full by its name (from list_handoffs or claim_handoffs), pending, claimed or consumed, without claiming or consuming it.',
      inputSchema: z.strictObject({
        name: field.text('name', 'The handoff\'s name, e.g. "2026-02-27_143022_auth-refactor.md".', MAX_NAME_CHARS),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        const content = await store.read(input.name);
        const about = summary(content);
        const from = [about.agent && `from ${about.agent}`, about.session_id && `session ${about.session_id}`].filter(Boolean).join(', ');
        const header = `${content.name} (${content.state}, written ${about.created_at}${from ? `, ${from}` : ''}${about.project ? `, project ${about.project}` : ''})`;
        return toolResult(`${header}\n\n${content.body}`, { ...about, body: content.body });
      }),
  );
}

/** What the tools say about a handoff, in the tools' snake_case. */
function summary(handoff: HandoffContent): {
  name: string;
  slug: string;
  state: string;
  created_at: string;
  project: string | null;
  agent: string | null;
  session_id: string | null;
  tags: string[];
} {
  const { meta } = handoff;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return {
    name: handoff.name,
    slug: handoff.slug,
    state: handoff.state,
    created_at: handoff.createdAt.toISOString(),
    project: text(meta.project),
    agent: text(meta.agent),
    session_id: text(meta.sessionId),
    tags: Array.isArray(meta.tags) ? meta.tags : [],
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
