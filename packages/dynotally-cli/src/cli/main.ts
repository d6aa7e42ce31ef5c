// The `dynotally` executable's entry point (`npm start` runs `dynotally dev` through it).
import { runCli } from './run-cli.ts';

// The AWS SDK warns on every run that its 2027 releases will need Node 22; the CLI's output is one line
// per error, so keep that notice out of it unless the user asked for it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `dynotally … | head` closes the pipe early: that is the reader's choice, not an error to crash on.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Every command closes what it opened; should a stray handle remain, do not hang on it.
setTimeout(() => process.exit(code), 2_000).unref();
