/**
 * Student accounts of a classroom server: names from a roster or numbered, generated passwords,
 * and real Linux accounts (PAM is how students log in to the hub) with private home folders.
 * @see README.md "Classroom server"
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ClassroomError } from '../errors';

/** The GECOS comment of every account setup creates: only such accounts are ever removed. */
export const ACCOUNT_COMMENT = 'transfer-lab classroom';

/** A Linux user name useradd accepts without --badname: lower case, digits, '_' and '-', 1-32 characters. */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * Student names from a roster file's text: one name per line; blank lines and lines starting
 * with '#' are skipped. Every name must be a valid Linux user name, and appear once.
 * @throws ClassroomError naming the file, the line and the bad name.
 */
export function parseRoster(text: string, file = 'roster'): string[] {
  const names: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const name = raw.trim();
    if (name === '' || name.startsWith('#')) return;
    if (!USER_NAME.test(name)) {
      throw new ClassroomError(
        `parseRoster(): ${file} line ${i + 1}: '${name}' is not a Linux user name (lower-case letters, digits, '_' or '-', starting with a letter, at most 32). Rename it in the roster.`,
      );
    }
    if (names.includes(name)) throw new ClassroomError(`parseRoster(): ${file} line ${i + 1}: '${name}' is listed twice. Remove one of them.`);
    names.push(name);
  });
  if (names.length === 0) throw new ClassroomError(`parseRoster(): ${file} lists no student (one name per line). Add the names, or use --students N.`);
  return names;
}

/** `count` numbered names: prefix01..prefixNN (at least two digits), e.g. student01..student40. */
export function numberedStudents(count: number, prefix = 'student'): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 999) {
    throw new ClassroomError(`numberedStudents(): --students must be a whole number from 1 to 999, received ${JSON.stringify(count)}.`);
  }
  const width = Math.max(2, String(count).length);
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
  for (const name of names) {
    if (!USER_NAME.test(name)) throw new ClassroomError(`numberedStudents(): prefix '${prefix}' gives '${name}', which is not a Linux user name. Use lower-case letters and digits.`);
  }
  return names;
}

/** Letters and digits that cannot be mistaken for one another when read off a printed sheet (no 0/O, 1/l/I). */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password of `length` characters (default 12, about 69 bits) from PASSWORD_ALPHABET. */
export function generatePassword(length = 12): string {
  return Array.from({ length }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
}

function run(cmd: string, args: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim() };
}

/** A local account as getent sees it, or undefined when there is none. */
export function lookupAccount(name: string): { uid: number; gid: number; comment: string; home: string } | undefined {
  const r = run('getent', ['passwd', name]);
  if (!r.ok) return undefined;
  const [, , uid, gid, comment, home] = r.out.split('\n')[0].split(':');
  return { uid: Number(uid), gid: Number(gid), comment, home };
}

/** What {@link ensureStudentAccount} did. */
export interface AccountResult {
  name: string;
  /** False when the account existed already (then its password was left alone). */
  created: boolean;
  /** The new password, when the account was created. */
  password?: string;
  home: string;
}

/**
 * Creates a student's Linux account (home folder mode 0700, so no other student can read it) with
 * a generated password, unless an account of that name exists: then only the home mode is fixed.
 * @throws ClassroomError when the name belongs to a system account (uid < 1000) or useradd/chpasswd fail.
 */
export function ensureStudentAccount(name: string): AccountResult {
  const existing = lookupAccount(name);
  if (existing) {
    if (existing.uid < 1000) {
      throw new ClassroomError(`ensureStudentAccount(): '${name}' is a system account (uid ${existing.uid}); a student cannot be one. Rename the student in the roster.`);
    }
    if (existsSync(existing.home)) chmodSync(existing.home, 0o700);
    return { name, created: false, home: existing.home };
  }
  const add = run('useradd', ['--create-home', '--shell', '/bin/bash', '--user-group', '--comment', ACCOUNT_COMMENT, name]);
  if (!add.ok) throw new ClassroomError(`ensureStudentAccount(): useradd ${name} failed: ${add.out}`);
  const password = generatePassword();
  const set = run('chpasswd', [], `${name}:${password}\n`);
  if (!set.ok) throw new ClassroomError(`ensureStudentAccount(): chpasswd for ${name} failed: ${set.out}`);
  const account = lookupAccount(name)!;
  chmodSync(account.home, 0o700);
  return { name, created: true, password, home: account.home };
}

/**
 * Removes an account that setup created (comment ACCOUNT_COMMENT) with its home folder. Accounts
 * made otherwise are never touched. Returns false when there was nothing to remove.
 * @throws ClassroomError when the account was not made by setup, or userdel fails (e.g. the user still runs processes).
 */
export function removeStudentAccount(name: string): boolean {
  const account = lookupAccount(name);
  if (!account) return false;
  if (account.comment !== ACCOUNT_COMMENT) {
    throw new ClassroomError(`removeStudentAccount(): '${name}' was not created by classroom setup (comment '${account.comment}'); remove it by hand if you mean it.`);
  }
  const del = run('userdel', ['--remove', name]);
  // userdel exits 12 when only the mail spool was missing: the account and home are gone.
  if (!del.ok && lookupAccount(name)) throw new ClassroomError(`removeStudentAccount(): userdel ${name} failed: ${del.out}`);
  return true;
}

/**
 * Writes (or extends) the passwords file, readable by root only (0600): `name password` per line.
 * Passwords of accounts created earlier are kept; new ones are added.
 */
export function writePasswordsFile(file: string, created: { name: string; password: string }[]): void {
  const lines = existsSync(file) ? readPasswordsFile(file) : new Map<string, string>();
  for (const c of created) lines.set(c.name, c.password);
  const text = `# transfer-lab classroom: user password (readable by root only)\n${[...lines].map(([n, p]) => `${n} ${p}`).join('\n')}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync's mode applies only when it creates the file
}

/** Reads the passwords file back: name -> password. */
export function readPasswordsFile(file: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [name, password] = line.trim().split(/\s+/);
    if (name && password && !name.startsWith('#')) map.set(name, password);
  }
  return map;
}
