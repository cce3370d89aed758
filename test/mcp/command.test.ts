import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from './stdio-client.js';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('handoffs mcp: the command line', () => {
  it('is listed in the global help, and mcp --help names every tool and the SDK it needs', async () => {
    expect((await run(['--help'])).stdout).toMatch(/\n {2}mcp +MCP server on stdio/);
    const help = await run(['mcp', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: handoffs mcp [--dir DIR] [--memory-dir DIR] [--project DIR] [--lease-ms N]');
    for (const tool of ['write_handoff', 'claim_handoffs', 'acknowledge_handoffs', 'release_handoffs', 'list_handoffs', 'read_handoff', 'search_memory', 'read_memory', 'add_memory']) {
      expect(help.stdout).toContain(tool);
    }
    expect(help.stdout).toContain('npm install -g handoffs @modelcontextprotocol/sdk@~1.32.2');
  });

  it('refuses a bad --lease-ms or an unknown option as a usage error (exit 2), before starting a server', async () => {
    for (const args of [['mcp', '--lease-ms', 'soon'], ['mcp', '--lease-ms', '0'], ['mcp', '--port', '80'], ['mcp', 'extra']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^handoffs: .+\nRun 'handoffs mcp --help' for usage\.\n$/);
    }
  });
});
