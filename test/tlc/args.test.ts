// The TLC argv builder: the exact command line both runners use, and refusal of malformed sizes and names.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FULL_JIT_SECONDS, javaTlcArgs, jitFor, jvmArgs, tlcArgs, validateHeap, validateWorkers, TLC_MAIN_CLASS } from '../../src/tlc/args.js';

describe('tlcArgs', () => {
  it('builds -tool -workers N -lncheck final -config CFG -metadir DIR MODULE in that order', () => {
    const r = tlcArgs({ module: 'MCPipeline.tla', cfg: 'MCPipelineBroken.cfg', workers: 1, metadir: '/tmp/m' });
    expect(r).toEqual({ ok: true, value: ['-tool', '-workers', '1', '-lncheck', 'final', '-config', 'MCPipelineBroken.cfg', '-metadir', '/tmp/m', 'MCPipeline.tla'] });
  });

  it('checks temporal properties once, at the end, when model checking; a simulation goes without -lncheck', () => {
    const sim = tlcArgs({ module: 'M.tla', cfg: 'M.cfg', workers: 1, metadir: '/m', extraArgs: ['-simulate', 'num=5', '-depth', '3'] });
    expect(sim).toEqual({ ok: true, value: ['-tool', '-workers', '1', '-config', 'M.cfg', '-metadir', '/m', '-simulate', 'num=5', '-depth', '3', 'M.tla'] });
  });

  it('refuses a worker count that is not a positive integer', () => {
    for (const w of [0, -1, 1.5, Number.NaN, 5000]) {
      const r = tlcArgs({ module: 'M.tla', cfg: 'M.cfg', workers: w, metadir: '/tmp/m' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.kind).toBe('bad-workers');
    }
  });

  it('refuses module or cfg names that TLC would read as options', () => {
    expect(tlcArgs({ module: '-deadlock', cfg: 'M.cfg', workers: 1, metadir: '/m' }).ok).toBe(false);
    expect(tlcArgs({ module: 'M.tla', cfg: '', workers: 1, metadir: '/m' }).ok).toBe(false);
  });
});

describe('javaTlcArgs', () => {
  it('puts the JVM options and -cp JAR tlc2.TLC before TLC arguments', () => {
    const r = javaTlcArgs({ jar: '/j/t.jar', heap: '1g', tmpdir: '/s/tmp', module: 'MCA.tla', cfg: 'MCA.cfg', workers: 2, metadir: '/s/meta' });
    expect(r).toEqual({
      ok: true,
      value: [
        '-Xmx1g', '-XX:+UseParallelGC', '-XX:TieredStopAtLevel=1', '-Djava.io.tmpdir=/s/tmp', '-cp', '/j/t.jar', TLC_MAIN_CLASS,
        '-tool', '-workers', '2', '-lncheck', 'final', '-config', 'MCA.cfg', '-metadir', '/s/meta', 'MCA.tla',
      ],
    });
  });

  it('keeps paths with spaces and shell metacharacters as single argv elements', () => {
    const jar = '/a b/$(rm -rf x);.jar';
    const r = javaTlcArgs({ jar, heap: '512m', module: 'M.tla', cfg: 'M.cfg', workers: 1, metadir: '/m d' });
    expect(r.ok && r.value.includes(jar) && r.value.includes('/m d')).toBe(true);
  });

  it('passes system properties as -Dname=value after the JVM options, and refuses a malformed one', () => {
    const r = jvmArgs({ heap: '256m', properties: { 'tlc2.TLCGlobals.chkpt': '1000' } });
    expect(r.ok && r.value.at(-1)).toBe('-Dtlc2.TLCGlobals.chkpt=1000');
    expect(jvmArgs({ heap: '256m', properties: { '-Xss1g x': '1' } }).ok).toBe(false);
    expect(jvmArgs({ heap: '256m', properties: { 'a.b': '' } }).ok).toBe(false);
  });

  it('omits java.io.tmpdir when none is given', () => {
    expect(jvmArgs({ heap: '256m' })).toEqual({ ok: true, value: ['-Xmx256m', '-XX:+UseParallelGC', '-XX:TieredStopAtLevel=1'] });
    expect(jvmArgs({ heap: '256m', jit: 'full' })).toEqual({ ok: true, value: ['-Xmx256m', '-XX:+UseParallelGC'] });
  });
});

describe('jitFor', () => {
  it('keeps the quick compiler for short runs and the optimising tier for long ones', () => {
    expect(jitFor({})).toBe('quick');
    expect(jitFor({ seconds: FULL_JIT_SECONDS - 0.1 })).toBe('quick');
    expect(jitFor({ seconds: FULL_JIT_SECONDS })).toBe('full');
    expect(jitFor({ long: true })).toBe('full');
  });
});

describe('heap and workers validation', () => {
  it('accepts JVM sizes and refuses anything else', () => {
    for (const h of ['1g', '512m', '2G', '1048576', '64k']) expect(validateHeap(h).ok).toBe(true);
    for (const h of ['', '1gb', '-1g', '0g', '1 g', '1g -Dx=y', 'lots']) expect(validateHeap(h).ok).toBe(false);
  });

  it('law: every accepted heap yields exactly one -Xmx argument equal to -Xmx<heap>', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (h) => {
        const r = jvmArgs({ heap: h });
        if (!r.ok) return true;
        return r.value.filter((a) => a.startsWith('-Xmx')).length === 1 && r.value[0] === `-Xmx${h}`;
      }),
    );
  });

  it('accepts 1..1024 workers', () => {
    expect(validateWorkers(1).ok).toBe(true);
    expect(validateWorkers(1024).ok).toBe(true);
    expect(validateWorkers(1025).ok).toBe(false);
  });
});
