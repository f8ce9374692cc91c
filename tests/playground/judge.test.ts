import { parseVerdict } from '../../src/playground/judge';

describe('parseVerdict', () => {
  it('reads the JSON verdict, also fenced or wrapped in prose', () => {
    expect(parseVerdict('{"pass": true, "reason": "Covers the steps."}')).toEqual({
      pass: true,
      reason: 'Covers the steps.',
    });
    expect(parseVerdict('```json\n{"pass": false,\n "reason": "Asks for\\nthe password."}\n```')).toEqual({
      pass: false,
      reason: 'Asks for the password.',
    });
    expect(parseVerdict('Verdict: {"pass": false, "reason": "No ticket path."} Hope that helps.')).toEqual({
      pass: false,
      reason: 'No ticket path.',
    });
  });

  it.each([
    ['prose only', 'Looks good to me!'],
    ['broken JSON', '{"pass": true, "reason": '],
    ['a string for pass', '{"pass": "yes", "reason": "fine"}'],
    ['no reason', '{"pass": true}'],
    ['nothing', ''],
  ])('finds no verdict in %s', (_what, reply) => {
    expect(parseVerdict(reply)).toBeUndefined();
  });
});
