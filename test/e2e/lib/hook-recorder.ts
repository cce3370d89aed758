import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote } from './handoffs-cli.js';

/**
 * A hook that only records: for each event named, a command hook is added to
 * `<home>/.claude/settings.json` (after whatever is there, `handoffs init`'s hooks included) that
 * appends its stdin, one JSON object a line, to `<home>/hook-inputs.jsonl`, all events in the order
 * they ran. It prints nothing, so it changes nothing the model sees.
 */
export async function addRecordingHooks(home: string, events: readonly string[]): Promise<void> {
  const settingsPath = join(home, '.claude', 'settings.json');
  const settings = existsSync(settingsPath) ? (JSON.parse(await readFile(settingsPath, 'utf8')) as Record<string, unknown>) : {};
  const hooks = (settings.hooks ?? {}) as Record<string, unknown[]>;
  const file = join(home, 'hook-inputs.jsonl');
  for (const event of events) {
    // Node, not `cat`, so the line ends with exactly one newline whatever the client sends.
    const script = `const fs=require('fs');fs.appendFileSync(process.argv[1],fs.readFileSync(0,'utf8').trim()+'\\n')`;
    const command = `${shellQuote(process.execPath)} -e ${shellQuote(script)} ${shellQuote(file)}`;
    hooks[event] = [...(hooks[event] ?? []), { hooks: [{ type: 'command', command, timeout: 30 }] }];
  }
  await mkdir(join(home, '.claude'), { recursive: true });
  await writeFile(settingsPath, `${JSON.stringify({ ...settings, hooks }, null, 2)}\n`);
}

/** Every stdin the recording hooks received, in the order they ran; only `event`'s when given. */
export async function recordedHookInputs(home: string, event?: string): Promise<Array<Record<string, unknown>>> {
  const file = join(home, 'hook-inputs.jsonl');
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((input) => event === undefined || input.hook_event_name === event);
}

/** Forgets what the recording hooks received so far. */
export async function clearRecordedHookInputs(home: string): Promise<void> {
  await writeFile(join(home, 'hook-inputs.jsonl'), '');
}
