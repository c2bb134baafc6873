import { chmod, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';

/** A hook git ran: its name, arguments and standard input, in the clone it ran in. */
export interface HookCall {
  hook: string;
  args: string[];
  stdin: string;
}

/**
 * Real git hooks that call back into the simulation: git runs them at the moment it would run the
 * product's (post-rewrite while a rebase's autostash still waits, for one), and waits while the
 * world plays the hook's part in-process, so the reference model sees what it did.
 */
export class HookRelay {
  private server: Server | null = null;
  private handler: ((call: HookCall) => Promise<void>) | null = null;
  private failure: unknown = null;
  private readonly socket: string;
  private readonly script: string;

  constructor(root: string) {
    this.socket = path.join(root, 'hooks.sock');
    this.script = path.join(root, 'hook-relay.cjs');
  }

  /** Installs `hooks` in the clone at `dir`, runs `action` with `handler` answering them, and takes them out again. */
  async around(dir: string, hooks: readonly string[], handler: (call: HookCall) => Promise<void>, action: () => Promise<void>): Promise<void> {
    await this.start();
    const installed = hooks.map((h) => path.join(dir, '.git', 'hooks', h));
    for (const file of installed) {
      await writeFile(file, `#!/bin/sh\nexec "${process.execPath}" "${this.script}" "${this.socket}" "\${0##*/}" "$@"\n`);
      await chmod(file, 0o755);
    }
    this.handler = handler;
    this.failure = null;
    try {
      await action();
    } finally {
      this.handler = null;
      for (const file of installed) await rm(file, { force: true });
    }
    // An invariant that failed inside a hook fails the step, not git.
    if (this.failure) throw this.failure;
  }

  private async start(): Promise<void> {
    if (this.server) return;
    await writeFile(
      this.script,
      `const net = require('node:net');
const fs = require('node:fs');
const [, , socket, hook, ...args] = process.argv;
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
const s = net.connect(socket, () => s.end(JSON.stringify({ hook, args, stdin })));
s.on('data', () => {});
s.on('close', () => process.exit(0));
s.on('error', () => process.exit(0));
`,
    );
    const server = createServer({ allowHalfOpen: true }, (conn) => {
      let text = '';
      conn.on('data', (chunk) => {
        text += chunk;
      });
      conn.on('end', () => {
        const handler = this.handler;
        const done = handler ? handler(JSON.parse(text) as HookCall) : Promise.resolve();
        done
          .catch((error: unknown) => {
            this.failure ??= error;
          })
          .finally(() => conn.end());
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socket, resolve);
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
