/** A bastion as OpenSSH's ProxyJump writes it. */
export interface JumpHost {
  host: string;
  port: number;
  user: string;
}

/**
 * `ssh.jump`: `user@host:port`, user and port optional (igor's SSH user and 22 then).
 *
 * @example
 * parseJump('deploy@bastion.example.com:2222', 'igor') // { user: 'deploy', host: 'bastion.example.com', port: 2222 }
 */
export function parseJump(text: string, defaultUser: string): JumpHost {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : defaultUser;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(rest);
  const port = match?.[3] ? Number(match[3]) : 22;
  if (!match || !user || port < 1 || port > 65535) throw new Error(`ssh.jump: "${text}" is not a bastion as user@host:port`);
  return { host: match[1] ?? match[2]!, port, user };
}
