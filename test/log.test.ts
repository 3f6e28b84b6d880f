// The logger censors secret fields by name wherever they nest, without changing the caller's object.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, scrub } from '../src/log.js';

function capture(fn: (log: ReturnType<typeof createLogger>) => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace', destination: { write: (s: string) => void lines.push(s) } });
  fn(log);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('log redaction', () => {
  it('censors secret fields at the top, nested and in arrays', () => {
    const [line] = capture((log) => log.info({
      event: 'x', psk: 'hunter2', child: { spi: 1, keymat: 'aa', inner: { secret: 's', keep: 1 } },
      sas: [{ key: 'k1' }, { spi: 2 }], skeyid: Uint8Array.of(1, 2),
    }, 'm'));
    assert.equal(line.psk, '[redacted]');
    assert.equal(line.skeyid, '[redacted]');
    assert.deepEqual(line.child, { spi: 1, keymat: '[redacted]', inner: { secret: '[redacted]', keep: 1 } });
    assert.deepEqual(line.sas, [{ key: '[redacted]' }, { spi: 2 }]);
    assert.equal(line.event, 'x');
  });

  it('censors child-logger bindings too', () => {
    const lines = capture((log) => {
      const child = log.child({ password: 'p', conn: 'c' });
      child.info({ event: 'y' }, 'm');
      child.child({ psk: 'q' }).info({ event: 'z' }, 'm');
    });
    assert.equal(lines[0].password, '[redacted]');
    assert.equal(lines[0].conn, 'c');
    assert.equal(lines[1].psk, '[redacted]');
    assert.equal(lines[1].password, '[redacted]');
  });

  it('leaves the caller’s object alone; byte arrays appear only as their length', () => {
    const o = { a: 1, nested: { key: 'k' }, spi: Uint8Array.of(1, 2, 3) };
    const clean = scrub(o) as { nested: { key: string }; spi: string };
    assert.equal(o.nested.key, 'k');
    assert.equal(clean.nested.key, '[redacted]');
    assert.equal(clean.spi, '[3 bytes]');
  });
});
