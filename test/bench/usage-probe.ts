/**
 * Preloaded (`node --require usage-probe.js ...`) into each process of the whole-process pairing: when the process
 * exits, writes its own resource usage (user and system CPU since it started, peak RSS) to the file that
 * SEND_AS_EMAIL_BENCH_USAGE names. The same probe in both commands, so it costs both the same.
 */
import { writeFileSync } from 'fs';

const file = process.env.SEND_AS_EMAIL_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ userMicros: u.userCPUTime, systemMicros: u.systemCPUTime, maxRssKB: u.maxRSS }));
  });
}
