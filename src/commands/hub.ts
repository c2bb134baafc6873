import { UserError } from '../errors.js';
import { defaultDatabase } from '../hub/location.js';
import { openStore } from '../hub/open.js';
import { startHub } from '../hub/serve.js';

export async function hubServe(options: { host: string; port: string; db?: string }, write: (text: string) => void): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a number from 0 to 65535, not '${options.port}'`);
  const store = await openStore(options.db ?? defaultDatabase());
  const hub = await startHub(store, { host: options.host, port, log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`) });
  write(`custodian-hooks hub listening on ${hub.url} (store: ${store.location})\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`${signal}: finishing in-flight requests and stopping\n`);
      hub.close().then(resolve, (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export async function tokenCreate(name: string, options: { db?: string }, write: (text: string) => void): Promise<void> {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new UserError(`a token name uses letters, digits, ".", "_" and "-": '${name}'`);
  const store = await openStore(options.db ?? defaultDatabase());
  try {
    const token = await store.createToken(name).catch((error: Error) => {
      throw new UserError(error.message);
    });
    write(`${token}\n`);
    process.stderr.write(`token for '${name}' created in ${store.location}; it is shown only this once — set it as CUSTODIAN_HUB_TOKEN\n`);
  } finally {
    await store.close();
  }
}
