/**
 * Taking back the trust records Codex wrote for init's hooks, on `init --uninstall`. Codex keeps
 * them in the user's config.toml as
 *
 *     [hooks.state."<hooks.json path>:<event>:<group>:<handler>"]
 *     trusted_hash = "sha256:…"
 *
 * A record is removed only when its key names one of init's hooks (`isOurKey`) and it holds
 * nothing but `trusted_hash`; a record the user changed (e.g. `enabled = false`) stays. Every
 * other line of the file is kept.
 */
export function withoutTrustRecords(text: string, isOurKey: (key: string) => boolean): string {
  const lines = text.split('\n');
  const header = /^\s*\[\s*hooks\s*\.\s*state\s*\.\s*"((?:[^"\\]|\\.)*)"\s*\]\s*$/;
  const out: string[] = [];
  let removedAny = false;
  for (let i = 0; i < lines.length; ) {
    const match = header.exec(lines[i]!);
    let end = i + 1;
    while (end < lines.length && !/^\s*\[/.test(lines[end]!)) end++;
    const body = lines.slice(i + 1, end).filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    const onlyHash = body.length === 1 && /^\s*trusted_hash\s*=/.test(body[0]!);
    if (match && onlyHash && isOurKey(JSON.parse(`"${match[1]}"`) as string)) {
      removedAny = true;
    } else {
      out.push(...lines.slice(i, end));
    }
    i = end;
  }
  if (!removedAny) return text;
  let result = out.join('\n');
  // `[hooks.state]` alone, with no record under it any more, was Codex's addition too.
  if (!/^\s*\[\s*hooks\s*\.\s*state\s*\./m.test(result)) result = result.replace(/^\s*\[\s*hooks\s*\.\s*state\s*\]\s*\n(\s*\n)*/m, '');
  return result.replace(/\n{2,}$/, '\n');
}

/** Codex's name for an event in trust keys: `SessionStart` → `session_start`. */
export function codexEventLabel(event: string): string {
  return event.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase();
}
