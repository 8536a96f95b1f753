import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ACCOUNT_COMMENT, ensureStudentAccount, generatePassword, lookupAccount, numberedStudents, parseRoster, readPasswordsFile,
  removeStudentAccount, writePasswordsFile,
} from '../../src/classroom/accounts';

test('parseRoster reads one name per line, skipping blanks and # comments', () => {
  assert.deepEqual(parseRoster('# class 3B\nli_wei\n\n  zhang-min  \r\nchen01\n'), ['li_wei', 'zhang-min', 'chen01']);
});

test('parseRoster names the file, line and name it cannot use', () => {
  assert.throws(() => parseRoster('li_wei\nZhang Min\n', 'class3b.txt'), {
    name: 'ClassroomError',
    message: /^parseRoster\(\): class3b\.txt line 2: 'Zhang Min' is not a Linux user name/,
  });
  assert.throws(() => parseRoster('a1\nb2\na1\n', 'r.txt'), { message: /^parseRoster\(\): r\.txt line 3: 'a1' is listed twice/ });
  assert.throws(() => parseRoster('# nobody yet\n', 'r.txt'), { message: /^parseRoster\(\): r\.txt lists no student/ });
});

test('numberedStudents pads to two digits (three from 100 students on)', () => {
  assert.deepEqual(numberedStudents(3), ['student01', 'student02', 'student03']);
  assert.equal(numberedStudents(120, 'tl')[119], 'tl120');
  assert.throws(() => numberedStudents(0), { message: /^numberedStudents\(\): --students must be a whole number from 1 to 999, received 0\./ });
  assert.throws(() => numberedStudents(2, 'Class'), { message: /prefix 'Class' gives 'Class01', which is not a Linux user name/ });
});

test('generatePassword draws 12 unambiguous characters, different each time', () => {
  const a = generatePassword();
  assert.match(a, /^[a-km-zA-HJ-NP-Z2-9]{12}$/);
  assert.notEqual(a, generatePassword());
});

test('the passwords file is root-only (0600) and keeps earlier passwords when extended', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'test-passwords-'));
  try {
    const file = path.join(dir, 'passwords.txt');
    writePasswordsFile(file, [{ name: 's01', password: 'aaaa' }]);
    writePasswordsFile(file, [{ name: 's02', password: 'bbbb' }]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual([...readPasswordsFile(file)], [['s01', 'aaaa'], ['s02', 'bbbb']]);
    assert.match(readFileSync(file, 'utf8'), /^# transfer-lab classroom/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const root = process.getuid?.() === 0;

test('a real student account: private home, a password PAM can check, removed with its home', { skip: !root && 'needs root (useradd)' }, () => {
  const name = 'tlunit01';
  if (lookupAccount(name)) removeStudentAccount(name);
  try {
    const made = ensureStudentAccount(name);
    assert.equal(made.created, true);
    assert.match(made.password!, /^[a-km-zA-HJ-NP-Z2-9]{12}$/);
    assert.equal(statSync(made.home).mode & 0o777, 0o700);
    assert.equal(lookupAccount(name)!.comment, ACCOUNT_COMMENT);
    const shadow = readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))!;
    assert.match(shadow.split(':')[1], /^\$/); // a real password hash, not locked ('!')
    // Running setup again keeps the account and its password.
    const again = ensureStudentAccount(name);
    assert.equal(again.created, false);
    assert.equal(again.password, undefined);
    assert.equal(readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`)), shadow);
    assert.equal(removeStudentAccount(name), true);
    assert.equal(lookupAccount(name), undefined);
    assert.throws(() => statSync(made.home), { code: 'ENOENT' });
  } finally {
    if (lookupAccount(name)) removeStudentAccount(name);
  }
});

test('removeStudentAccount never removes an account classroom setup did not create', { skip: !root && 'needs root (useradd)' }, () => {
  const name = 'tlunit02';
  spawnSync('useradd', ['--no-create-home', '--comment', 'someone else', name]);
  try {
    assert.throws(() => removeStudentAccount(name), {
      name: 'ClassroomError',
      message: /^removeStudentAccount\(\): 'tlunit02' was not created by classroom setup \(comment 'someone else'\)/,
    });
    assert.ok(lookupAccount(name));
  } finally {
    spawnSync('userdel', [name]);
  }
  assert.throws(() => ensureStudentAccount('root'), { message: /^ensureStudentAccount\(\): 'root' is a system account \(uid 0\)/ });
});

test('writePasswordsFile tightens a file that existed with looser permissions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'test-passwords-'));
  try {
    const file = path.join(dir, 'p.txt');
    writeFileSync(file, 'old pw\n', { mode: 0o644 });
    writePasswordsFile(file, []);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual([...readPasswordsFile(file)], [['old', 'pw']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
