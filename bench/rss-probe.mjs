// Loaded with `node --import` into a process that writes an export (bench/audit-export-memory.ts):
// records its RSS when it first writes (to a file or to stdout: the export has been sealed and
// starts streaming) and, at exit, its peak RSS and the time and CPU time since that first write, as
// JSON in the file named by BENCH_RSS_PROBE.
import fs from 'node:fs';

const file = process.env.BENCH_RSS_PROBE;
if (file) {
  let before = null;
  let firstWriteAt = null;
  let cpuAtFirstWrite = null;
  const mark = () => {
    if (before !== null) return;
    before = process.memoryUsage.rss();
    firstWriteAt = process.hrtime.bigint();
    cpuAtFirstWrite = process.cpuUsage();
  };
  // fs.WriteStream writes through the module's write/writev, so these see a file export's bytes.
  for (const name of ['write', 'writev']) {
    const original = fs[name];
    fs[name] = function (...args) {
      mark();
      return original.apply(this, args);
    };
  }
  const write = process.stdout.write;
  process.stdout.write = function (...args) {
    mark();
    return write.apply(this, args);
  };
  process.on('exit', () => {
    const streamedMs = firstWriteAt === null ? 0 : Number(process.hrtime.bigint() - firstWriteAt) / 1e6;
    const cpu = process.cpuUsage(cpuAtFirstWrite ?? undefined);
    fs.writeFileSync(file, JSON.stringify({ before, peak: process.resourceUsage().maxRSS * 1024, cpuMs: (cpu.user + cpu.system) / 1000, streamedMs }));
  });
}
