import os from 'node:os';

/** Who is acting, as history and run records name it: `user@host`. */
export function machineName(): string {
  return `${os.userInfo().username}@${os.hostname()}`;
}
