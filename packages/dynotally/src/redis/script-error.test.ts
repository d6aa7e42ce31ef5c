import { describe, expect, it } from 'vitest';
import { isScriptError } from './script-error.ts';

const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe('isScriptError', () => {
  it('recognises what Redis 7 returns for a failing or broken script', () => {
    expect(
      isScriptError(
        reply(
          "ERR user_script:1: attempt to perform arithmetic on local 'x' (a nil value) script: 104ac674, on @user_script:1.",
        ),
      ),
    ).toBe(true);
    expect(
      isScriptError(
        reply('ERR value is not an integer or out of range script: 6c53b649, on @user_script:1.'),
      ),
    ).toBe(true);
    expect(
      isScriptError(reply("ERR Error compiling script (new function): user_script:1: '=' expected near '1'")),
    ).toBe(true);
    expect(isScriptError(reply('ERR Error running script (call to f_1234): @user_script:3: boom'))).toBe(
      true,
    ); // Redis 6
  });

  it('leaves outages and refusals for the server state alone', () => {
    expect(isScriptError(new Error('Connection is closed.'))).toBe(false);
    expect(
      isScriptError(
        reply("OOM command not allowed when used memory > 'maxmemory'. script: ab, on @user_script:5."),
      ),
    ).toBe(false);
    expect(isScriptError(reply('BUSY Redis is busy running a script.'))).toBe(false);
    // SCRIPT KILL (Redis 7, Redis 6): stopped from outside before it wrote anything
    expect(
      isScriptError(
        reply('ERR Script killed by user with SCRIPT KILL... script: 3a1df1fd, on @user_script:1.'),
      ),
    ).toBe(false);
    expect(
      isScriptError(
        reply(
          'ERR Error running script (call to f_3a1d): @user_script:1: Script killed by user with SCRIPT KILL...',
        ),
      ),
    ).toBe(false);
    expect(isScriptError(reply('NOSCRIPT No matching script. Please use EVAL.'))).toBe(false);
    expect(isScriptError(undefined)).toBe(false);
    expect(isScriptError('ERR user_script:1: x')).toBe(false);
  });
});
