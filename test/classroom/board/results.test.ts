import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoardError } from '../../../src/classroom/board/errors';
import { parseResultInput } from '../../../src/classroom/board/results';
import { boardServiceConfig } from '../../../src/classroom/board/service';
import { parseBoardArgs } from '../../../src/classroom/board/main';

const good = { dataset: 'ants/bees', strategy: 'fine-tuning', valAccuracy: 0.935, seconds: 48.2, backend: 'wasm' };

test('a well-formed body becomes a result input; the own name in "student" is accepted', () => {
  assert.deepEqual(parseResultInput(good, 'amy'), good);
  assert.deepEqual(parseResultInput({ ...good, student: 'amy', dataset: ' 花卉12 ' }, 'amy'), { ...good, dataset: '花卉12' });
});

test('a body naming another student is refused with 403 and both names', () => {
  assert.throws(() => parseResultInput({ ...good, student: 'ben' }, 'amy'), (e: unknown) => {
    assert.ok(e instanceof BoardError);
    assert.equal(e.status, 403);
    assert.match(e.message, /signed in to the hub as "amy"; a result can only be posted as yourself, but the body names student "ben"/);
    return true;
  });
});

test('malformed bodies are refused with 400 and the value received', () => {
  const cases: [unknown, RegExp][] = [
    [[1, 2], /the body must be a JSON object .*got \[1,2\]/],
    [{ ...good, valAccuracy: 93.5 }, /"valAccuracy" must be a fraction between 0 and 1 \(0\.93 for 93%\); got 93\.5/],
    [{ ...good, valAccuracy: 'high' }, /"valAccuracy" must be a fraction .*got "high"/],
    [{ ...good, seconds: -1 }, /"seconds" must be a number >= 0; got -1/],
    [{ ...good, dataset: '' }, /"dataset" must be a non-empty string of at most 80 characters; got ""/],
    [{ ...good, backend: undefined }, /"backend" must be a non-empty string of at most 40 characters; got nothing/],
    [{ ...good, accuracy: 0.9 }, /unknown field\(s\) "accuracy"; a result has dataset, strategy, valAccuracy, seconds and backend/],
  ];
  for (const [body, message] of cases) {
    assert.throws(() => parseResultInput(body, 'amy'), (e: unknown) => e instanceof BoardError && e.status === 400 && message.test(e.message));
  }
});

test('boardServiceConfig: a hub-managed service at 127.0.0.1 and the roles that let users and their servers reach it', () => {
  const { services, roles } = boardServiceConfig({ installDir: '/opt/transfer-lab/', dataDir: '/var/lib/tl/board', port: 28100 });
  assert.deepEqual(services, [{
    name: 'results-board',
    url: 'http://127.0.0.1:28100',
    command: ['node', '/opt/transfer-lab/dist/classroom/board/main.js', '--data', '/var/lib/tl/board', '--port', '28100'],
    oauth_no_confirm: true,
    display: true,
    info: { description: 'Class results board: every notebook 05 result, live, for the projector.' },
  }]);
  const byName = Object.fromEntries((roles as { name: string; scopes: string[] }[]).map((r) => [r.name, r.scopes]));
  assert.deepEqual(byName.user, ['self', 'access:services!service=results-board', 'read:services!service=results-board']);
  assert.deepEqual(byName.server, ['users:activity!user', 'access:servers!user',
    'access:services!service=results-board', 'read:services!service=results-board']);
  assert.doesNotThrow(() => JSON.stringify({ services, roles }));
  assert.throws(() => boardServiceConfig({ installDir: '/x', dataDir: '/y', port: 0 }), /boardServiceConfig: port must be 1\.\.65535; got 0/);
});

test('board arguments: --data and --port are required and checked', () => {
  assert.deepEqual(parseBoardArgs(['--data', '/tmp/b', '--port', '28100']), { data: '/tmp/b', port: 28100, ip: '127.0.0.1' });
  assert.throws(() => parseBoardArgs(['--port', '28100']), /results-board: --data DIR is required\. usage:/);
  assert.throws(() => parseBoardArgs(['--data', '/tmp/b', '--port', 'x']), /--port must be a port number 1\.\.65535; got "x"/);
});
