// The N-API shim is built by `npm install` and loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNative } from '../src/dataplane/native.js';

test('native shim: errno names', () => {
  const native = loadNative();
  assert.equal(native.errnoName(2), 'ENOENT');
  assert.equal(native.errnoName(1), 'EPERM');
  assert.equal(native.errnoName(99999), 'E99999');
  assert.throws(() => native.errnoName('x' as unknown as number), TypeError);
});
