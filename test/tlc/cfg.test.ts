// The cfg reader and rewriter used by check (which invariants a model checks) and review (derived models).
import { describe, it, expect } from 'vitest';
import { cfgInvariants, cfgShape, cfgVariantBinding, parseCfg, rewriteCfg, stripCfgComments } from '../../src/tlc/cfg.js';

const CFG = `\\* A model (comment with INVARIANT inside)
CONSTANTS
    PS <- MCPageSize
    Variant <- VariantV66   \\* the final design
    Name = "a \\* b"
(* block
   INVARIANT Hidden *)
SPECIFICATION Spec
INVARIANTS
    TypeOK
    NoStallInv
VIEW View
INVARIANT Extra
`;

describe('cfg', () => {
  it('strips line and block comments but not text inside strings', () => {
    const s = stripCfgComments(CFG);
    expect(s).not.toContain('Hidden');
    expect(s).not.toContain('final design');
    expect(s).toContain('"a \\* b"');
  });

  it('lists every invariant of every INVARIANT(S) section, in order', () => {
    expect(cfgInvariants(parseCfg(CFG))).toEqual(['TypeOK', 'NoStallInv', 'Extra']);
    expect(cfgInvariants(parseCfg('INIT Init NEXT Next INVARIANT A B'))).toEqual(['A', 'B']);
    expect(cfgInvariants(parseCfg('INIT Init NEXT Next'))).toEqual([]);
  });

  it('reads the Variant binding, by operator or by string', () => {
    expect(cfgVariantBinding(parseCfg(CFG))).toBe('VariantV66');
    expect(cfgVariantBinding(parseCfg('CONSTANT Variant = "v6.5" INIT Init'))).toBe('"v6.5"');
    expect(cfgVariantBinding(parseCfg('INIT Init'))).toBeUndefined();
  });

  it('rewrites Variant and the invariant list and keeps every other section', () => {
    const out = rewriteCfg(parseCfg(CFG), 'bug-clobber-maxsize', ['TypeOK', 'RevertRestoresInv']);
    const again = parseCfg(out);
    expect(cfgVariantBinding(again)).toBe('"bug-clobber-maxsize"');
    expect(cfgInvariants(again)).toEqual(['TypeOK', 'RevertRestoresInv']);
    expect(out).toContain('PS <- MCPageSize');
    expect(out).toContain('SPECIFICATION\n    Spec');
    expect(out).toContain('VIEW\n    View');
  });

  it('gives two cfgs the same shape iff they differ only in Variant and invariants', () => {
    const a = parseCfg(CFG);
    const b = parseCfg(rewriteCfg(a, 'x', ['TypeOK']));
    expect(cfgShape(a)).toBe(cfgShape(b));
    expect(cfgShape(parseCfg(CFG.replace('MCPageSize', 'OtherSize')))).not.toBe(cfgShape(a));
  });
});
