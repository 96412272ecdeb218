import type { UseJudgement } from '@ipcutils/core';
import { describe, expect, it } from 'vitest';
import { describeDoubt, describeVerdict } from '../src/verdicts.js';

const judged = (reason: UseJudgement['reason']): UseJudgement => ({
  verdict: 'undetermined',
  reason,
  evidence: { idleSeconds: 0 },
});

describe('the words for a judgement', () => {
  it('a recorded pid that cannot be looked up names both causes: hidepid and another pid namespace', () => {
    // ProcessTable answers 'unknown' for both: /proc mounted with hidepid, and a /proc of another pid namespace.
    expect(describeDoubt(judged('pid-unknown'))).toBe(
      'a pid it recorded cannot be looked up (hidepid, or another pid namespace)',
    );
    expect(describeVerdict(judged('processes-hidden'))).toBe(
      "undetermined: /proc hides processes (hidepid, or another pid namespace's /proc)",
    );
  });
});
