// The strict reader for claims a caller wants signed: what it accepts means exactly what
// JSON.parse reads (the independent reference here), and whatever JSON.parse would read
// differently from the text, or other libraries would, is refused with a reason.
import { describe, expect, it } from 'vitest';

import { parseStrictJsonObject } from '../../src/backend/core/strict_json';

const parse = (text: string) => parseStrictJsonObject(text, { maxDepth: 8 });
const refusal = (text: string) => {
  const result = parse(text);
  return result.ok ? undefined : result.error;
};

describe('parseStrictJsonObject accepts plain JSON objects, as JSON.parse reads them', () => {
  it.each([
    '{}',
    ' \t\r\n{ } \n',
    '{"a":1}',
    '{"a":-1,"b":0,"c":9007199254740991,"d":-9007199254740991}',
    '{"a":1.5,"b":-0.25,"c":0.1,"d":1e-7,"e":123.456}',
    '{"a":true,"b":false,"c":null}',
    '{"a":"","b":"plain","c":"\\"\\\\\\/\\b\\f\\n\\r\\t","d":"\\u00e9\\u4e2d","e":"é中😀","f":"\\ud83d\\ude00"}',
    '{"a":[],"b":[1,[2,[3]]],"c":{"d":{"e":{}}}}',
    '{"":1,"nested":{"":2}}',
    '{ "spaced" : [ 1 , 2 ] , "x" : { "y" : "z" } }',
    '{"a":"\\u0000\\u001f"}'
  ])('%s', (text) => {
    const result = parse(text);
    expect(result).toEqual({ ok: true, value: JSON.parse(text) });
    // What is signed (JSON.stringify of the value) reads back as the same value.
    if (result.ok) expect(JSON.parse(JSON.stringify(result.value))).toEqual(JSON.parse(text));
  });

  it('keeps every number exactly as written when re-serialised', () => {
    for (const n of ['0', '-1', '42', '1.5', '0.1', '-2.5e-8', '1e-7', '123456789012345', '9007199254740991', '3.141592653589793']) {
      const result = parse(`{"n":${n}}`);
      expect(result.ok && JSON.stringify(result.value)).toBe(`{"n":${n}}`);
    }
  });
});

describe('parseStrictJsonObject refuses what would be signed differently from what was written', () => {
  it.each([
    // duplicate names collapse in JSON.parse (the last one wins; other libraries take the first)
    ['{"a":1,"a":2}', /duplicate member name "a"/],
    ['{"x":{"b":1,"b":1}}', /duplicate member name "b"/],
    ['{"a\\u0062":1,"ab":2}', /duplicate member name "ab"/],
    // numbers outside what every reader agrees on
    ['{"n":1e400}', /1e400 is out of range/],
    ['{"n":-1e400}', /out of range/],
    ['{"n":9007199254740992}', /not a safe integer/],
    ['{"n":9007199254740993}', /not a safe integer/],
    ['{"n":-9007199254740993}', /not a safe integer/],
    ['{"n":9e20}', /not a safe integer/],
    ['{"n":1e21}', /not a safe integer/],
    ['{"n":123456789012345678901234567890}', /not a safe integer/],
    // numbers that would be signed in another spelling
    ['{"n":1.0}', /would be signed as 1/],
    ['{"n":1e2}', /would be signed as 100/],
    ['{"n":1E2}', /would be signed as 100/],
    ['{"n":-0}', /would be signed as 0/],
    ['{"n":0.10}', /would be signed as 0.1/],
    ['{"n":1.5e0}', /would be signed as 1.5/],
    ['{"n":0.30000000000000000001}', /would be signed as 0.3/],
    ['{"n":1e-400}', /would be signed as 0/],
    // lone surrogates, escaped or raw, in values and in names
    ['{"a":"\\ud800"}', /lone surrogate/],
    ['{"a":"\\udc00"}', /lone surrogate/],
    ['{"a":"\\ud800x"}', /lone surrogate/],
    ['{"a":"\\udc00\\ud800"}', /lone surrogate/],
    ['{"a":"x\ud800"}', /lone surrogate/],
    ['{"\\ud800":1}', /member name holds a lone surrogate/],
    ['{"\udfff":1}', /member name holds a lone surrogate/],
    ['{"a":["\\ud83d"]}', /lone surrogate/],
    // top levels other than an object
    ['[]', /must be a JSON object/],
    ['null', /must be a JSON object/],
    ['1', /must be a JSON object/],
    ['"x"', /must be a JSON object/],
    ['true', /must be a JSON object/],
    ['', /must be a JSON object/],
    ['   ', /must be a JSON object/],
    // not JSON at all
    ['{"a":1,}', /expected a member name/],
    ['{"a":1} {}', /unexpected text after the object/],
    ['{"a":1}x', /unexpected text after the object/],
    ["{'a':1}", /expected a member name/],
    ['{a:1}', /expected a member name/],
    ['{"a":01}', /expected ","/],
    ['{"a":+1}', /unexpected "\+"/],
    ['{"a":.5}', /unexpected "\."/],
    ['{"a":1.}', /expected ","/],
    ['{"a":-}', /malformed number/],
    ['{"a":NaN}', /unexpected "N"/],
    ['{"a":Infinity}', /unexpected "I"/],
    ['{"a":"\\x41"}', /malformed escape/],
    ['{"a":"\\u12"}', /malformed \\u escape/],
    ['{"a":"tab\there"}', /unescaped control character/],
    ['{"a":"new\nline"}', /unescaped control character/],
    ['{"a":"open', /unterminated a string/],
    ['{"a":[1,2}', /expected ","/],
    ['{"a":tru}', /unexpected "t"/],
    ['{"a"', /expected ":"/],
    ['{', /expected a member name/],
    ['{"a":1\u00a0}', /expected ","/]
  ])('%j', (text, reason) => {
    expect(refusal(text)).toMatch(reason);
  });

  it('bounds nesting, counting the top-level object as depth 1', () => {
    const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
    expect(parse(nested(8)).ok).toBe(true);
    expect(refusal(nested(9))).toMatch(/nesting deeper than 8 levels/);
    expect(refusal('{"a":' + '['.repeat(100_000))).toMatch(/nesting deeper than 8 levels/);
  });

  it('says where the problem is', () => {
    expect(refusal('{"a":1,"a":2}')).toBe('duplicate member name "a" at offset 7');
  });

  it('defines "__proto__"-like names nowhere: they are refused, and no prototype changes', () => {
    expect(refusal('{"__proto__":{"polluted":1}}')).toMatch(/"__proto__" is not allowed/);
    expect(refusal('{"a":{"constructor":{"prototype":{"polluted":1}}}}')).toMatch(/"constructor" is not allowed/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reads a long string in linear time (runs are sliced, not appended per character)', () => {
    const long = `{"a":"${'x'.repeat(1_000_000)}\\n${'y'.repeat(1_000_000)}"}`;
    const result = parse(long);
    expect(result.ok && (result.value['a'] as string).length).toBe(2_000_001);
  });
});
