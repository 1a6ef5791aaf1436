import crypto from 'node:crypto';
import { ROLES, type Role } from '@outpost/model';
import { AccountStore } from './accounts/AccountStore.ts';
import { MIN_PASSWORD_LENGTH } from './accounts/passwords.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { openSql } from './store/open.ts';

const USAGE = `Outpost admin commands (run from the repository root; DATA_DIR as for the server):

  pnpm admin token create <username> [token name]   create an API token (shown once)
  pnpm admin user add <username> <role> [display name] [--grids g1,g2]
                                                    add a user to the first workspace (all grids
                                                    unless --grids); the password comes from
                                                    OUTPOST_NEW_PASSWORD or is generated and
                                                    shown once
  pnpm admin user disable <username>                disable an account (open sockets close
                                                    within 15 s; the web admin page does it at once)
  pnpm admin user password <username>               set a new password (same rule)
  pnpm admin users                                  list users

Roles: ${ROLES.join(', ')}. A running server picks up these changes within 15 s
(OUTPOST_ACCOUNT_SWEEP_MS): new people appear in the workspace directory and assignee lists.
`;

async function main(args: string[]): Promise<number> {
  const config = loadConfig();
  const sql = await openSql(config, createLogger('warn'));
  const accounts = new AccountStore(sql, config.sessionTtlMs);
  try {
    const [group, action, ...rest] = args;
    if (group === 'token' && action === 'create' && rest[0]) {
      const user = await accounts.userByName(rest[0]);
      if (!user) return fail(`no user named ${rest[0]}`);
      const { token } = await accounts.createToken(user.id, rest.slice(1).join(' ') || 'cli');
      process.stdout.write(`${token}\n`);
      return 0;
    }
    if (group === 'user' && action === 'disable' && rest[0]) {
      const user = await accounts.userByName(rest[0]);
      if (!user) return fail(`no user named ${rest[0]}`);
      await accounts.updateUser(user.id, { disabled: true });
      process.stdout.write(`disabled ${user.username}\n`);
      return 0;
    }
    if (group === 'user' && action === 'add' && rest[0] && rest[1]) {
      const gridsAt = rest.indexOf('--grids');
      const grids = gridsAt === -1 ? null : (rest[gridsAt + 1] ?? '').split(',').filter(Boolean);
      if (gridsAt !== -1) rest.splice(gridsAt, 2);
      if (grids && !grids.every((g) => /^[A-Za-z0-9_-]{1,64}$/.test(g)))
        return fail('--grids: ids separated by commas');
      const [username, role, ...name] = rest as [string, string, ...string[]];
      if (!(ROLES as readonly string[]).includes(role))
        return fail(`role must be one of ${ROLES.join(', ')}`);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(username))
        return fail('username: 1-64 letters, digits, _ . -');
      if (await accounts.userByName(username)) return fail(`user ${username} exists`);
      const workspace = (await accounts.workspaces())[0];
      if (!workspace)
        return fail('no workspace yet: start the server once (OUTPOST_DEMO=1 seeds one)');
      const password = newPassword();
      if (!password)
        return fail(`OUTPOST_NEW_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters`);
      await accounts.createUser({
        username,
        role: role as Role,
        displayName: name.join(' ') || username,
        workspaceId: workspace.id,
        grids,
        password: password.value,
      });
      process.stdout.write(
        password.generated
          ? `created ${username}; password: ${password.value}\n`
          : `created ${username}\n`,
      );
      return 0;
    }
    if (group === 'user' && action === 'password' && rest[0]) {
      const user = await accounts.userByName(rest[0]);
      if (!user) return fail(`no user named ${rest[0]}`);
      const password = newPassword();
      if (!password)
        return fail(`OUTPOST_NEW_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters`);
      await accounts.setPassword(user.id, password.value);
      process.stdout.write(
        password.generated ? `new password: ${password.value}\n` : 'password set\n',
      );
      return 0;
    }
    if (group === 'users') {
      for (const workspace of await accounts.workspaces()) {
        for (const user of await accounts.users(workspace.id)) {
          process.stdout.write(
            `${workspace.id}\t${user.username}\t${user.role}\t${user.displayName}${user.disabled ? '\t(disabled)' : ''}\n`,
          );
        }
      }
      return 0;
    }
    process.stderr.write(USAGE);
    return 2;
  } finally {
    await sql.close();
  }
}

function newPassword(): { value: string; generated: boolean } | null {
  const given = process.env.OUTPOST_NEW_PASSWORD;
  if (given !== undefined)
    return given.length >= MIN_PASSWORD_LENGTH ? { value: given, generated: false } : null;
  return { value: crypto.randomBytes(12).toString('base64url'), generated: true };
}

function fail(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
