// CPU seconds (user + system) used so far by this Playwright worker and
// everything below it (the browser it launched: its zygote, renderer, GPU
// and utility processes, and the children they already reaped), read from
// /proc. Used only by E2E_PROFILE=1 (fixtures.ts); 0 where there is no /proc.
import { readdirSync, readFileSync } from 'node:fs';

export function workerCpuSeconds(): number {
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after "(comm)": state, ppid, … utime (14th), stime, cutime, cstime.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const ppid = Number(f[1]);
      cpu.set(pid, (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // The process ended meanwhile.
    }
  }
  let total = 0;
  const walk = (pid: number) => {
    total += cpu.get(pid) ?? 0;
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(process.pid);
  return total;
}
