// The page server of `charter serve` (lib/runtime/server.ts), run as its child process:
// `next start` with the arguments given after the path of Next's bin, which also ends itself
// within a second if its parent goes away, so that a killed `charter serve` (even SIGKILL) leaves
// no orphaned Next.js behind. CommonJS, to run Next's (CommonJS) bin in this process.
'use strict';

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();

const [node, , bin, ...args] = process.argv;
process.argv = [node, bin, ...args];
require(bin);
